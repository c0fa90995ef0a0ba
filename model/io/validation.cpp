#include "model/io/validation.hpp"

#include "model/core/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "model/sim/comparison.hpp"
#include "model/core/config/reader.hpp"

namespace hscsim {

const std::vector<std::string>& target_computations() {
  static const std::vector<std::string> k = {"per_person_per_year", "per_1000_per_year", "per_100000", "ratio",
                                             "mean",                "population_share",  "life_expectancy",
                                             "life_expectancy_gap"};
  return k;
}

namespace {

const MetricDef* find_metric(const std::string& name) {
  for (const auto& m : metric_definitions())
    if (m.name == name) return &m;
  return nullptr;
}

bool on_band_boundary(double age) {
  if (age >= 1000) return true;
  for (int a : kAgeBandFrom)
    if (a == age) return true;
  return false;
}

std::vector<std::string> read_metrics(config::Reader& r, const char* key) {
  std::vector<std::string> out;
  const config::Node* n = r.node().find(key);
  if (!n) return out;
  if (n->is_scalar()) {
    out.push_back(r.text(key));
    return out;
  }
  r.skip(key);
  if (!n->is_seq() || n->seq.empty())
    throw r.error(*n, r.key_path(key), "expected a metric name or a list of metric names");
  for (size_t i = 0; i < n->seq.size(); ++i) {
    if (!n->seq[i].is_scalar()) throw r.error(n->seq[i], fmt::format("{}[{}]", r.key_path(key), i), "expected a metric name");
    out.push_back(n->seq[i].scalar);
  }
  return out;
}

void require_metrics(const config::Reader& r, const char* key, const std::vector<std::string>& names,
                     const std::string& compute) {
  std::vector<std::string> all;
  for (const auto& m : metric_definitions()) all.push_back(m.name);
  const config::Node* where = r.node().find(key);
  for (const auto& n : names) {
    const MetricDef* m = find_metric(n);
    if (!m) {
      throw r.error(*where, r.key_path(key),
                    fmt::format("no metric is named '{}'{} (list: hscsim info --metrics)", n,
                                config::did_you_mean(n, all)));
    }
    const bool flows = compute == "per_person_per_year" || compute == "per_1000_per_year";
    if (flows && m->kind != "flow")
      throw r.error(*where, r.key_path(key), fmt::format("'{}' is a {} metric; {} needs flows", n, m->kind, compute));
    if (compute == "per_100000" && m->kind != "stock")
      throw r.error(*where, r.key_path(key), fmt::format("'{}' is a {} metric; per_100000 needs stocks", n, m->kind));
    if (compute == "ratio" && m->kind == "mean")
      throw r.error(*where, r.key_path(key), fmt::format("'{}' is a mean; ratio needs flows or stocks", n));
  }
}

}  // namespace

TargetSet TargetSet::load(const std::string& path) {
  const config::Node root = config::load(path);
  config::Reader r(root, "");
  TargetSet s;
  if (auto w = r.optional_child("window")) {
    s.from_year = w->real("from_year", config::non_negative(), 0.0);
    s.to_year = w->real("to_year", {0, 1e9}, 1e9);
    if (s.to_year <= s.from_year) throw w->error("to_year", "must be after from_year");
    w->finish();
  }
  for (auto t : r.list("targets")) {
    Target x;
    x.name = t.name("name");
    for (const auto& o : s.targets)
      if (o.name == x.name) throw t.error("name", fmt::format("target '{}' is listed twice", x.name));
    x.description = t.text("description");
    x.compute = t.choice("compute", target_computations());
    x.metrics = read_metrics(t, "metrics");
    x.denominator = read_metrics(t, "denominator");
    const bool life = x.compute == "life_expectancy" || x.compute == "life_expectancy_gap";
    const bool needs_metrics = x.compute != "population_share" && !life;
    if (needs_metrics && x.metrics.empty()) throw t.error("compute", fmt::format("{} needs 'metrics:'", x.compute));
    if (!needs_metrics && !x.metrics.empty()) throw t.error("metrics", fmt::format("{} takes no metrics", x.compute));
    if ((x.compute == "ratio") != !x.denominator.empty())
      throw t.error(x.compute == "ratio" ? "compute" : "denominator", "'denominator:' goes with (and only with) ratio");
    if (x.compute == "mean" && x.metrics.size() != 1) throw t.error("metrics", "mean takes one metric");
    require_metrics(t, "metrics", x.metrics, x.compute);
    require_metrics(t, "denominator", x.denominator, x.compute);
    if (x.compute == "population_share") {
      x.from_age_years = t.real("from_age_years", {0, 130});
      x.to_age_years = t.real("to_age_years", {0, 1000}, 1000);
      if (!on_band_boundary(x.from_age_years) || !on_band_boundary(x.to_age_years) || x.to_age_years <= x.from_age_years)
        throw t.error("from_age_years", "ages must be band starts (0, 1, 5, 10, ..., 90) with to_age_years above "
                                        "from_age_years (omit to_age_years for an open band)");
    }
    if (life) {
      x.sex = t.choice("sex", {"male", "female"}) == "male" ? 0 : 1;
      if (x.compute == "life_expectancy") x.quintile = static_cast<int>(t.integer("quintile", {0, 5}, 0));
      x.from_age_years = t.real("from_age_years", {0, 130}, 0);
      if (!on_band_boundary(x.from_age_years))
        throw t.error("from_age_years", "life expectancy is at a band start (0, 1, 5, 10, ..., 90)");
    }
    const bool rate = x.compute == "per_person_per_year" || x.compute == "per_1000_per_year";
    if (rate && (t.has("from_age_years") || t.has("to_age_years") || t.has("sex"))) {
      x.by_age = true;
      x.from_age_years = t.real("from_age_years", {0, 130}, 0);
      x.to_age_years = t.real("to_age_years", {0, 1000}, 1000);
      if (!on_band_boundary(x.from_age_years) || !on_band_boundary(x.to_age_years) || x.to_age_years <= x.from_age_years)
        throw t.error("from_age_years", "ages must be band starts (0, 1, 5, 10, ..., 90) with to_age_years above "
                                        "from_age_years (omit to_age_years for an open band)");
      const std::string sex = t.choice("sex", {"male", "female", "both"}, "both");
      x.sex = sex == "male" ? 0 : sex == "female" ? 1 : -1;
      for (const auto& n : x.metrics)
        if (!find_metric(n)->by_age_sex)
          throw t.error("metrics", fmt::format("'{}' has no breakdown by age and sex (by_age_sex in hscsim info --metrics), "
                                               "so it cannot be a rate by age band or sex", n));
    }
    x.value = t.real("value", {-1e15, 1e15});
    if (t.has("tolerance") == t.has("tolerance_relative"))
      throw t.error("value", "give exactly one of tolerance (absolute) or tolerance_relative (fraction of value)");
    x.relative = t.has("tolerance_relative");
    x.tolerance = x.relative ? t.real("tolerance_relative", config::non_negative()) : t.real("tolerance", config::non_negative());
    x.units = t.text("units");
    x.source = t.text("source");
    t.finish();
    s.targets.push_back(std::move(x));
  }
  if (s.targets.empty()) throw r.error("targets", "list at least one target");
  r.finish();
  return s;
}

void TargetSet::check(const Clock& clock) const {
  if (from_year >= clock.years)
    throw ConfigError(fmt::format("targets: window.from_year {:g} is not inside the run ({:g} years)", from_year, clock.years));
}

namespace {
struct Window {
  size_t from = 0, to = 0;
};
Window window(const Clock& clock, double from_year, double to_year, size_t steps) {
  Window w;
  w.from = std::min(steps, static_cast<size_t>(std::llround(from_year / clock.dt_years)));
  w.to = std::min(steps, static_cast<size_t>(std::llround(std::min(to_year, clock.years) / clock.dt_years)));
  return w;
}
double sum_metrics(const std::vector<std::string>& names, const Tally& t) {
  double v = 0;
  for (const auto& n : names) v += find_metric(n)->value(t, 0);
  return v;
}
}  // namespace

double life_expectancy(const std::array<double, kAgeBands>& deaths, const std::array<double, kAgeBands>& py, size_t from_band) {
  double l = 1.0, T = 0;
  for (size_t b = from_band; b < kAgeBands; ++b) {
    const double m = py[b] > 0 ? deaths[b] / py[b] : 0.0;
    if (b + 1 == kAgeBands) {  // open band: L = l / m
      if (m <= 0) return std::numeric_limits<double>::quiet_NaN();
      T += l / m;
      break;
    }
    const double n = kAgeBandFrom[b + 1] - kAgeBandFrom[b];
    // Mean years lived in the band by those who die in it: conventional values for the
    // first year (0.1) and ages 1-4 (1.5), otherwise half the band.
    const double a = b == 0 ? 0.1 : (b == 1 ? 1.5 : n / 2);
    const double q = std::min(1.0, n * m / (1 + (n - a) * m));
    const double l_next = l * (1 - q);
    T += n * l_next + a * (l - l_next);
    l = l_next;
  }
  return T;
}

double evaluate(const Target& t, const std::vector<Tally>& steps, const Clock& clock, double from_year, double to_year) {
  const Window w = window(clock, from_year, to_year, steps.size());
  Tally sum;
  double person_years = 0, slice_events = 0;
  std::array<double, kAgeBands> deaths{}, py{}, deaths5{}, py5{};
  const auto in_slice = [&](uint8_t sex, size_t b) {
    return (t.sex < 0 || t.sex == sex) && kAgeBandFrom[b] >= t.from_age_years && kAgeBandFrom[b] < t.to_age_years;
  };
  for (size_t s = w.from; s < w.to; ++s) {
    const Tally& x = steps[s];
    sum += x;
    const double years = static_cast<double>(x.get(PeopleCounter::StepDays)) / kDaysPerYear;
    if (!t.by_age) person_years += static_cast<double>(x.get(PeopleCounter::Population)) * years;
    else
      for (uint8_t sex = 0; sex < 2; ++sex)
        for (size_t b = 0; b < kAgeBands; ++b)
          if (in_slice(sex, b)) {
            person_years += static_cast<double>(x.get(PeopleCounter::Population, sex, b)) * years;
            for (const auto& n : t.metrics) slice_events += find_metric(n)->by_age_sex(x, sex, b);
          }
    // Deaths and person-years by band of the target's sex, in quintile q (0: everyone).
    const auto sex = static_cast<uint8_t>(t.sex);
    auto add_life = [&](uint8_t q, std::array<double, kAgeBands>& d, std::array<double, kAgeBands>& p) {
      for (size_t b = 0; b < kAgeBands; ++b) {
        d[b] += static_cast<double>(q ? x.deaths(q, sex, b) : x.get(PeopleCounter::Deaths, sex, b));
        p[b] += static_cast<double>(q ? x.population(q, sex, b) : x.get(PeopleCounter::Population, sex, b)) * years;
      }
    };
    if (t.compute == "life_expectancy") add_life(static_cast<uint8_t>(t.quintile), deaths, py);
    if (t.compute == "life_expectancy_gap") {  // deaths, py: quintile 1; deaths5, py5: quintile 5
      add_life(1, deaths, py);
      add_life(5, deaths5, py5);
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto div = [&](double a, double b) { return b != 0 ? a / b : nan; };
  const double population = static_cast<double>(sum.get(PeopleCounter::Population));
  const double events = t.by_age ? slice_events : (t.compute.starts_with("per_") ? sum_metrics(t.metrics, sum) : 0.0);
  if (t.compute == "per_person_per_year") return div(events, person_years);
  if (t.compute == "per_1000_per_year") return 1000 * div(events, person_years);
  if (t.compute == "per_100000") return 1e5 * div(sum_metrics(t.metrics, sum), population);
  if (t.compute == "ratio") return div(sum_metrics(t.metrics, sum), sum_metrics(t.denominator, sum));
  if (t.compute == "mean") {
    const MetricDef* m = find_metric(t.metrics[0]);
    return m->kind == "mean" ? m->value(sum, 0) : div(m->value(sum, 0), static_cast<double>(w.to - w.from));
  }
  if (t.compute == "population_share") {
    double in = 0, all = 0;
    for (size_t k = 0; k < 2 * kAgeBands; ++k) {
      const double v = static_cast<double>(sum.get(PeopleCounter::Population, static_cast<uint8_t>(k / kAgeBands), k % kAgeBands));
      const double from = kAgeBandFrom[k % kAgeBands];
      all += v;
      if (from >= t.from_age_years && from < t.to_age_years) in += v;
    }
    return div(in, all);
  }
  size_t from_band = 0;  // life expectancy, at from_age_years
  while (from_band + 1 < kAgeBands && kAgeBandFrom[from_band] < t.from_age_years) ++from_band;
  if (t.compute == "life_expectancy_gap") return life_expectancy(deaths5, py5, from_band) - life_expectancy(deaths, py, from_band);
  return life_expectancy(deaths, py, from_band);
}

std::vector<ValidationRow> validate(const TargetSet& targets, const ScenarioResult& r, const Clock& clock) {
  std::vector<ValidationRow> out;
  // Each target's value per replicate, one decoded replicate at a time.
  std::vector<std::vector<double>> values(targets.targets.size());
  // The first and the last whole year of the run (the same year for a run under two years).
  const int years = std::max(1, static_cast<int>(std::floor(clock.years + 1e-9)));
  std::vector<double> first(targets.targets.size(), 0), last(targets.targets.size(), 0);
  const double R = static_cast<double>(r.steps.size());
  for (size_t rep = 0; rep < r.steps.size(); ++rep) {
    const std::vector<Tally> steps = r.steps[rep];
    for (size_t k = 0; k < targets.targets.size(); ++k) {
      values[k].push_back(evaluate(targets.targets[k], steps, clock, targets.from_year, targets.to_year));
      first[k] += evaluate(targets.targets[k], steps, clock, 0, 1) / R;
      last[k] += evaluate(targets.targets[k], steps, clock, years - 1, years) / R;
    }
  }
  for (size_t k = 0; k < targets.targets.size(); ++k) {
    const auto& t = targets.targets[k];
    ValidationRow row;
    row.target = &t;
    row.replicates = std::move(values[k]);
    const double R = static_cast<double>(row.replicates.size());
    double mean = 0, ss = 0;
    for (double v : row.replicates) mean += v / R;
    for (double v : row.replicates) ss += (v - mean) * (v - mean);
    row.mean = mean;
    const double half = half_width_95(ss, row.replicates.size());
    row.lower = mean - half;
    row.upper = mean + half;
    const double tol = t.relative ? t.tolerance * std::fabs(t.value) : t.tolerance;
    row.first_year = first[k];
    row.last_year = last[k];
    row.last_year_index = years;
    const auto within = [&](double v) { return std::isfinite(v) && std::fabs(v - t.value) <= tol; };
    row.pass = within(mean) && within(row.first_year) && within(row.last_year);
    out.push_back(std::move(row));
  }
  return out;
}

namespace {
std::string num(double v) {
  if (std::isnan(v)) return "-";
  const double a = std::fabs(v);
  if (a >= 1000) return fmt::format("{:.0f}", v);
  if (a >= 100) return fmt::format("{:.1f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.4f}", v);
}
std::string tol_text(const Target& t) {
  return t.relative ? fmt::format("±{:g}%", 100 * t.tolerance) : "±" + num(t.tolerance);
}
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}
}  // namespace

std::string validation_table(const std::vector<ValidationRow>& rows) {
  size_t w = 6;
  for (const auto& r : rows) w = std::max(w, r.target->name.size());
  const std::string last = rows.empty() ? "last" : fmt::format("year {}", rows.front().last_year_index);
  std::string out = fmt::format("{:<{}}  {:>10}  {:>21}  {:>10}  {:>10}  {:>10}  {:>9}  {:<4}  {}\n", "target", w, "model",
                                "95% interval", "year 1", last, "target", "tolerance", "", "units");
  int passed = 0;
  for (const auto& r : rows) {
    const Target& t = *r.target;
    passed += r.pass;
    out += fmt::format("{:<{}}  {:>10}  {:>21}  {:>10}  {:>10}  {:>10}  {:>9}  {:<4}  {}\n", t.name, w, num(r.mean),
                       std::isnan(r.lower) ? "-" : fmt::format("[{}, {}]", num(r.lower), num(r.upper)), num(r.first_year),
                       num(r.last_year), num(t.value), tol_text(t), r.pass ? "pass" : "FAIL", t.units);
  }
  out += fmt::format("{} of {} targets within tolerance (over the window, in year 1 and in the last year)\n", passed, rows.size());
  return out;
}

std::string validation_csv(const std::vector<ValidationRow>& rows) {
  std::string out = "target,description,computation,model_mean,model_lower95,model_upper95,model_first_year,model_last_year,"
                    "last_year,target_value,tolerance,tolerance_kind,pass,units,source,replicate_values\n";
  for (const auto& r : rows) {
    const Target& t = *r.target;
    std::string reps;
    for (size_t k = 0; k < r.replicates.size(); ++k) reps += (k ? " " : "") + fmt::format("{:.10g}", r.replicates[k]);
    out += fmt::format("{},{},{},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{},{:.10g},{:.10g},{},{},{},{},{}\n", csv_field(t.name),
                       csv_field(t.description), t.compute, r.mean, r.lower, r.upper, r.first_year, r.last_year,
                       r.last_year_index, t.value, t.tolerance,
                       t.relative ? "relative" : "absolute", r.pass ? 1 : 0, csv_field(t.units), csv_field(t.source), reps);
  }
  return out;
}

}  // namespace hscsim
