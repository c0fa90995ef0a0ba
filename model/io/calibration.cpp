#include "model/io/calibration.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>
#include <nlopt.hpp>

#include "model/core/config/reader.hpp"
#include "model/core/errors.hpp"
#include "model/sim/experiment.hpp"

namespace hscsim {

const std::vector<std::string>& calibration_algorithms() {
  static const std::vector<std::string> k = {"sbplx", "neldermead", "bobyqa", "cobyla"};
  return k;
}

std::vector<CalibrationParam> read_parameter_ranges(config::Reader& r, bool with_start) {
  std::vector<CalibrationParam> out;
  for (auto p : r.list("parameters")) {
    CalibrationParam x;
    x.key = p.text("key");
    if (const config::Node* k = p.node().find("key")) x.where = k->origin.describe();
    for (const auto& o : out)
      if (o.key == x.key) throw p.error("key", fmt::format("'{}' is listed twice", x.key));
    x.lower = p.real("lower", {-1e15, 1e15});
    x.upper = p.real("upper", {-1e15, 1e15});
    if (!(x.upper > x.lower)) throw p.error("upper", fmt::format("must be above lower ({:g})", x.lower));
    x.has_start = with_start && p.has("start");
    if (x.has_start) {
      x.start = p.real("start", {x.lower, x.upper});
    } else if (with_start) {
      p.skip("start");
    }
    p.finish();
    out.push_back(x);
  }
  if (out.empty()) throw r.error("parameters", "list at least one parameter");
  return out;
}

CalibrationSpec CalibrationSpec::load(const std::string& path) {
  const config::Node root = config::load(path);
  config::Reader r(root, "");
  CalibrationSpec s;
  s.algorithm = r.choice("algorithm", calibration_algorithms(), "sbplx");
  s.max_evaluations = static_cast<int>(r.integer("max_evaluations", {1, 100000}, 40));
  s.initial_step = r.real("initial_step", {1e-6, 1}, 0.25);
  s.profile_points = static_cast<int>(r.integer("profile_points", {0, 101}, 7));
  if (s.profile_points == 1 || s.profile_points == 2)
    throw r.error("profile_points", "a profile needs at least 3 points (0 for none)");
  s.profile_width = r.real("profile_width", {1e-6, 1}, 0.2);
  if (const config::Node* t = r.node().find("targets")) {
    r.skip("targets");
    if (!t->is_seq() || t->seq.empty()) throw r.error(*t, "targets", "expected a list of target names");
    for (const auto& n : t->seq) {
      if (!n.is_scalar())
        throw r.error(n, "targets", "expected a target name (targets: lists names from the targets file, e.g. "
                                    "[life_expectancy_male]); is this a targets file given as --params?");
      s.targets.push_back(n.scalar);
      s.target_where.push_back(n.origin.describe());
    }
  }
  s.params = read_parameter_ranges(r, true);
  if (s.algorithm == "bobyqa" && s.params.size() < 2)
    throw r.error("algorithm", "bobyqa needs at least two parameters; use sbplx or neldermead");
  r.finish();
  return s;
}

void check_parameter_keys(std::vector<CalibrationParam>& params, const config::Node& root, const std::string& what) {
  for (auto& p : params) {
    const double v = config::number_at(root, p.key, p.where, what);
    if (!p.has_start) p.start = v;
  }
}

config::Node with_parameter_values(const config::Node& root, const std::vector<CalibrationParam>& params,
                                   const std::vector<double>& x) {
  config::Node n = root;
  for (size_t k = 0; k < params.size(); ++k) config::apply_override(n, fmt::format("{}={:.17g}", params[k].key, x[k]));
  return n;
}

namespace {


config::Node with_values(const config::Node& root, const CalibrationSpec& spec, const std::vector<double>& x) {
  return with_parameter_values(root, spec.params, x);
}

std::vector<const Target*> fitted(const CalibrationSpec& spec, const TargetSet& targets) {
  std::vector<const Target*> out;
  for (const auto& t : targets.targets)
    if (spec.targets.empty() || std::find(spec.targets.begin(), spec.targets.end(), t.name) != spec.targets.end())
      out.push_back(&t);
  return out;
}

double tolerance(const Target& t) { return t.relative ? t.tolerance * std::fabs(t.value) : t.tolerance; }

//! Mean over the rows of ((model - target) / tolerance)^2, the model value taken by `model`.
template <typename Model>
double objective(const std::vector<ValidationRow>& rows, Model model) {
  double sum = 0;
  for (const auto& row : rows) {
    const double z = (model(row) - row.target->value) / tolerance(*row.target);
    sum += std::isfinite(z) ? z * z : 1e6;  // a target the run cannot compute (e.g. no deaths) scores badly
  }
  return rows.empty() ? 0.0 : sum / static_cast<double>(rows.size());
}

}  // namespace

void prepare_calibration(CalibrationSpec& spec, const config::Node& root, const TargetSet& targets) {
  std::vector<std::string> names;
  for (const auto& t : targets.targets) names.push_back(t.name);
  for (size_t k = 0; k < spec.targets.size(); ++k) {
    const std::string& n = spec.targets[k];
    if (std::find(names.begin(), names.end(), n) == names.end()) {
      const std::string where = k < spec.target_where.size() ? spec.target_where[k] + ": error: " : "";
      throw ConfigError(fmt::format("{}calibration: no target is named '{}'{}", where, n, config::did_you_mean(n, names)));
    }
  }
  for (const Target* t : fitted(spec, targets))
    if (tolerance(*t) <= 0)
      throw ConfigError(fmt::format("calibration: target '{}' has zero tolerance, so it cannot be weighted", t->name));
  check_parameter_keys(spec.params, root, "calibration");
  for (auto& p : spec.params) {
    if (p.start < p.lower || p.start > p.upper)
      throw ConfigError(fmt::format("calibration: '{}' starts at {:g}, outside its bounds [{:g}, {:g}]", p.key, p.start,
                                    p.lower, p.upper));
  }
  // The config must still be valid at the bounds' corners it will visit first.
  std::vector<double> x;
  for (const auto& p : spec.params) x.push_back(p.start);
  (void)Experiment::from_config(with_values(root, spec, x), "calibration");
}

double profile_minimum(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t k = static_cast<size_t>(std::min_element(y.begin(), y.end()) - y.begin());
  if (k == 0 || k + 1 >= y.size()) return x[k];
  // Vertex of the parabola through the three points (x need not be evenly spaced).
  const double x0 = x[k - 1], x1 = x[k], x2 = x[k + 1], y0 = y[k - 1], y1 = y[k], y2 = y[k + 1];
  const double num = (x1 - x0) * (x1 - x0) * (y1 - y2) - (x1 - x2) * (x1 - x2) * (y1 - y0);
  const double den = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0);
  if (den == 0) return x1;
  return std::clamp(x1 - 0.5 * num / den, x0, x2);
}

CalibrationResult calibrate(const config::Node& root, const std::string& config_name, const TargetSet& targets,
                            const CalibrationSpec& spec, int threads, const EvaluationFn& on_evaluation) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto fit = fitted(spec, targets);
  TargetSet subset;
  subset.from_year = targets.from_year;
  subset.to_year = targets.to_year;
  for (const Target* t : fit) subset.targets.push_back(*t);

  CalibrationResult out;
  out.best_objective = std::numeric_limits<double>::infinity();
  auto score = [&](const std::vector<double>& x, std::vector<ValidationRow>* rows_out) {
    const Experiment e = Experiment::from_config(with_values(root, spec, x), config_name);
    const RunResult r = run_experiment(e, threads);
    auto rows = validate(subset, r.scenarios.front(), e.scenarios.front().params.clock);
    const double v = objective(rows, [](const ValidationRow& row) { return row.mean; });
    if (rows_out) *rows_out = std::move(rows);
    return v;
  };

  // Parameter k's profile around `best`, each point scored per replicate.
  auto profile = [&](size_t k, const std::vector<double>& best, auto& run) {
    const auto& p = spec.params[k];
    const double half = spec.profile_width * (p.upper - p.lower);
    const double from = std::max(p.lower, best[k] - half), to = std::min(p.upper, best[k] + half);
    Profile pr;
    const auto P = static_cast<size_t>(spec.profile_points);
    for (size_t j = 0; j < P; ++j) {
      std::vector<double> x = best;
      x[k] = from + (to - from) * static_cast<double>(j) / static_cast<double>(P - 1);
      std::vector<ValidationRow> rows;
      pr.x.push_back(x[k]);
      pr.objective.push_back(run(x, &rows));
      std::vector<double> per_rep;
      for (size_t rep = 0; !rows.empty() && rep < rows.front().replicates.size(); ++rep)
        per_rep.push_back(objective(rows, [rep](const ValidationRow& row) { return row.replicates[rep]; }));
      pr.replicate.push_back(std::move(per_rep));
    }
    const size_t R = pr.replicate.front().size();
    for (size_t rep = 0; rep < R; ++rep) {
      std::vector<double> y;
      for (size_t j = 0; j < P; ++j) y.push_back(pr.replicate[j][rep]);
      pr.optimum.push_back(profile_minimum(pr.x, y));
    }
    double ss = 0;
    for (double v : pr.optimum) pr.mean += v / static_cast<double>(R);
    for (double v : pr.optimum) ss += (v - pr.mean) * (v - pr.mean);
    pr.sd = R > 1 ? std::sqrt(ss / static_cast<double>(R - 1)) : std::nan("");
    pr.min = *std::min_element(pr.optimum.begin(), pr.optimum.end());
    pr.max = *std::max_element(pr.optimum.begin(), pr.optimum.end());
    return pr;
  };

  const size_t n = spec.params.size();
  const std::map<std::string, nlopt::algorithm> algos = {{"sbplx", nlopt::LN_SBPLX},
                                                         {"neldermead", nlopt::LN_NELDERMEAD},
                                                         {"bobyqa", nlopt::LN_BOBYQA},
                                                         {"cobyla", nlopt::LN_COBYLA}};
  nlopt::opt opt(algos.at(spec.algorithm), static_cast<unsigned>(n));
  std::vector<double> lo, hi, step, x;
  for (const auto& p : spec.params) {
    lo.push_back(p.lower);
    hi.push_back(p.upper);
    step.push_back(spec.initial_step * (p.upper - p.lower));
    x.push_back(p.start);
  }
  opt.set_lower_bounds(lo);
  opt.set_upper_bounds(hi);
  opt.set_initial_step(step);
  opt.set_maxeval(spec.max_evaluations);
  // The objective is a step function of the parameters at scale (common random numbers):
  // stop on the budget, or when the simplex has shrunk below 1e-4 of each range.
  std::vector<double> xtol;
  for (size_t k = 0; k < n; ++k) xtol.push_back(1e-4 * (hi[k] - lo[k]));
  opt.set_xtol_abs(xtol);

  using ScoreFn = decltype(score);
  struct Ctx {
    ScoreFn* objective;
    CalibrationResult* out;
    const EvaluationFn* cb;
  } ctx{&score, &out, &on_evaluation};
  opt.set_min_objective(
      [](const std::vector<double>& v, std::vector<double>&, void* data) {
        auto* c = static_cast<Ctx*>(data);
        Evaluation ev;
        ev.index = static_cast<int>(c->out->evaluations.size()) + 1;
        ev.x = v;
        ev.objective = (*c->objective)(v, nullptr);
        c->out->evaluations.push_back(ev);
        if (ev.objective < c->out->best_objective) {
          c->out->best_objective = ev.objective;
          c->out->best = v;
        }
        if (*c->cb) (*c->cb)(ev);
        return ev.objective;
      },
      &ctx);
  double minf = 0;
  try {
    const nlopt::result res = opt.optimize(x, minf);
    switch (res) {
      case nlopt::MAXEVAL_REACHED: out.stop_reason = "evaluation budget used"; break;
      case nlopt::XTOL_REACHED: out.stop_reason = "parameters converged (simplex below 1e-4 of each range)"; break;
      case nlopt::FTOL_REACHED: out.stop_reason = "objective converged"; break;
      default: out.stop_reason = fmt::format("NLopt result {}", static_cast<int>(res)); break;
    }
  } catch (const nlopt::roundoff_limited&) {
    out.stop_reason = "stopped by round-off (best values kept)";
  } catch (const std::runtime_error& e) {
    if (out.evaluations.empty()) throw RuntimeFailure(fmt::format("calibration failed: {}", e.what()));
    out.stop_reason = fmt::format("NLopt stopped: {} (best values kept)", e.what());
  }
  out.start_objective = out.evaluations.front().objective;
  // Residuals at the best values (re-run: deterministic with the same seed).
  out.best_objective = score(out.best, &out.residuals);
  // The rows point into `subset`, which dies here: repoint them at the caller's targets.
  for (auto& row : out.residuals)
    for (const auto& t : targets.targets)
      if (t.name == row.target->name) row.target = &t;
  if (spec.profile_points > 0)
    for (size_t k = 0; k < n; ++k) out.profiles.push_back(profile(k, out.best, score));
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

namespace {
std::string comment_lines(const std::string& text) {
  std::string out;
  size_t from = 0;
  while (from < text.size()) {
    const size_t nl = text.find('\n', from);
    out += "# " + text.substr(from, nl == std::string::npos ? std::string::npos : nl - from) + "\n";
    if (nl == std::string::npos) break;
    from = nl + 1;
  }
  return out;
}
std::string g17(double v) { return fmt::format("{:.6g}", v); }
}  // namespace

std::string profile_summary(const Profile& p) {
  return fmt::format("replicates' optima along the profile: mean {}, SD {}, range [{}, {}] ({} replicates, {} points over [{}, {}])",
                     g17(p.mean), g17(p.sd), g17(p.min), g17(p.max), p.optimum.size(), p.x.size(), g17(p.x.front()),
                     g17(p.x.back()));
}

std::string calibration_overlay(const CalibrationSpec& spec, const CalibrationResult& r, const std::string& header) {
  config::Node root;
  root.kind = config::Node::Kind::Map;
  for (size_t k = 0; k < spec.params.size(); ++k) {
    config::Node v;
    v.kind = config::Node::Kind::Scalar;
    v.scalar = g17(r.best[k]);
    config::set_path(root, spec.params[k].key, v, "calibration");
  }
  std::string text = comment_lines(header);
  text += comment_lines(fmt::format("objective {:.4g} at the start, {:.4g} fitted ({} evaluations; {})", r.start_objective,
                                    r.best_objective, r.evaluations.size(), r.stop_reason));
  for (size_t k = 0; k < spec.params.size(); ++k) {
    text += comment_lines(fmt::format("{}: {} (start {}, bounds [{}, {}])", spec.params[k].key, g17(r.best[k]),
                                      g17(spec.params[k].start), g17(spec.params[k].lower), g17(spec.params[k].upper)));
    if (k < r.profiles.size()) text += comment_lines("  " + profile_summary(r.profiles[k]));
  }
  return text + config::emit(root) + "\n";
}

std::string calibration_record(const CalibrationSpec& spec, const CalibrationResult& r, const std::string& header) {
  std::string s = comment_lines(header);
  s += fmt::format("algorithm: {}\nmax_evaluations: {}\nstop_reason: \"{}\"\nwall_seconds: {:.1f}\n", spec.algorithm,
                   spec.max_evaluations, r.stop_reason, r.wall_seconds);
  s += "objective: \"mean over fitted targets of ((model - target) / tolerance)^2\"\n";
  s += "parameters:\n";
  for (size_t k = 0; k < spec.params.size(); ++k) {
    const auto& p = spec.params[k];
    s += fmt::format("  - {{key: {}, start: {}, lower: {}, upper: {}, fitted: {}}}\n", p.key, g17(p.start), g17(p.lower),
                     g17(p.upper), g17(r.best[k]));
  }
  s += fmt::format("start_objective: {}\nbest_objective: {}\n", g17(r.start_objective), g17(r.best_objective));
  s += "evaluations:   # objective per evaluation, with the parameter values in the order above\n";
  for (const auto& e : r.evaluations) {
    std::vector<std::string> xs;
    for (double v : e.x) xs.push_back(g17(v));
    s += fmt::format("  - {{n: {}, objective: {}, x: [{}]}}\n", e.index, g17(e.objective), fmt::join(xs, ", "));
  }
  if (!r.profiles.empty()) {
    s += "profiles:      # per parameter, the others at their fitted values: objective (mean of replicates' values) and\n"
         "               # each replicate's own objective at each point; each replicate's optimum along the profile\n";
    for (size_t k = 0; k < r.profiles.size(); ++k) {
      const Profile& p = r.profiles[k];
      auto list = [](const std::vector<double>& v) {
        std::vector<std::string> o;
        for (double x : v) o.push_back(g17(x));
        return fmt::format("[{}]", fmt::join(o, ", "));
      };
      s += fmt::format("  - key: {}\n    x: {}\n    objective: {}\n    replicate_objective:\n", spec.params[k].key, list(p.x),
                       list(p.objective));
      for (const auto& row : p.replicate) s += fmt::format("      - {}\n", list(row));
      s += fmt::format("    replicate_optimum: {}\n    optimum_mean: {}\n    optimum_sd: {}\n    optimum_range: [{}, {}]\n",
                       list(p.optimum), g17(p.mean), g17(p.sd), g17(p.min), g17(p.max));
    }
  }
  s += "residuals:     # at the fitted values: model mean, target, tolerance, (model - target) / tolerance\n";
  for (const auto& row : r.residuals) {
    const Target& t = *row.target;
    const double tol = t.relative ? t.tolerance * std::fabs(t.value) : t.tolerance;
    s += fmt::format("  - {{target: {}, model: {}, value: {}, tolerance: {}, standardised: {}, pass: {}}}\n", t.name,
                     g17(row.mean), g17(t.value), g17(tol), g17((row.mean - t.value) / tol), row.pass ? "true" : "false");
  }
  return s;
}

}  // namespace hscsim
