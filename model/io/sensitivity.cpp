#include "model/io/sensitivity.hpp"

#include <algorithm>
#include <bit>
#include <atomic>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "model/core/comm.hpp"
#include "model/core/config/reader.hpp"
#include "model/core/errors.hpp"
#include "model/sim/metrics.hpp"
#include "model/sim/series.hpp"

namespace hscsim {

const std::vector<std::string>& sensitivity_methods() {
  static const std::vector<std::string> k = {"morris", "sobol"};
  return k;
}

SensitivitySpec SensitivitySpec::load(const std::string& path) { return read(config::load(path)); }

SensitivitySpec SensitivitySpec::read(const config::Node& root) {
  config::Reader r(root, "");
  SensitivitySpec s;
  s.method = r.choice("method", sensitivity_methods(), "morris");
  s.trajectories = static_cast<int>(r.integer("trajectories", {2, 10000}, 10));
  s.levels = static_cast<int>(r.integer("levels", {2, 100}, 4));
  if (s.levels % 2) throw r.error("levels", "Morris levels must be even (4, 6 or 8 are usual), so each step is half the grid");
  s.samples = static_cast<int>(r.integer("samples", {4, 1 << 20}, 64));
  s.resamples = static_cast<int>(r.integer("bootstrap_resamples", {0, 100000}, 1000));
  s.params = read_parameter_ranges(r, false);
  const auto max_params = static_cast<size_t>(design::sobol_max_dimensions() / 2);
  if (s.params.size() > max_params)
    throw r.error("parameters", fmt::format("{} parameters; at most {} (the Sobol' design's {} dimensions, two per "
                                            "parameter); screen them with Morris in groups",
                                            s.params.size(), max_params, design::sobol_max_dimensions()));
  if (r.has("outputs")) {
    for (auto o : r.list("outputs")) {
      SensitivityOutput x;
      x.metric = o.text("metric");
      if (const config::Node* m = o.node().find("metric")) x.where = m->origin.describe();
      x.scenario = o.text("scenario", "baseline");
      x.versus = o.text("versus", "");
      if (x.versus == x.scenario) throw o.error("versus", "an output compared with itself is always 0");
      o.finish();
      s.outputs.push_back(x);
    }
  }
  r.finish();
  return s;
}

size_t SensitivitySpec::points() const {
  const size_t k = params.size();
  return method == "sobol" ? static_cast<size_t>(samples) * (k + 2) : static_cast<size_t>(trajectories) * (k + 1);
}

namespace {
const MetricDef* metric_named(const std::string& name) {
  for (const auto& m : metric_definitions())
    if (m.name == name) return &m;
  return nullptr;
}
size_t scenario_index(const Experiment& e, const std::string& name) {
  for (size_t k = 0; k < e.scenarios.size(); ++k)
    if (e.scenarios[k].name == name) return k;
  return e.scenarios.size();
}
}  // namespace

void prepare_sensitivity(SensitivitySpec& spec, const config::Node& root, const Experiment& e) {
  check_parameter_keys(spec.params, root, "sensitivity");
  for (const auto& p : spec.params)
    if (p.key.rfind("run.", 0) == 0 || p.key.rfind("time.", 0) == 0)
      throw ConfigError(fmt::format("{}: error: sensitivity: '{}': run and time settings are the design's frame (seed, "
                                    "replicates, steps), not parameters",
                                    p.where, p.key));
  if (spec.outputs.empty()) {
    for (const char* m : {"emergency_admissions", "bed_days", "cost_total_gbp", "qalys"}) {
      spec.outputs.push_back({m, "baseline", "", "", ""});
      for (size_t k = 1; k < e.scenarios.size(); ++k) spec.outputs.push_back({m, e.scenarios[k].name, "baseline", "", ""});
    }
  }
  std::vector<std::string> metric_names, scenario_names;
  for (const auto& m : metric_definitions()) metric_names.push_back(m.name);
  for (const auto& sc : e.scenarios) scenario_names.push_back(sc.name);
  for (auto& o : spec.outputs) {
    const std::string at = o.where.empty() ? "" : o.where + ": error: ";
    const MetricDef* m = metric_named(o.metric);
    if (!m)
      throw ConfigError(fmt::format("{}sensitivity: no metric is named '{}'{} (`hscsim info --metrics` lists them)", at,
                                    o.metric, config::did_you_mean(o.metric, metric_names)));
    o.units = m->units;
    for (const std::string* s : {&o.scenario, &o.versus}) {
      if (s->empty()) continue;
      const size_t k = scenario_index(e, *s);
      if (k == e.scenarios.size())
        throw ConfigError(fmt::format("{}sensitivity: the config has no scenario '{}'{}", at, *s,
                                      config::did_you_mean(*s, scenario_names)));
      if (k > 0 && !e.scenarios[k].params.finance.baseline_needs().empty())
        throw ConfigError(fmt::format("{}sensitivity: scenario '{}' has outcome payments against the baseline run, which "
                                      "sensitivity runs do not pair; analyse another scenario or give the payment "
                                      "counterfactual: historical",
                                      at, *s));
    }
  }
}

namespace {
// The parameters' values at the unit-cube points (linear over each range).
design::Matrix scaled(const design::Matrix& unit, const std::vector<CalibrationParam>& params) {
  design::Matrix out = unit;
  for (auto& row : out)
    for (size_t j = 0; j < params.size(); ++j) row[j] = params[j].lower + row[j] * (params[j].upper - params[j].lower);
  return out;
}
}  // namespace

SensitivityResult run_sensitivity(const config::Node& root, const std::string& config_name, const SensitivitySpec& spec,
                                  int threads, const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const size_t k = spec.params.size();
  SensitivityResult out;
  out.method = spec.method;
  const Experiment base = Experiment::from_config(root, config_name);
  const uint32_t seed = base.seed;
  if (spec.method == "sobol") {
    out.sobol_design = design::saltelli_design(k, static_cast<size_t>(spec.samples), seed);
    out.unit = out.sobol_design.points;
  } else {
    out.morris_design = design::morris_design(k, static_cast<size_t>(spec.trajectories), spec.levels, seed);
    out.unit = out.morris_design.points;
  }
  out.values = scaled(out.unit, spec.params);
  const size_t P = out.unit.size();

  // Every point's experiment, checked before anything runs.
  std::vector<Experiment> points;
  points.reserve(P);
  for (size_t p = 0; p < P; ++p) {
    try {
      points.push_back(Experiment::from_config(with_parameter_values(root, spec.params, out.values[p]), config_name));
    } catch (const ConfigError& err) {
      std::vector<std::string> at;
      for (size_t j = 0; j < k; ++j) at.push_back(fmt::format("{}={:.6g}", spec.params[j].key, out.values[p][j]));
      throw ConfigError(fmt::format("sensitivity: design point {} of {} ({}) is not a valid config: {}\n(narrow the "
                                    "parameter's range to values the key accepts)",
                                    p + 1, P, fmt::join(at, ", "), err.what()));
    }
  }
  // The scenarios and metrics the outputs need.
  std::vector<size_t> scen;                       // scenario indices run
  std::vector<std::vector<const MetricDef*>> mets;  // [scen slot]: metrics needed of it
  auto slot_of = [&](const std::string& name) {
    const size_t si = scenario_index(base, name);
    const auto it = std::find(scen.begin(), scen.end(), si);
    if (it != scen.end()) return static_cast<size_t>(it - scen.begin());
    scen.push_back(si);
    mets.emplace_back();
    return scen.size() - 1;
  };
  auto metric_slot = [&](size_t s, const std::string& metric) {
    const MetricDef* m = metric_named(metric);
    auto& v = mets[s];
    const auto it = std::find(v.begin(), v.end(), m);
    if (it != v.end()) return static_cast<size_t>(it - v.begin());
    v.push_back(m);
    return v.size() - 1;
  };
  struct Ref {
    size_t slot, metric;
  };
  std::vector<std::pair<Ref, std::optional<Ref>>> refs;
  for (const auto& o : spec.outputs) {
    const size_t a = slot_of(o.scenario);
    const Ref ra{a, metric_slot(a, o.metric)};
    std::optional<Ref> rb;
    if (!o.versus.empty()) {
      const size_t b = slot_of(o.versus);
      rb = Ref{b, metric_slot(b, o.metric)};
    }
    refs.emplace_back(ra, rb);
  }

  const size_t R = base.replicates, S = scen.size();
  std::vector<std::vector<double>> values(P * S * R);  // [job][metric of the slot]
  uint64_t total_steps = 0;
  const uint32_t burn_in = base.scenarios[0].params.clock.burn_in_steps;
  for (size_t s = 0; s < S; ++s) total_steps += P * R * (base.scenarios[scen[s]].params.clock.steps + burn_in);
  std::atomic<uint64_t> done{0};
  const int n_threads = threads > 0 ? threads : tbb::info::default_concurrency();
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(n_threads));
  tbb::task_arena arena(n_threads);
  // Across MPI ranks, job j runs on rank j % ranks; rank 0 gathers every job's values.
  const auto ranks = static_cast<size_t>(comm::size()), me = static_cast<size_t>(comm::rank());
  std::vector<size_t> mine;
  for (size_t j = me; j < P * S * R; j += ranks) mine.push_back(j);
  total_steps = total_steps / (P * S * R) * mine.size();
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, mine.size(), [&](size_t m) {
      const size_t job = mine[m];
      const size_t p = job / (S * R), s = (job / R) % S, r = job % R;
      const auto& ms = mets[s];
      std::vector<double> acc(ms.size(), 0.0);
      uint32_t steps = 0;
      const std::string label = fmt::format("point {}/{}", p + 1, P);
      run_replicate(points[p], scen[s], static_cast<uint32_t>(r), [&](uint32_t, const Tally& t) {
        for (size_t m = 0; m < ms.size(); ++m) acc[m] += ms[m]->value(t, 0);
        ++steps;
        const uint64_t d = ++done;
        if (progress) progress(d, total_steps, label);
      });
      if (burn_in > 0) {
        done += burn_in;
        if (progress) progress(done, total_steps, label);
      }
      for (size_t m = 0; m < ms.size(); ++m)
        if (ms[m]->kind != "flow") acc[m] /= std::max<uint32_t>(steps, 1);
      values[job] = std::move(acc);
    });
  });
  out.runs = P * S * R;
  out.threads = n_threads;
  if (ranks > 1) {
    std::vector<uint8_t> bytes;
    for (size_t job : mine) {
      series::put(bytes, job);
      series::put(bytes, values[job].size());
      for (double v : values[job]) series::put(bytes, std::bit_cast<uint64_t>(v));
    }
    const auto all = comm::gather(bytes);
    for (size_t from = 1; from < all.size(); ++from) {
      const uint8_t* in = all[from].data();
      const uint8_t* end = in + all[from].size();
      while (in < end) {
        const size_t job = series::take(in), n = series::take(in);
        values.at(job).resize(n);
        for (auto& v : values[job]) v = std::bit_cast<double>(series::take(in));
      }
    }
    out.wall_seconds = comm::max(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (me != 0) return out;  // rank 0 computes the indices
  }

  const size_t O = spec.outputs.size();
  out.y.assign(O, std::vector<double>(P, 0.0));
  out.replicate.assign(O, std::vector<std::vector<double>>(P, std::vector<double>(R)));
  for (size_t o = 0; o < O; ++o)
    for (size_t p = 0; p < P; ++p) {
      for (size_t r = 0; r < R; ++r) {
        const auto& [a, b] = refs[o];
        double v = values[(p * S + a.slot) * R + r][a.metric];
        if (b) v -= values[(p * S + b->slot) * R + r][b->metric];
        out.replicate[o][p][r] = v;
        out.y[o][p] += v / static_cast<double>(R);
      }
    }
  for (size_t o = 0; o < O; ++o) {
    if (spec.method == "sobol")
      out.sobol.push_back(design::sobol_indices(out.sobol_design, out.y[o], seed, spec.resamples));
    else
      out.morris.push_back(design::morris_indices(out.morris_design, out.y[o], seed, spec.resamples));
  }
  if (ranks == 1) out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::string sensitivity_table(const SensitivitySpec& spec, const SensitivityResult& r) {
  std::string s;
  size_t width = 9;
  for (const auto& p : spec.params) width = std::max(width, p.key.size());
  for (size_t o = 0; o < spec.outputs.size(); ++o) {
    const auto& out = spec.outputs[o];
    std::vector<size_t> order(spec.params.size());
    std::iota(order.begin(), order.end(), size_t{0});
    if (spec.method == "sobol") {
      const auto& x = r.sobol[o];
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x.total[a].value > x.total[b].value; });
      s += fmt::format("\n{} [{}]: variance {:.4g}; Sobol' indices [95% bootstrap interval]\n", out.name(), out.units, x.variance);
      s += fmt::format("  {:<{}}  {:>24}  {:>24}\n", "parameter", width, "first order", "total order");
      for (size_t j : order)
        s += fmt::format("  {:<{}}  {:>7.3f} [{:>6.3f}, {:>6.3f}]  {:>7.3f} [{:>6.3f}, {:>6.3f}]\n", spec.params[j].key, width,
                         x.first[j].value, x.first[j].lower, x.first[j].upper, x.total[j].value, x.total[j].lower,
                         x.total[j].upper);
    } else {
      const auto& x = r.morris[o];
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x.mu_star[a].value > x.mu_star[b].value; });
      s += fmt::format("\n{} [{}]: Morris elementary effects over each parameter's range [95% bootstrap interval of mu*]\n",
                       out.name(), out.units);
      s += fmt::format("  {:<{}}  {:>33}  {:>10}  {:>10}\n", "parameter", width, "mu* [95% interval]", "mu", "sigma");
      for (size_t j : order)
        s += fmt::format("  {:<{}}  {:>10.4g} [{:>9.4g}, {:>9.4g}]  {:>10.4g}  {:>10.4g}\n", spec.params[j].key, width,
                         x.mu_star[j].value, x.mu_star[j].lower, x.mu_star[j].upper, x.mu[j], x.sigma[j]);
    }
  }
  return s;
}

}  // namespace hscsim
