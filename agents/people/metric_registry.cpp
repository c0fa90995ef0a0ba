#include "agents/people/metric_registry.hpp"

#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "model/core/money.hpp"

namespace hscsim {

void MetricRegistry::add(MetricDef m) {
  const bool name_ok = !m.name.empty() && m.name.size() <= 64 &&
                       m.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
  if (!name_ok) throw std::logic_error(fmt::format("metric '{}': a name is 1-64 characters of a-z, 0-9 and _", m.name));
  if (m.units.empty() || m.description.empty())
    throw std::logic_error(fmt::format("metric '{}': units and description are required", m.name));
  if (m.kind != "flow" && m.kind != "stock" && m.kind != "mean")
    throw std::logic_error(fmt::format("metric '{}': kind '{}' is not flow, stock or mean", m.name, m.kind));
  if (!m.value) throw std::logic_error(fmt::format("metric '{}': no value function", m.name));
  for (const auto& d : defs_)
    if (d.name == m.name) throw std::logic_error(fmt::format("metric '{}' is declared twice", m.name));
  defs_.push_back(std::move(m));
}

void MetricRegistry::count(std::string name, std::string units, Counter c, std::string description, bool by_quintile) {
  MetricDef m{std::move(name), std::move(units), c.stock ? "stock" : "flow", std::move(description), by_quintile,
              [c](const Tally& t, int q) { return static_cast<double>(t.get(c, q)); }};
  if (c.age_sex != Counter::kNone) m.by_age_sex = [c](const Tally& t, uint8_t sex, size_t band) { return static_cast<double>(t.get(c, sex, band)); };
  add(std::move(m));
}

void MetricRegistry::pounds(std::string name, std::vector<Counter> pence, std::string description, bool by_quintile) {
  for (Counter c : pence)
    if (c.stock) throw std::logic_error(fmt::format("metric '{}': a pound flow sums flow counters, not stocks", name));
  add({std::move(name), "GBP", "flow", std::move(description), by_quintile, [v = std::move(pence)](const Tally& t, int q) {
         int64_t p = 0;
         for (Counter c : v) p += t.get(c, q);
         return to_gbp(p);
       }});
}

double metric_ratio(int64_t num, int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace hscsim
