#include "model/sim/comparison.hpp"

#include "agents/care/counters.hpp"
#include "model/core/stats.hpp"
#include "model/sim/world.hpp"

#include <cmath>
#include <limits>

namespace hscsim {

namespace {
ComparisonSeries summarise(const std::vector<std::vector<double>>& d) {  // [replicate][step]
  const size_t R = d.size(), S = R ? d[0].size() : 0;
  ComparisonSeries out;
  out.mean.assign(S, 0);
  out.lower.assign(S, std::numeric_limits<double>::quiet_NaN());
  out.upper = out.lower;
  for (size_t s = 0; s < S; ++s) {
    double sum = 0;
    for (size_t r = 0; r < R; ++r) sum += d[r][s];
    const double m = sum / static_cast<double>(R);
    out.mean[s] = m;
    if (R < 2) continue;
    double ss = 0;
    for (size_t r = 0; r < R; ++r) ss += (d[r][s] - m) * (d[r][s] - m);
    const double half = half_width_95(ss, R);
    out.lower[s] = m - half;
    out.upper[s] = m + half;
  }
  return out;
}
}  // namespace

const std::array<CauseRowName, kCauseRows>& cause_rows() {
  static const std::array<CauseRowName, kCauseRows> rows = {{
      {"emergency_admissions", "admissions", "emergency admissions by the health event that led to them (sums to emergency_admissions)"},
      {"deaths_after_admission", "persons",
       "deaths in hospital after an emergency admission for each health event (the event's in-hospital death "
       "probability; in_hospital_deaths also counts other deaths of people in hospital)"},
      {"ae_attendances", "attendances", "A&E attendances by the health event that brought the person (sums to ae_attendances)"},
  }};
  return rows;
}

namespace {
// Paired differences [replicate][step] of one series and its running total (flows) or
// running mean (stocks and means), summarised across replicates.
struct Paired {
  std::vector<std::vector<double>> d, cum;
  explicit Paired(size_t R) : d(R), cum(R) {}
  void put(size_t rep, size_t S, bool flow, auto&& diff) {
    d[rep].resize(S);
    cum[rep].resize(S);
    double acc = 0;
    for (size_t s = 0; s < S; ++s) {
      double x = diff(s);
      if (std::isnan(x)) x = 0;  // a ratio with no denominator in both: no difference
      d[rep][s] = x;
      acc += x;
      cum[rep][s] = flow ? acc : acc / static_cast<double>(s + 1);
    }
  }
};
}  // namespace

std::vector<ScenarioComparison> compare(const RunResult& r, const Experiment* e) {
  std::vector<ScenarioComparison> out;
  if (r.scenarios.empty()) return out;
  const auto& base = r.scenarios.front();
  const auto& metrics = metric_definitions();
  const size_t C = e ? std::min(e->scenarios.front().params.care.events.size(), kCauses) : 0;
  // Finance groups of a scenario (their offsets depend on its programmes).
  auto finance_of = [&](size_t k) {
    std::vector<ProviderGroup> out;
    if (e)
      for (const auto& g : published_groups(e->scenarios[k].params))
        if (g.folder == "finance") out.push_back(g);
    return out;
  };
  const std::vector<ProviderGroup> base_ledgers = finance_of(0);
  for (size_t k = 1; k < r.scenarios.size(); ++k) {
    const auto& sc = r.scenarios[k];
    ScenarioComparison c{sc.name, {}, {}, {}};
    const size_t R = sc.steps.size();
    // Ledgers of the providers, commissioners and investors, matched with the baseline's by id.
    const std::vector<ProviderGroup> own = finance_of(k);
    std::vector<std::pair<const ProviderGroup*, const ProviderGroup*>> ledgers;  // (scenario's, baseline's)
    for (const auto& g : own) {
      const ProviderGroup* match = nullptr;
      for (const auto& b : base_ledgers)
        if (g.id == b.id && g.kind == b.kind && g.metrics == b.metrics) match = &b;
      // A ledger only the scenario has (a social investor) is compared with zero; a
      // provider missing from the baseline (another place) is not compared.
      if (match || g.kind == "investor_ledger") ledgers.emplace_back(&g, match);
    }
    // Filled from one decoded pair of replicates at a time.
    std::vector<Paired> m(metrics.size(), Paired(R));
    std::vector<std::array<Paired, 5>> mq(metrics.size(), {Paired(R), Paired(R), Paired(R), Paired(R), Paired(R)});
    std::vector<Paired> cause(kCauseRows * C, Paired(R));
    std::vector<std::pair<size_t, size_t>> lmetrics;  // (ledger group, metric) pairs: flows
    for (size_t g = 0; g < ledgers.size(); ++g)
      for (size_t j = 0; j < ledgers[g].first->metrics->size(); ++j)
        if ((*ledgers[g].first->metrics)[j].kind == "flow") lmetrics.emplace_back(g, j);
    std::vector<Paired> led(lmetrics.size(), Paired(R));
    for (size_t rep = 0; rep < R; ++rep) {
      const std::vector<Tally> run = sc.steps[rep], against = base.steps[rep];
      const size_t S = run.size();
      for (size_t k2 = 0; k2 < metrics.size(); ++k2) {
        const auto& md = metrics[k2];
        const bool flow = md.kind == "flow";
        m[k2].put(rep, S, flow, [&](size_t s) { return md.value(run[s], 0) - md.value(against[s], 0); });
        if (md.by_quintile)
          for (int q = 1; q <= 5; ++q)
            mq[k2][static_cast<size_t>(q - 1)].put(rep, S, flow, [&](size_t s) { return md.value(run[s], q) - md.value(against[s], q); });
      }
      for (size_t row = 0; row < kCauseRows; ++row)
        for (size_t cc = 0; cc < C; ++cc)
          cause[row * C + cc].put(rep, S, true, [&](size_t s) {
            const auto cr = static_cast<CauseRow>(row);
            return static_cast<double>(run[s].get_cause(cr, cc) - against[s].get_cause(cr, cc));
          });
      if (!lmetrics.empty()) {
        const auto pr = sc.providers[rep], pa = base.providers[rep];
        for (size_t j = 0; j < lmetrics.size(); ++j) {
          const auto [g, b] = ledgers[lmetrics[j].first];
          const ProviderMetric& pm = (*g->metrics)[lmetrics[j].second];
          led[j].put(rep, S, true, [&](size_t s) { return pm.value(pr[s].data() + g->offset) - (b ? pm.value(pa[s].data() + b->offset) : 0.0); });
        }
      }
    }
    for (size_t k2 = 0; k2 < metrics.size(); ++k2) {
      MetricComparison mc{metrics[k2].name, summarise(m[k2].d), summarise(m[k2].cum), {}, {}};
      if (metrics[k2].by_quintile)
        for (auto& q : mq[k2]) {
          mc.quintile_per_step.push_back(summarise(q.d));
          mc.quintile_cumulative.push_back(summarise(q.cum));
        }
      m[k2] = Paired(0);
      mq[k2] = {Paired(0), Paired(0), Paired(0), Paired(0), Paired(0)};
      c.metrics.push_back(std::move(mc));
    }
    if (C > 0)
      for (size_t row = 0; row < kCauseRows; ++row) {
        CauseComparison cc{cause_rows()[row].name, cause_rows()[row].units, {}, {}};
        for (size_t j = 0; j < C; ++j) {
          cc.per_step.push_back(summarise(cause[row * C + j].d));
          cc.cumulative.push_back(summarise(cause[row * C + j].cum));
        }
        c.causes.push_back(std::move(cc));
      }
    for (size_t j = 0; j < lmetrics.size(); ++j) {
      const ProviderGroup& g = *ledgers[lmetrics[j].first].first;
      const ProviderMetric& pm = (*g.metrics)[lmetrics[j].second];
      c.ledgers.push_back({g.id, g.kind, pm.name, pm.units, summarise(led[j].d), summarise(led[j].cum)});
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace hscsim

namespace hscsim {

std::vector<IdleLever> idle_levers(const Experiment& e, const RunResult& r) {
  std::vector<IdleLever> out;
  if (r.scenarios.size() < 2) return out;
  const ProviderLayout& L = e.scenarios.front().params.providers;
  const auto& caps = care_capacities();
  const size_t G = L.providers(), C = caps.size();
  // bound[g][c]: capacity c of provider g turned someone away in the baseline.
  auto bound_in = [&](const std::vector<std::vector<int64_t>>& steps, std::vector<uint8_t>& bound) {
    for (const auto& prov : steps)
      for (size_t g = 0; g < G; ++g)
        for (size_t c = 0; c < C; ++c)
          if (caps[c].kind == L.kind_of(g) && (prov[L.block(g) + caps[c].bound[0]] > 0 || prov[L.block(g) + caps[c].bound[1]] > 0))
            bound[g * C + c] = 1;
  };
  std::vector<uint8_t> base_bound(G * C, 0);
  for (const auto& rep : r.scenarios.front().providers) bound_in(rep, base_bound);
  for (size_t k = 1; k < r.scenarios.size(); ++k) {
    // A scenario with another place (other providers) is not compared provider by provider.
    if (e.scenarios[k].params.providers.size() != L.size() || e.scenarios[k].params.providers.providers() != G) continue;
    // Changed: the scenario configures the capacity differently (its starting value or its
    // plan); a capacity that a commissioning rule moves with demand is not a lever.
    std::vector<uint8_t> changed(G * C, 0), bound = base_bound;
    const Geography &g0 = e.scenarios.front().params.geography, &gk = e.scenarios[k].params.geography;
    for (size_t g = 0; g < G; ++g)
      for (size_t c = 0; c < C; ++c)
        if (caps[c].kind == L.kind_of(g))
          for (CapacityKind ck : caps[c].config)
            if (!gk.same_capacity(g0, ck, L.index_in_kind(g))) changed[g * C + c] = 1;
    for (size_t rep = 0; rep < r.scenarios[k].providers.size(); ++rep) bound_in(r.scenarios[k].providers[rep], bound);
    for (size_t g = 0; g < G; ++g)
      for (size_t c = 0; c < C; ++c)
        if (changed[g * C + c] && !bound[g * C + c])
          out.push_back({r.scenarios[k].name, L.id(g), std::string(caps[c].name)});
  }
  return out;
}

}  // namespace hscsim
