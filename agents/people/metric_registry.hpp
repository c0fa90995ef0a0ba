#pragma once
// Published metrics, declared by the module that produces them. Each agents module has
// a `declare_<module>_metrics(MetricRegistry&)` (agents/<module>/metrics.cpp) naming its
// metrics with units, kind, meaning and breakdowns; model/sim/metrics.cpp calls them in
// output order. The HDF5 writer, the metric dictionary (output/README.md, from
// `hscsim info --metrics`), validation targets and the terminal summary all read the
// one list, so a new metric is one declaration plus the code that counts it.
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "agents/people/counters.hpp"

namespace hscsim {

struct MetricDef {
  std::string name;
  std::string units;
  std::string kind;  //!< flow | stock | mean
  std::string description;
  bool by_quintile = false;
  std::function<double(const Tally&, int quintile)> value;  //!< quintile 0 = whole population
  //! By sex (0 male, 1 female) and age band (kAgeBandFrom), where the metric has that
  //! breakdown (published under by_age_sex/); empty otherwise.
  std::function<double(const Tally&, uint8_t sex, size_t band)> by_age_sex = {};
};

class MetricRegistry {
 public:
  //! Declares a metric. Throws std::logic_error (a programming error, found by every
  //! test run) on a repeated or malformed name, empty units or description, or a kind
  //! other than flow, stock or mean.
  void add(MetricDef m);
  //! A metric that is counter c itself; its kind (flow or stock) is the counter's, and it
  //! is broken down by sex and age band when the counter is (CounterTraits::by_age_sex).
  void count(std::string name, std::string units, Counter c, std::string description, bool by_quintile = false);
  //! A flow in pounds: the sum of pence counters.
  void pounds(std::string name, std::vector<Counter> pence, std::string description, bool by_quintile = false);
  const std::vector<MetricDef>& all() const { return defs_; }

 private:
  std::vector<MetricDef> defs_;
};

//! num / den, NaN when den is 0.
double metric_ratio(int64_t num, int64_t den);

}  // namespace hscsim
