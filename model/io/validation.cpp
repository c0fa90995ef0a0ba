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
                                             "life_expectancy_gap", "quintile_ratio", "per_stock_year"};
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
    const bool flows = compute == "per_person_per_year" || compute == "per_1000_per_year" || compute == "quintile_ratio";
    if (flows && m->kind != "flow")
      throw r.error(*where, r.key_path(key), fmt::format("'{}' is a {} metric; {} needs flows", n, m->kind, compute));
    if (compute == "per_100000" && m->kind != "stock" && !(m->kind == "mean" && m->units == "persons"))
      throw r.error(*where, r.key_path(key),
                    fmt::format("'{}' is a {} metric; per_100000 needs stocks (or a mean number of persons)", n, m->kind));
    if (compute == "quintile_ratio" && !m->by_quintile)
      throw r.error(*where, r.key_path(key), fmt::format("'{}' has no breakdown by deprivation quintile; quintile_ratio needs one", n));
    if (compute == "ratio" && m->kind == "mean")
      throw r.error(*where, r.key_path(key), fmt::format("'{}' is a mean; ratio needs flows or stocks", n));
    const bool over_stock = std::string_view(key) == "denominator";
    if (compute == "per_stock_year" && m->kind != (over_stock ? "stock" : "flow"))
      throw r.error(*where, r.key_path(key), fmt::format("'{}' is a {} metric; per_stock_year needs {}", n, m->kind,
                                                         over_stock ? "stocks in 'denominator:'" : "flows in 'metrics:'"));
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
    const bool over = x.compute == "ratio" || x.compute == "per_stock_year";
    if (over != !x.denominator.empty())
      throw t.error(over ? "compute" : "denominator", "'denominator:' goes with (and only with) ratio and per_stock_year");
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
    if (x.compute == "quintile_ratio") {
      x.quintile = static_cast<int>(t.integer("quintile", {1, 5}));
      x.relative_to = static_cast<int>(t.integer("relative_to", {0, 5}));
      if (x.relative_to == x.quintile) throw t.error("relative_to", "must be another quintile (or 0: everyone)");
    }
    const bool by_age_able = x.compute == "per_person_per_year" || x.compute == "per_1000_per_year" || x.compute == "mean";
    if (by_age_able && (t.has("from_age_years") || t.has("to_age_years") || t.has("sex") || t.has("standardise_age"))) {
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
                                               "so it cannot be a {} by age band, sex or age-standardised", n,
                                               x.compute == "mean" ? "share" : "rate"));
      x.standardise = t.choice("standardise_age", {"no", "first_year"}, "no") == "first_year";
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
//! The metrics summed, in quintile q (0: everyone).
double sum_metrics(const std::vector<std::string>& names, const Tally& t, int q = 0) {
  double v = 0;
  for (const auto& n : names) v += find_metric(n)->value(t, q);
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

namespace {
//! One age-sex cell's numerator and denominator over some steps: events and person-years
//! for a rate, the metric's share x people and people for a mean.
using Cells = std::array<std::array<double, kAgeBands>, 2>;
struct CellSums {
  Cells num{}, den{};
};
CellSums cell_sums(const Target& t, const std::vector<Tally>& steps, const Window& w) {
  CellSums c;
  const bool mean = t.compute == "mean";
  std::vector<const MetricDef*> metrics;  // looked up once, not per step and cell
  for (const auto& n : t.metrics) metrics.push_back(find_metric(n));
  for (size_t s = w.from; s < w.to; ++s) {
    const Tally& x = steps[s];
    const double years = static_cast<double>(x.get(PeopleCounter::StepDays)) / kDaysPerYear;
    for (uint8_t sex = 0; sex < 2; ++sex)
      for (size_t b = 0; b < kAgeBands; ++b) {
        const double people = static_cast<double>(x.get(PeopleCounter::Population, sex, b));
        if (mean) {
          const double share = metrics.front()->by_age_sex(x, sex, b);
          if (people > 0) c.num[sex][b] += share * people;
          c.den[sex][b] += people;
        } else {
          for (const MetricDef* m : metrics) c.num[sex][b] += m->by_age_sex(x, sex, b);
          c.den[sex][b] += people * years;
        }
      }
  }
  return c;
}
}  // namespace

TargetValue evaluate_with_error(const Target& t, const std::vector<Tally>& steps, const Clock& clock, double from_year,
                               double to_year) {
  const Window w = window(clock, from_year, to_year, steps.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto div = [&](double a, double b) { return b != 0 ? a / b : nan; };
  if (t.by_age) {
    // Over the target's cells; age-standardised: each cell's value weighted by the run's
    // first-year people (or person-years) in the cell instead of the window's own.
    const auto in_slice = [&](uint8_t sex, size_t b) {
      return (t.sex < 0 || t.sex == sex) && kAgeBandFrom[b] >= t.from_age_years && kAgeBandFrom[b] < t.to_age_years;
    };
    const CellSums c = cell_sums(t, steps, w);
    const CellSums first = t.standardise ? cell_sums(t, steps, window(clock, 0, 1, steps.size())) : CellSums{};
    const Cells& weight = t.standardise ? first.den : c.den;
    double value = 0, weights = 0, variance = 0;
    for (uint8_t sex = 0; sex < 2; ++sex)
      for (size_t b = 0; b < kAgeBands; ++b) {
        if (!in_slice(sex, b) || weight[sex][b] <= 0) continue;
        weights += weight[sex][b];
        if (c.den[sex][b] <= 0) return {nan, nan};  // a weighted cell with no one in the window
        value += weight[sex][b] * c.num[sex][b] / c.den[sex][b];
        variance += weight[sex][b] * weight[sex][b] / c.den[sex][b];
      }
    const double scale = t.compute == "per_1000_per_year" ? 1000.0 : 1.0;
    // Sampling error under the target: Poisson counts at the target's rate in every cell,
    // var(num / den) = rate / den (so a cell with no events still has an error). Means
    // have none: the same people are counted in every step.
    if (t.compute == "mean") variance = nan;
    else variance *= std::fabs(t.value) / scale;
    return {scale * div(value, weights), scale * scale * div(variance, weights * weights)};
  }
  Tally sum;
  double person_years = 0;
  std::array<double, kAgeBands> deaths{}, py{}, deaths5{}, py5{};
  std::array<double, 6> py_q{};  // quintile_ratio: person-years by quintile (0: everyone)
  double stock_years = 0;        // per_stock_year: the denominator's stocks x years
  for (size_t s = w.from; s < w.to; ++s) {
    const Tally& x = steps[s];
    sum += x;
    const double years = static_cast<double>(x.get(PeopleCounter::StepDays)) / kDaysPerYear;
    person_years += static_cast<double>(x.get(PeopleCounter::Population)) * years;
    // Deaths and person-years by band of the target's sex, in quintile q (0: everyone).
    const auto sex = static_cast<uint8_t>(t.sex);
    auto add_life = [&](uint8_t q, std::array<double, kAgeBands>& d, std::array<double, kAgeBands>& p) {
      for (size_t b = 0; b < kAgeBands; ++b) {
        d[b] += static_cast<double>(q ? x.deaths(q, sex, b) : x.get(PeopleCounter::Deaths, sex, b));
        p[b] += static_cast<double>(q ? x.population(q, sex, b) : x.get(PeopleCounter::Population, sex, b)) * years;
      }
    };
    if (t.compute == "per_stock_year") stock_years += sum_metrics(t.denominator, x) * years;
    if (t.compute == "life_expectancy") add_life(static_cast<uint8_t>(t.quintile), deaths, py);
    if (t.compute == "quintile_ratio")
      for (const int q : {t.quintile, t.relative_to})
        py_q[static_cast<size_t>(q)] += static_cast<double>(x.get(PeopleCounter::Population, q)) * years;
    if (t.compute == "life_expectancy_gap") {  // deaths, py: quintile 1; deaths5, py5: quintile 5
      add_life(1, deaths, py);
      add_life(5, deaths5, py5);
    }
  }
  const double population = static_cast<double>(sum.get(PeopleCounter::Population));
  const double events = t.compute.starts_with("per_") ? sum_metrics(t.metrics, sum) : 0.0;
  if (t.compute == "per_person_per_year") return {div(events, person_years), nan};
  if (t.compute == "quintile_ratio") {
    // Flows are counts, so the window's sum in each quintile is the sum of its steps'.
    const auto rate = [&](int q) { return div(sum_metrics(t.metrics, sum, q), py_q[static_cast<size_t>(q)]); };
    return {div(rate(t.quintile), rate(t.relative_to)), nan};
  }
  if (t.compute == "per_1000_per_year") return {1000 * div(events, person_years), nan};
  if (t.compute == "per_100000") {
    // A stock summed over the steps, over the population summed likewise; a mean number
    // of persons (already a mean over the window's days) over the mean population.
    const double steps_in = static_cast<double>(w.to - w.from);
    double v = 0;
    for (const auto& n : t.metrics) {
      const MetricDef* m = find_metric(n);
      v += m->kind == "mean" ? div(m->value(sum, 0), population / steps_in) : div(m->value(sum, 0), population);
    }
    return {1e5 * v, nan};
  }
  if (t.compute == "ratio") return {div(sum_metrics(t.metrics, sum), sum_metrics(t.denominator, sum)), nan};
  if (t.compute == "per_stock_year") return {div(sum_metrics(t.metrics, sum), stock_years), nan};
  if (t.compute == "mean") {
    const MetricDef* m = find_metric(t.metrics[0]);
    return {m->kind == "mean" ? m->value(sum, 0) : div(m->value(sum, 0), static_cast<double>(w.to - w.from)), nan};
  }
  if (t.compute == "population_share") {
    double in = 0, all = 0;
    for (size_t k = 0; k < 2 * kAgeBands; ++k) {
      const double v = static_cast<double>(sum.get(PeopleCounter::Population, static_cast<uint8_t>(k / kAgeBands), k % kAgeBands));
      const double from = kAgeBandFrom[k % kAgeBands];
      all += v;
      if (from >= t.from_age_years && from < t.to_age_years) in += v;
    }
    return {div(in, all), nan};
  }
  size_t from_band = 0;  // life expectancy, at from_age_years
  while (from_band + 1 < kAgeBands && kAgeBandFrom[from_band] < t.from_age_years) ++from_band;
  if (t.compute == "life_expectancy_gap") return {life_expectancy(deaths5, py5, from_band) - life_expectancy(deaths, py, from_band), nan};
  return {life_expectancy(deaths, py, from_band), nan};
}

double evaluate(const Target& t, const std::vector<Tally>& steps, const Clock& clock, double from_year, double to_year) {
  return evaluate_with_error(t, steps, clock, from_year, to_year).value;
}

std::vector<ValidationRow> validate(const TargetSet& targets, const ScenarioResult& r, const Clock& clock) {
  std::vector<ValidationRow> out;
  // Each target's value per replicate, one decoded replicate at a time.
  std::vector<std::vector<double>> values(targets.targets.size());
  // The first and the last whole year of the run (the same year for a run under two years).
  const int years = std::max(1, static_cast<int>(std::floor(clock.years + 1e-9)));
  const size_t T = targets.targets.size();
  std::vector<double> first(T, 0), last(T, 0), window_var(T, 0), first_var(T, 0), last_var(T, 0);
  const double R = static_cast<double>(r.steps.size());
  for (size_t rep = 0; rep < r.steps.size(); ++rep) {
    const std::vector<Tally> steps = r.steps[rep];
    for (size_t k = 0; k < T; ++k) {
      const Target& t = targets.targets[k];
      const TargetValue w = evaluate_with_error(t, steps, clock, targets.from_year, targets.to_year);
      const TargetValue f = evaluate_with_error(t, steps, clock, 0, 1), l = evaluate_with_error(t, steps, clock, years - 1, years);
      values[k].push_back(w.value);
      first[k] += f.value / R;
      last[k] += l.value / R;
      // The variance of a mean over replicates: the sum of theirs over R^2.
      window_var[k] += w.variance / (R * R);
      first_var[k] += f.variance / (R * R);
      last_var[k] += l.variance / (R * R);
    }
  }
  for (size_t k = 0; k < T; ++k) {
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
    row.sampling_se = std::sqrt(window_var[k]);
    row.first_year_se = std::sqrt(first_var[k]);
    row.last_year_se = std::sqrt(last_var[k]);
    const auto within = [&](double v, double se) {
      return std::isfinite(v) && std::fabs(v - t.value) <= tol + (std::isfinite(se) ? kSamplingErrorK * se : 0.0);
    };
    row.pass = within(mean, row.sampling_se) && within(row.first_year, row.first_year_se) && within(row.last_year, row.last_year_se);
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
std::string tol_text(const ValidationRow& r) {
  const Target& t = *r.target;
  const std::string se = std::isfinite(r.sampling_se) ? fmt::format("+{:g}SE", kSamplingErrorK) : "";
  return (t.relative ? fmt::format("±{:g}%", 100 * t.tolerance) : "±" + num(t.tolerance)) + se;
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
                       num(r.last_year), num(t.value), tol_text(r), r.pass ? "pass" : "FAIL", t.units);
  }
  out += fmt::format("{} of {} targets within tolerance (over the window, in year 1 and in the last year; +{:g}SE: rates by age "
                     "also allow {:g} Poisson standard errors of sampling)\n", passed, rows.size(), kSamplingErrorK, kSamplingErrorK);
  return out;
}

std::string validation_csv(const std::vector<ValidationRow>& rows) {
  std::string out = "target,description,computation,model_mean,model_lower95,model_upper95,model_first_year,model_last_year,"
                    "last_year,model_se,model_first_year_se,model_last_year_se,age_standardised,target_value,tolerance,tolerance_kind,pass,"
                    "units,source,replicate_values\n";
  for (const auto& r : rows) {
    const Target& t = *r.target;
    std::string reps;
    for (size_t k = 0; k < r.replicates.size(); ++k) reps += (k ? " " : "") + fmt::format("{:.10g}", r.replicates[k]);
    out += fmt::format("{},{},{},{:.10g},{:.10g},{:.10g},{:.10g},{:.10g},{},{:.10g},{:.10g},{:.10g},{},{:.10g},{:.10g},{},{},{},{},{}\n",
                       csv_field(t.name), csv_field(t.description), t.compute, r.mean, r.lower, r.upper, r.first_year,
                       r.last_year, r.last_year_index, r.sampling_se, r.first_year_se, r.last_year_se,
                       t.standardise ? 1 : 0, t.value, t.tolerance,
                       t.relative ? "relative" : "absolute", r.pass ? 1 : 0, csv_field(t.units), csv_field(t.source), reps);
  }
  return out;
}

}  // namespace hscsim
