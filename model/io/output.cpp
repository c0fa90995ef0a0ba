#include "model/io/output.hpp"

#include "model/sim/world.hpp"

#include <hdf5.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cmath>
#include <limits>
#include <algorithm>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <tuple>
#include <fstream>

#include <fmt/format.h>

#include "model/core/build_info.hpp"
#include "model/core/config/node.hpp"
#include "model/sim/comparison.hpp"
#include "model/core/errors.hpp"
#include "model/core/files.hpp"
#include "model/core/interrupt.hpp"
#include "model/io/sensitivity.hpp"
#include "model/io/hdf5.hpp"
#include "model/io/validation.hpp"

namespace hscsim {
namespace fs = std::filesystem;
using namespace h5;  // model/io/hdf5.hpp
namespace {

// The checksum of a results file: the sum (mod 2^64) of FNV-1a hashes of each dataset's
// full path and contents, plus the stored config, so that it does not depend on the order
// datasets are visited. Stored as the root attribute `checksum` (computed by reading the
// finished in-memory file back); `run --from` recomputes it the same way.
struct Checksum {
  uint64_t sum = 0;
  static uint64_t fnv(const void* data, size_t n, uint64_t h = 1469598103934665603ull) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t k = 0; k < n; ++k) h = (h ^ p[k]) * 1099511628211ull;
    return h;
  }
  void add(const std::string& name, const void* data, size_t n) {
    sum += fnv(data, n, fnv(name.data(), name.size() + 1));
  }
  void add_strings(const std::string& name, const std::vector<std::string>& values) {
    std::string all;
    for (const auto& v : values) all += v + '\0';
    add(name, all.data(), all.size());
  }
  std::string text() const { return fmt::format("fnv1a64-sum:{:016x}", sum); }
};

std::string object_name(hid_t obj) {
  char buf[2048];
  const ssize_t n = H5Iget_name(obj, buf, sizeof buf);
  return n > 0 ? std::string(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1)) : std::string();
}

hid_t group(hid_t parent, const std::string& name) {
  hid_t g = H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) throw RuntimeFailure(fmt::format("HDF5: cannot create group {}", name));
  return g;
}

void dataset(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims, const std::vector<double>& data,
             const MetricDef* m) {
  Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, "create data space");
  Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create property list");
  if (data.size() > 4096) {
    check(H5Pset_chunk(dcpl, static_cast<int>(dims.size()), dims.data()), "set chunking");
    check(H5Pset_deflate(dcpl, 4), "set compression");
  }
  Id ds(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose,
        "create dataset");
  check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "write dataset");
  if (m) {
    attr_string(ds, "units", m->units);
    attr_string(ds, "kind", m->kind);
    attr_string(ds, "description", m->description);
  }
}

// run.store: summary: the rows a series over replicates is reduced to, in order.
const std::vector<std::string> kSummaryRows = {"mean", "sd", "q025", "q25", "median", "q75", "q975"};

// A series over replicates, dims {R, ...}: as it is, or (summary) reduced over its first
// dimension to the rows of kSummaryRows (quantiles interpolated linearly between order
// statistics, as numpy's default; NaN values left out; sd NaN with fewer than 2 values).
void series_dataset(hid_t parent, const std::string& name, std::vector<hsize_t> dims, const std::vector<double>& data,
                    const MetricDef* m, bool summary) {
  if (!summary) return dataset(parent, name, dims, data, m);
  const hsize_t R = dims[0], cells = R == 0 ? 0 : data.size() / R, Q = kSummaryRows.size();
  std::vector<double> out(Q * cells, std::numeric_limits<double>::quiet_NaN()), x;
  for (hsize_t c = 0; c < cells; ++c) {
    x.clear();
    for (hsize_t r = 0; r < R; ++r)
      if (const double v = data[r * cells + c]; !std::isnan(v)) x.push_back(v);
    if (x.empty()) continue;
    std::sort(x.begin(), x.end());
    double sum = 0;
    for (double v : x) sum += v;
    const double n = static_cast<double>(x.size()), mean = sum / n;
    double ss = 0;
    for (double v : x) ss += (v - mean) * (v - mean);
    const auto quantile = [&](double q) {
      const double at = q * (n - 1);
      const auto lo = static_cast<size_t>(std::floor(at));
      const size_t hi = std::min(lo + 1, x.size() - 1);
      return x[lo] + (at - static_cast<double>(lo)) * (x[hi] - x[lo]);
    };
    const double row[] = {mean, x.size() > 1 ? std::sqrt(ss / (n - 1)) : std::numeric_limits<double>::quiet_NaN(),
                          quantile(0.025), quantile(0.25), quantile(0.5), quantile(0.75), quantile(0.975)};
    for (hsize_t q = 0; q < Q; ++q) out[q * cells + c] = row[q];
  }
  dims[0] = Q;
  if (!m) return dataset(parent, name, dims, out, nullptr);
  MetricDef d = *m;
  const auto at = d.description.find("[replicate,");
  if (at != std::string::npos) d.description.replace(at, 11, "[statistic,");
  d.description += "; summarised over replicates: rows mean, sd, q025, q25, median, q75, q975 (run.store: summary)";
  dataset(parent, name, dims, out, &d);
}

void string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values,
                    const std::string& description) {
  Id type(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  check(H5Tset_size(type, H5T_VARIABLE), "set string size");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "set UTF-8");
  const hsize_t n = values.size();
  Id space(H5Screate_simple(1, &n, nullptr), H5Sclose, "create data space");
  Id ds(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
        "create dataset");
  std::vector<const char*> p;
  for (const auto& v : values) p.push_back(v.c_str());
  check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), "write dataset");
  attr_string(ds, "description", description);
}

void write_validation(hid_t file, const std::vector<ValidationRow>& rows) {
  Id g(group(file, "validation"), H5Gclose, "");
  attr_string(g, "description",
              "the baseline scenario against published figures (hscsim validate); one row per target");
  const hsize_t T = rows.size(), R = T ? rows[0].replicates.size() : 0;
  auto col = [&](const char* name, auto f, const char* what) {
    std::vector<std::string> v;
    for (const auto& r : rows) v.push_back(f(*r.target));
    string_dataset(g, name, v, what);
  };
  col("target", [](const Target& t) { return t.name; }, "target name");
  col("description", [](const Target& t) { return t.description; }, "what the target measures");
  col("computation", [](const Target& t) { return t.compute; }, "how the model value is computed from output");
  col("units", [](const Target& t) { return t.units; }, "units of the value");
  col("source", [](const Target& t) { return t.source; }, "source of the published figure, with confidence tag");
  col("tolerance_kind", [](const Target& t) { return std::string(t.relative ? "relative" : "absolute"); },
      "relative: tolerance is a fraction of the target value");
  auto num = [&](const char* name, auto f, const char* what) {
    std::vector<double> v;
    for (const auto& r : rows) v.push_back(f(r));
    MetricDef d{name, "", "", what, false, {}};
    dataset(g, name, {T}, v, &d);
  };
  num("model_mean", [](const ValidationRow& r) { return r.mean; }, "model value, mean over replicates");
  num("model_lower95", [](const ValidationRow& r) { return r.lower; }, "lower end of the 95% t-interval of the mean");
  num("model_upper95", [](const ValidationRow& r) { return r.upper; }, "upper end of the 95% t-interval of the mean");
  num("target_value", [](const ValidationRow& r) { return r.target->value; }, "published figure");
  num("tolerance", [](const ValidationRow& r) { return r.target->tolerance; }, "tolerance (see tolerance_kind)");
  num("model_first_year", [](const ValidationRow& r) { return r.first_year; }, "model value in the run's first year, mean over replicates");
  num("model_last_year", [](const ValidationRow& r) { return r.last_year; }, "model value in the run's last whole year, mean over replicates");
  num("model_se", [](const ValidationRow& r) { return r.sampling_se; },
      "Poisson sampling standard error of model_mean (rates by age band; NaN otherwise)");
  num("model_first_year_se", [](const ValidationRow& r) { return r.first_year_se; }, "the same for model_first_year");
  num("model_last_year_se", [](const ValidationRow& r) { return r.last_year_se; }, "the same for model_last_year");
  num("age_standardised", [](const ValidationRow& r) { return r.target->standardise ? 1.0 : 0.0; },
      "1 if the model value is weighted by the run's first-year age-sex structure");
  num("pass", [](const ValidationRow& r) { return r.pass ? 1.0 : 0.0; },
      "1 if the model mean over the window and in the first and last year are all within tolerance (plus 2 sampling "
      "standard errors where model_se is given)");
  std::vector<double> reps;
  for (const auto& r : rows) reps.insert(reps.end(), r.replicates.begin(), r.replicates.end());
  MetricDef d{"replicate_values", "", "", "model value per replicate [target, replicate]", false, {}};
  dataset(g, "replicate_values", {T, R}, reps, &d);
}

// Recomputes the checksum of an open results file (see Checksum).
struct Verify {
  Checksum sum;
  std::string failed;  //!< the first dataset that could not be read
  bool listed = true;  //!< false if the file's objects could not be visited
};
herr_t verify_object(hid_t loc, const char* name, const H5O_info_t* info, void* data) {
  auto* v = static_cast<Verify*>(data);
  if (info->type != H5O_TYPE_DATASET || !v->failed.empty()) return 0;
  try {
    Id ds(H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose, "open dataset");
    Id space(H5Dget_space(ds), H5Sclose, "read data space");
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0 || n > (hssize_t{1} << 34)) throw RuntimeFailure("bad size");
    Id type(H5Dget_type(ds), H5Tclose, "read type");
    const std::string full = object_name(ds);
    if (H5Tget_class(type) == H5T_STRING) {
      Id mem(H5Tcopy(H5T_C_S1), H5Tclose, "copy type");
      check(H5Tset_size(mem, H5T_VARIABLE), "set size");
      check(H5Tset_cset(mem, H5T_CSET_UTF8), "set UTF-8");
      std::vector<char*> p(static_cast<size_t>(n), nullptr);
      check(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), "read dataset");
      std::vector<std::string> values;
      for (char* c : p) values.emplace_back(c ? c : "");
      H5Dvlen_reclaim(mem, space, H5P_DEFAULT, p.data());
      v->sum.add_strings(full, values);
    } else {
      std::vector<double> x(static_cast<size_t>(n));
      check(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x.data()), "read dataset");
      v->sum.add(full, x.data(), x.size() * sizeof(double));
    }
  } catch (const RuntimeFailure&) {
    v->failed = name;
  }
  return 0;
}

// The checksum of an open results file, read back the way `run --from` reads it: the
// writer and the verifier compute it with the same code.
Verify checksum_of(hid_t file, const std::string& config_yaml) {
  Verify v;
  v.sum.add("config_yaml", config_yaml.data(), config_yaml.size());
  v.listed = H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, verify_object, &v) >= 0;
  return v;
}

namespace {

// The file's root attributes: format, version, config, seed, run facts.
void write_root_attributes(hid_t file, const Experiment& e, const RunResult& r, const char* format = kFormatName) {
  attr_string(file, "format", format);
  attr_scalar<int32_t>(file, "schema_version", kSchemaVersion, H5T_NATIVE_INT32);
  attr_string(file, "hscsim_version", build_info::version());
  attr_string(file, "git_commit", build_info::git_commit());
  attr_string(file, "config_yaml", e.config_yaml);
  attr_string(file, "config_name", e.config_name);
  attr_scalar<uint32_t>(file, "seed", e.seed, H5T_NATIVE_UINT32);
  attr_scalar<uint32_t>(file, "replicates", e.replicates, H5T_NATIVE_UINT32);
  attr_scalar<int32_t>(file, "threads", r.threads, H5T_NATIVE_INT32);
  attr_scalar<int32_t>(file, "ranks", r.ranks, H5T_NATIVE_INT32);
  attr_string(file, "created_utc", utc_now());
  attr_scalar<double>(file, "wall_seconds", r.wall_seconds, H5T_NATIVE_DOUBLE);
  // What a series' first dimension holds: each replicate, or (run.store: summary) the
  // rows of the summary over replicates.
  const bool summary = e.scenarios.front().params.run.store == RunSettings::Store::Summary;
  attr_string(file, "store", summary ? "summary" : "replicates");
  if (summary) attr_string(file, "summary_rows", "mean,sd,q025,q25,median,q75,q975");
}

// Every series of one scenario, decoded one replicate at a time: metrics [metric][rep x
// step] (and by quintile [metric][rep x step x 5]), population and deaths [rep x step x
// sex x band], and per-provider metrics [group][metric][rep x step].
struct ScenarioValues {
  std::vector<std::vector<double>> vals, quint, age_sex;  //!< age_sex: [metric][rep x step x sex x band]
  std::vector<double> pop, deaths;
  std::vector<std::vector<double>> cause;  //!< [CauseRow][rep x step x cause]
  std::vector<double> quintile_age;        //!< [rep x step x (population, deaths) x quintile x sex x band]
  std::vector<std::vector<std::vector<double>>> prov;
};
ScenarioValues scenario_values(const ScenarioResult& sr, hsize_t S, const std::vector<ProviderGroup>& groups) {
  const auto& metrics = metric_definitions();
  const hsize_t R = sr.steps.size(), A = kAgeBands;
  ScenarioValues v;
  auto& vals = v.vals;
  auto& quint = v.quint;
  auto& pop = v.pop;
  auto& deaths = v.deaths;
  auto& prov_vals = v.prov;
  vals.assign(metrics.size(), std::vector<double>(R * S));
  quint.resize(metrics.size());
  for (size_t k2 = 0; k2 < metrics.size(); ++k2)
    if (metrics[k2].by_quintile) quint[k2].resize(R * S * 5);
  v.age_sex.resize(metrics.size());
  for (size_t k2 = 0; k2 < metrics.size(); ++k2)
    if (metrics[k2].by_age_sex) v.age_sex[k2].resize(R * S * 2 * A);
  pop.resize(R * S * 2 * A);
  deaths.resize(R * S * 2 * A);
  v.cause.assign(kCauseRows, std::vector<double>(R * S * kCauses));
  constexpr size_t QA = std::tuple_size_v<decltype(Tally::by_quintile_age)>;
  v.quintile_age.resize(R * S * QA);
  prov_vals.resize(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) prov_vals[g].assign(groups[g].metrics->size(), std::vector<double>(R * S));
  for (hsize_t rep = 0; rep < R; ++rep) {
    const std::vector<Tally> steps = sr.steps[rep];
    for (hsize_t s = 0; s < S; ++s) {
      const Tally& t = steps[s];
      for (size_t k2 = 0; k2 < metrics.size(); ++k2) {
        vals[k2][rep * S + s] = metrics[k2].value(t, 0);
        if (metrics[k2].by_quintile)
          for (int qq = 1; qq <= 5; ++qq)
            quint[k2][(rep * S + s) * 5 + static_cast<hsize_t>(qq - 1)] = metrics[k2].value(t, qq);
        if (metrics[k2].by_age_sex)
          for (hsize_t j = 0; j < 2 * A; ++j)
            v.age_sex[k2][(rep * S + s) * 2 * A + j] = metrics[k2].by_age_sex(t, static_cast<uint8_t>(j / A), j % A);
      }
      for (hsize_t j = 0; j < 2 * A; ++j) {
        pop[(rep * S + s) * 2 * A + j] = static_cast<double>(t.get(PeopleCounter::Population, static_cast<uint8_t>(j / A), j % A));
        deaths[(rep * S + s) * 2 * A + j] = static_cast<double>(t.get(PeopleCounter::Deaths, static_cast<uint8_t>(j / A), j % A));
      }
      for (size_t j = 0; j < QA; ++j) v.quintile_age[(rep * S + s) * QA + j] = static_cast<double>(t.by_quintile_age[j]);
      for (size_t row = 0; row < kCauseRows; ++row)
        for (size_t c = 0; c < kCauses; ++c)
          v.cause[row][(rep * S + s) * kCauses + c] = static_cast<double>(t.get_cause(static_cast<CauseRow>(row), c));
    }
    const std::vector<std::vector<int64_t>> prov = sr.providers[rep];
    for (size_t g = 0; g < groups.size(); ++g)
      for (size_t j = 0; j < groups[g].metrics->size(); ++j)
        for (hsize_t s = 0; s < S; ++s)
          prov_vals[g][j][rep * S + s] = (*groups[g].metrics)[j].value(prov[s].data() + groups[g].offset);
  }
  return v;
}

// /scenarios/<name>: attributes, timeseries/, by_quintile/, demography/, providers/,
// interventions/, finance/.
void write_scenario(hid_t scenarios, const Experiment& e, size_t k, const ScenarioResult& sr) {
  const auto& metrics = metric_definitions();
  const auto& clock = e.scenarios[k].params.clock;
  const hsize_t R = sr.steps.size(), S = clock.steps, A = kAgeBands;
  const bool summary = e.scenarios[k].params.run.store == RunSettings::Store::Summary;
  Id sg(group(scenarios, sr.name), H5Gclose, "");
  attr_string(sg, "description", e.scenarios[k].description);
  attr_scalar<int32_t>(sg, "start_year", clock.start_year, H5T_NATIVE_INT32);
  attr_string(sg, "step", clock.step);
  attr_scalar<double>(sg, "step_days", clock.step_days, H5T_NATIVE_DOUBLE);
  Id ts(group(sg, "timeseries"), H5Gclose, "");
  std::vector<double> time(S);
  for (hsize_t s = 0; s < S; ++s) time[s] = static_cast<double>(s + 1) * clock.dt_years;
  dataset(ts, "time_years", {S}, time, nullptr);
  const auto groups = published_groups(e.scenarios[k].params);
  const bool per_provider = e.scenarios[k].params.run.store_providers;
  ScenarioValues v = scenario_values(sr, S, per_provider ? groups : decltype(groups){});
  auto& vals = v.vals;
  auto& quint = v.quint;
  const auto& pop = v.pop;
  const auto& deaths = v.deaths;
  const auto& prov_vals = v.prov;
  Id bq(group(sg, "by_quintile"), H5Gclose, "");
  Id ba(group(sg, "by_age_sex"), H5Gclose, "");
  {
    std::vector<double> from(kAgeBandFrom, kAgeBandFrom + kAgeBands);
    dataset(ba, "age_band_from_years", {kAgeBands}, from, nullptr);
  }
  for (size_t k2 = 0; k2 < metrics.size(); ++k2) {
    const auto& m = metrics[k2];
    series_dataset(ts, m.name, {R, S}, vals[k2], &m, summary);
    if (m.by_quintile) series_dataset(bq, m.name, {R, S, 5}, quint[k2], &m, summary);
    if (m.by_age_sex) {
      MetricDef d = m;
      d.description += "; by sex (0 = male, 1 = female) and age band (age_band_from_years), dimensions [replicate, step, sex, band]";
      series_dataset(ba, m.name, {R, S, 2, A}, v.age_sex[k2], &d, summary);
    }
    std::vector<double>().swap(vals[k2]);
    std::vector<double>().swap(quint[k2]);
    std::vector<double>().swap(v.age_sex[k2]);
  }
  {
    Id dg(group(sg, "demography"), H5Gclose, "");
    std::vector<double> from(kAgeBandFrom, kAgeBandFrom + kAgeBands);
    dataset(dg, "age_band_from_years", {kAgeBands}, from, nullptr);
    for (const auto& [name, what, data] :
         {std::tuple<const char*, const char*, const std::vector<double>*>{
              "population_by_age_sex", "people alive at the end of the step", &pop},
          {"deaths_by_age_sex", "deaths in the step (age at death)", &deaths}}) {
      MetricDef d{name, "persons", std::string(name).starts_with("deaths") ? "flow" : "stock",
                  fmt::format("{} by sex (0 = male, 1 = female) and age band (age_band_from_years); "
                              "dimensions [replicate, step, sex, band]",
                              what),
                  false, {}};
      series_dataset(dg, name, {R, S, 2, A}, *data, &d, summary);
    }
    // By deprivation quintile too (life tables by quintile): split the combined array.
    const hsize_t QA = 2 * 5 * 2 * A, half = QA / 2;
    for (int row = 0; row < 2; ++row) {
      std::vector<double> out(R * S * half);
      for (hsize_t j = 0; j < R * S; ++j)
        for (hsize_t c = 0; c < half; ++c) out[j * half + c] = v.quintile_age[j * QA + static_cast<hsize_t>(row) * half + c];
      const char* name = row == 0 ? "population_by_quintile_age_sex" : "deaths_by_quintile_age_sex";
      MetricDef d{name, "persons", row == 0 ? "stock" : "flow",
                  fmt::format("{} by deprivation quintile (index 0 = quintile 1 = most deprived), sex (0 = male, "
                              "1 = female) and age band (age_band_from_years); dimensions [replicate, step, quintile, "
                              "sex, band]",
                              row == 0 ? "people alive at the end of the step" : "deaths in the step (age at death)"),
                  false, {}};
      series_dataset(dg, name, {R, S, 5, 2, A}, out, &d, summary);
    }
  }
  {
    // By cause: the health events in config order (the last cell holds every event from
    // the kCauses-th on, when there are more).
    const auto& events = e.scenarios[k].params.care.events;
    const hsize_t C = std::min(events.size(), kCauses);
    Id bc(group(sg, "by_cause"), H5Gclose, "");
    std::vector<std::string> names;
    std::vector<double> acsc;
    for (hsize_t c = 0; c < C; ++c) {
      names.push_back(c + 1 == kCauses && events.size() > kCauses ? "other events" : events[c].name);
      acsc.push_back(events[c].acsc ? 1.0 : 0.0);
    }
    string_dataset(bc, "cause", names, "the health event of each cause index (care: health_events, in config order)");
    MetricDef flag{"acsc", "flag", "constant", "1: an admission for this event is ambulatory-care-sensitive (the event's acsc)",
                   false, {}};
    dataset(bc, "acsc", {C}, acsc, &flag);
    for (size_t row = 0; row < kCauseRows; ++row) {
      const auto& [name, units, what] = cause_rows()[row];
      std::vector<double> out(R * S * C);
      const auto& all = v.cause[row];
      for (hsize_t j = 0; j < R * S; ++j)
        for (hsize_t c = 0; c < C; ++c) out[j * C + c] = all[j * kCauses + c];
      MetricDef d{name, units, "flow", std::string(what) + "; dimensions [replicate, step, cause]", false, {}};
      series_dataset(bc, name, {R, S, C}, out, &d, summary);
    }
  }
  std::map<std::string, std::unique_ptr<Id>> folders;
  for (size_t gi = 0; per_provider && gi < groups.size(); ++gi) {
    const auto& prov = groups[gi];
    auto& folder = folders[prov.folder];
    if (!folder) folder = std::make_unique<Id>(group(sg, prov.folder), H5Gclose, "");
    Id g(group(*folder, prov.id), H5Gclose, "");
    attr_string(g, "kind", prov.kind);
    for (size_t j = 0; j < prov.metrics->size(); ++j) {
      const auto& pm = (*prov.metrics)[j];
      MetricDef d{pm.name, pm.units, pm.kind, pm.description, false, {}};
      series_dataset(g, pm.name, {R, S}, prov_vals[gi][j], &d, summary);
    }
  }
}

// Rows mean, lower, upper of a set of series (each [S]) stacked as [3, n, S].
std::vector<double> stack(const std::vector<const ComparisonSeries*>& series) {
  std::vector<double> v;
  for (auto part : {&ComparisonSeries::mean, &ComparisonSeries::lower, &ComparisonSeries::upper})
    for (const ComparisonSeries* c : series) v.insert(v.end(), (c->*part).begin(), (c->*part).end());
  return v;
}

// per_step and cumulative datasets of one compared series (or of n series, [3, n, S]).
void write_paired(hid_t g, const std::vector<const ComparisonSeries*>& per_step, const std::vector<const ComparisonSeries*>& cumulative,
                  const std::string& units, const std::string& kind, const std::string& dims) {
  for (const auto& [name, series] : {std::pair<const char*, const std::vector<const ComparisonSeries*>*>{"per_step", &per_step},
                                     {"cumulative", &cumulative}}) {
    if (series->empty()) continue;
    const hsize_t n = series->size(), S = series->front()->mean.size();
    MetricDef d{name, units, kind,
                std::string("rows: mean, lower 95%, upper 95% of the paired difference") + dims + "; " +
                    (std::string(name) == "per_step" ? "in each step"
                     : kind == "flow"               ? "summed from the start to each step"
                                                    : "averaged from the start to each step"),
                false, {}};
    if (dims.empty()) dataset(g, name, {3, S}, stack(*series), &d);
    else dataset(g, name, {3, n, S}, stack(*series), &d);
  }
}

template <class T>
std::vector<const ComparisonSeries*> pointers(const std::vector<T>& v) {
  std::vector<const ComparisonSeries*> out;
  for (const auto& x : v) out.push_back(&x);
  return out;
}

// /comparisons: each scenario minus the baseline, paired by replicate: every metric (and
// by quintile), admissions, attendances and deaths by cause, and the finance ledgers.
void write_comparisons(hid_t file, const Experiment& e, const RunResult& r) {
  const auto& metrics = metric_definitions();
  Id cg(group(file, "comparisons"), H5Gclose, "");
  attr_string(cg, "baseline", r.scenarios.front().name);
  for (const auto& sc : compare(r, &e)) {
    Id sg(group(cg, sc.scenario), H5Gclose, "");
    for (size_t k = 0; k < sc.metrics.size(); ++k) {
      const auto& mc = sc.metrics[k];
      const MetricDef& m = metrics[k];
      Id mg(group(sg, mc.metric), H5Gclose, "");
      attr_string(mg, "units", m.units);
      attr_string(mg, "kind", m.kind);
      attr_string(mg, "description", "scenario minus baseline, paired by replicate: " + m.description);
      write_paired(mg, {&mc.per_step}, {&mc.cumulative}, m.units, m.kind, "");
      if (!mc.quintile_per_step.empty()) {
        Id qg(group(mg, "by_quintile"), H5Gclose, "");
        write_paired(qg, pointers(mc.quintile_per_step), pointers(mc.quintile_cumulative), m.units, m.kind,
                     " by deprivation quintile (index 0 = quintile 1 = most deprived); dimensions [row, quintile, step]");
      }
    }
    if (!sc.causes.empty()) {
      Id bc(group(sg, "by_cause"), H5Gclose, "");
      const auto& events = e.scenarios.front().params.care.events;
      std::vector<std::string> names;
      for (size_t c = 0; c < sc.causes.front().per_step.size(); ++c)
        names.push_back(c + 1 == kCauses && events.size() > kCauses ? "other events" : events[c].name);
      string_dataset(bc, "cause", names, "the health event of each cause index (care: health_events, in config order)");
      for (const auto& cc : sc.causes) {
        Id g(group(bc, cc.row), H5Gclose, "");
        write_paired(g, pointers(cc.per_step), pointers(cc.cumulative), cc.units, "flow",
                     " by cause (the health event, as in cause); dimensions [row, cause, step]");
      }
    }
    if (!sc.ledgers.empty() && e.scenarios.front().params.run.store_providers) {
      Id fg(group(sg, "finance"), H5Gclose, "");
      std::map<std::string, std::unique_ptr<Id>> gs;
      for (const auto& l : sc.ledgers) {
        auto& g = gs[l.group];
        if (!g) {
          g = std::make_unique<Id>(group(fg, l.group), H5Gclose, "");
          attr_string(*g, "kind", l.kind);
        }
        Id mg(group(*g, l.metric), H5Gclose, "");
        attr_string(mg, "units", l.units);
        attr_string(mg, "kind", "flow");
        write_paired(mg, {&l.per_step}, {&l.cumulative}, l.units, "flow", "");
      }
    }
  }
}

}  // namespace

std::vector<char> finish_image(hid_t file, const std::string& config_yaml);

// Parameter uncertainty: what each replicate drew.
void write_uncertainty(hid_t file, const Uncertainty& u) {
  Id g(group(file, "uncertainty"), H5Gclose, "");
  attr_string(g, "design", u.design);
  attr_string(g, "description", "parameter uncertainty (uncertainty: in the config): replicate r of every scenario ran "
                                "with row r of samples at these keys");
  std::vector<std::string> keys, dists, sources;
  for (const auto& p : u.params) {
    keys.push_back(p.key);
    dists.push_back(p.dist.describe());
    sources.push_back(p.source);
  }
  string_dataset(g, "parameter", keys, "dotted config keys drawn per replicate, in column order of samples");
  string_dataset(g, "distribution", dists, "each parameter's distribution");
  string_dataset(g, "source", sources, "each parameter's stated source");
  std::vector<double> v;
  for (const auto& row : u.samples) v.insert(v.end(), row.begin(), row.end());
  dataset(g, "samples", {u.samples.size(), u.params.size()}, v, nullptr);
}

// The results file's bytes.
std::vector<char> file_image(const Experiment& e, const RunResult& r, const std::vector<ValidationRow>* validation) {
  Id fapl(file_access(true), H5Pclose, "file access");
  Id file(H5Fcreate("hscsim-results-in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, "create file");
  write_root_attributes(file, e, r);
  {
    Id scenarios(group(file, "scenarios"), H5Gclose, "");
    for (size_t k = 0; k < r.scenarios.size(); ++k) write_scenario(scenarios, e, k, r.scenarios[k]);
  }
  if (r.scenarios.size() > 1) write_comparisons(file, e, r);
  if (validation) write_validation(file, *validation);
  if (!e.uncertainty.empty()) write_uncertainty(file, e.uncertainty);
  return finish_image(file, e.config_yaml);
}

// The bytes of a finished in-memory file, with its checksum stored.
std::vector<char> finish_image(hid_t file, const std::string& config_yaml) {
  check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush file");
  const Verify sum = checksum_of(file, config_yaml);
  if (!sum.listed || !sum.failed.empty()) throw RuntimeFailure("HDF5: cannot read the results back for the checksum");
  attr_string(file, "checksum", sum.sum.text());
  check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush file");
  const ssize_t n = H5Fget_file_image(file, nullptr, 0);
  if (n <= 0) throw RuntimeFailure("HDF5: cannot take the file image");
  std::vector<char> image(static_cast<size_t>(n));
  if (H5Fget_file_image(file, image.data(), image.size()) != n) throw RuntimeFailure("HDF5: cannot take the file image");
  return image;
}

}  // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path)), temp_(path_ + ".tmp") {
  const fs::path p(path_);
  if (path_.empty() || p.filename().empty())
    throw InputError(fmt::format("error: cannot write '{}': not a file name", path_));
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw InputError(fmt::format("error: cannot write '{}': folder '{}' does not exist", path_, dir.string()));
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError(fmt::format("error: cannot write '{}': no permission to write in '{}'", path_, dir.string()));
  if (::stat(path_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw InputError(fmt::format("error: cannot write '{}': it is a folder", path_));
    if (!S_ISREG(st.st_mode))
      throw InputError(fmt::format("error: cannot write '{}': it is {}; output goes only to a regular file "
                                   "(a new name, or an earlier file to replace)",
                                   path_, file_kind(st.st_mode)));
  } else if (errno != ENOENT) {
    throw InputError(fmt::format("error: cannot write '{}': {}", path_, std::strerror(errno)));
  }
  // Create and lock the temporary file; retry if another run renamed it away between
  // our open and our lock (then we hold a lock on a file that is no longer the temp).
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int fd = ::open(temp_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
      throw InputError(fmt::format("error: cannot write '{}': cannot create '{}': {}", path_, temp_, std::strerror(errno)));
    struct stat fs_ {};
    if (::fstat(fd, &fs_) != 0 || !S_ISREG(fs_.st_mode)) {
      ::close(fd);
      throw InputError(fmt::format("error: cannot write '{}': '{}' exists and is not a regular file", path_, temp_));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      throw InputError(fmt::format("error: cannot write '{}': another hscsim run is writing it (its temporary file "
                                   "'{}' is locked); wait for that run or choose another -o",
                                   path_, temp_));
    }
    struct stat now {};
    if (::stat(temp_.c_str(), &now) == 0 && now.st_ino == fs_.st_ino && now.st_dev == fs_.st_dev) {
      if (::ftruncate(fd, 0) != 0) {
        ::close(fd);
        throw InputError(fmt::format("error: cannot write '{}': {}", temp_, std::strerror(errno)));
      }
      fd_ = fd;
      slot_ = interrupt::register_temp_file(temp_);
      return;
    }
    ::close(fd);
  }
  throw InputError(fmt::format("error: cannot write '{}': its temporary file keeps changing (another run?)", path_));
}

OutputFile::OutputFile(OutputFile&& o) noexcept
    : path_(std::move(o.path_)), temp_(std::move(o.temp_)), fd_(o.fd_), slot_(o.slot_) {
  o.fd_ = -1;
  o.slot_ = -1;
}

void OutputFile::release() {
  interrupt::unregister_temp_file(slot_);
  slot_ = -1;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::unlink(temp_.c_str());  // not committed: we still hold the lock
  release();
}

void OutputFile::commit(bool despite_signal) {
  if (fd_ < 0) throw RuntimeFailure(fmt::format("'{}' was already written", path_));
  if (!despite_signal) interrupt::check();
  if (::fsync(fd_) != 0) throw RuntimeFailure(fmt::format("cannot write '{}': {}", temp_, std::strerror(errno)));
  if (!despite_signal) interrupt::check();
  if (::rename(temp_.c_str(), path_.c_str()) != 0)
    throw RuntimeFailure(fmt::format("cannot rename '{}' to '{}': {}", temp_, path_, std::strerror(errno)));
  release();
}

void OutputFile::write(const void* data, size_t n) {
  if (fd_ < 0) throw RuntimeFailure(fmt::format("'{}' was already written", path_));
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0)
    throw RuntimeFailure(fmt::format("cannot write '{}': {}", temp_, std::strerror(errno)));
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) {
      interrupt::check();
      continue;
    }
    if (w <= 0)
      throw RuntimeFailure(fmt::format("cannot write '{}': {}", temp_, w < 0 ? std::strerror(errno) : "no progress"));
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void write_text_file(OutputFile& out, const std::string& text) {
  out.write(text.data(), text.size());
  out.commit();
}

void write_results(OutputFile& out, const Experiment& e, const RunResult& r,
                   const std::vector<ValidationRow>* validation) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const std::vector<char> image = file_image(e, r, validation);
  out.write(image.data(), image.size());
  out.commit();
}

void write_sensitivity(OutputFile& out, const Experiment& e, const SensitivitySpec& spec, const SensitivityResult& r,
                       const std::string& params_yaml) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Id fapl(file_access(true), H5Pclose, "file access");
  Id file(H5Fcreate("hscsim-sensitivity-in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, "create file");
  RunResult facts;
  facts.threads = r.threads;
  facts.wall_seconds = r.wall_seconds;
  write_root_attributes(file, e, facts, kSensitivityFormatName);
  attr_string(file, "params_yaml", params_yaml);
  const size_t P = r.unit.size(), k = spec.params.size(), O = spec.outputs.size(), R = e.replicates;
  Id g(group(file, "sensitivity"), H5Gclose, "");
  attr_string(g, "method", spec.method);
  attr_scalar<int32_t>(g, "trajectories", spec.trajectories, H5T_NATIVE_INT32);
  attr_scalar<int32_t>(g, "levels", spec.levels, H5T_NATIVE_INT32);
  attr_scalar<int32_t>(g, "samples", spec.samples, H5T_NATIVE_INT32);
  attr_scalar<int32_t>(g, "bootstrap_resamples", spec.resamples, H5T_NATIVE_INT32);
  attr_scalar<uint64_t>(g, "runs", r.runs, H5T_NATIVE_UINT64);
  std::vector<std::string> keys;
  std::vector<double> lower, upper;
  for (const auto& p : spec.params) {
    keys.push_back(p.key);
    lower.push_back(p.lower);
    upper.push_back(p.upper);
  }
  string_dataset(g, "parameter", keys, "dotted config keys varied, in design column order");
  dataset(g, "parameter_lower", {k}, lower, nullptr);
  dataset(g, "parameter_upper", {k}, upper, nullptr);
  std::vector<std::string> names, metric, scenario, versus, units;
  for (const auto& o : spec.outputs) {
    names.push_back(o.name());
    metric.push_back(o.metric);
    scenario.push_back(o.scenario);
    versus.push_back(o.versus);
    units.push_back(o.units);
  }
  string_dataset(g, "output", names, "outputs analysed: metric (scenario) or metric (scenario - versus)");
  string_dataset(g, "output_metric", metric, "the metric of each output (output/README.md)");
  string_dataset(g, "output_scenario", scenario, "the scenario of each output");
  string_dataset(g, "output_versus", versus, "the scenario subtracted (empty: none)");
  string_dataset(g, "output_units", units, "units of each output (flows: total over the run; stocks, means: mean over steps)");
  auto flat = [](const design::Matrix& m) {
    std::vector<double> v;
    for (const auto& row : m) v.insert(v.end(), row.begin(), row.end());
    return v;
  };
  dataset(g, "design_unit", {P, k}, flat(r.unit), nullptr);
  dataset(g, "design", {P, k}, flat(r.values), nullptr);
  dataset(g, "y", {O, P}, flat(r.y), nullptr);
  std::vector<double> reps;
  for (const auto& o : r.replicate)
    for (const auto& p : o) reps.insert(reps.end(), p.begin(), p.end());
  dataset(g, "y_replicates", {O, P, R}, reps, nullptr);
  auto indices = [&](const char* name, auto get) {
    std::vector<double> v, lo, hi;
    for (size_t o = 0; o < O; ++o)
      for (size_t j = 0; j < k; ++j) {
        const design::Interval x = get(o, j);
        v.push_back(x.value);
        lo.push_back(x.lower);
        hi.push_back(x.upper);
      }
    dataset(g, name, {O, k}, v, nullptr);
    dataset(g, std::string(name) + "_lower", {O, k}, lo, nullptr);
    dataset(g, std::string(name) + "_upper", {O, k}, hi, nullptr);
  };
  if (spec.method == "morris") {
    indices("mu_star", [&](size_t o, size_t j) { return r.morris[o].mu_star[j]; });
    std::vector<double> mu, sigma;
    for (const auto& x : r.morris) {
      mu.insert(mu.end(), x.mu.begin(), x.mu.end());
      sigma.insert(sigma.end(), x.sigma.begin(), x.sigma.end());
    }
    dataset(g, "mu", {O, k}, mu, nullptr);
    dataset(g, "sigma", {O, k}, sigma, nullptr);
  } else {
    indices("first_order", [&](size_t o, size_t j) { return r.sobol[o].first[j]; });
    indices("total_order", [&](size_t o, size_t j) { return r.sobol[o].total[j]; });
    std::vector<double> var;
    for (const auto& x : r.sobol) var.push_back(x.variance);
    dataset(g, "variance", {O}, var, nullptr);
  }
  const std::vector<char> image = finish_image(file, e.config_yaml);
  out.write(image.data(), image.size());
  out.commit();
}

namespace {
// Opens a results file read-only after checking that it is one, of this schema version.
// `what` starts each message (the option or command reading it). Throws InputError.
hid_t open_results_file(const std::string& path, const std::string& what, const char* format = kFormatName) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw InputError(fmt::format("error: {}: file '{}' not found", what, path));
  if (!S_ISREG(st.st_mode))
    throw InputError(fmt::format("error: {}: '{}' is {}, not a results file", what, path, file_kind(st.st_mode)));
  if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(fmt::format("error: {}: '{}' is not an HDF5 file", what, path));
  Id fapl(file_access(false), H5Pclose, "file access");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
  if (f < 0) throw InputError(fmt::format("error: {}: '{}' is not a readable HDF5 file (damaged?)", what, path));
  Id file(f, H5Fclose, "open file");
  if (read_attr_string(file, "format") != format)
    throw InputError(fmt::format("error: {}: '{}' is not an hscsim {} file (no format = \"{}\")", what, path,
                                 format == kFormatName ? "results" : "part", format));
  if (H5Aexists(file, "schema_version") <= 0) throw InputError(fmt::format("error: {}: '{}' has no schema_version", what, path));
  int32_t version = 0;
  {
    Id attr(H5Aopen(file, "schema_version", H5P_DEFAULT), H5Aclose, "open schema_version");
    Id type(H5Aget_type(attr), H5Tclose, "read schema_version type");
    if (H5Tget_class(type) != H5T_INTEGER)
      throw InputError(fmt::format("error: {}: '{}': schema_version is not a whole number", what, path));
    check(H5Aread(attr, H5T_NATIVE_INT32, &version), "read schema_version");
  }
  if (version != kSchemaVersion)
    throw InputError(fmt::format("error: {}: '{}' has schema version {}; this hscsim reads version {}", what, path, version,
                                 kSchemaVersion));
  file.id = -1;  // handed to the caller
  return f;
}
}  // namespace

namespace {
// Recomputes an open file's checksum and compares it with the stored one (no checksum:
// returns false). Throws InputError naming the file if it does not match.
bool verify_checksum(hid_t file, const std::string& config_yaml, const std::string& path, const std::string& what) {
  const std::string stored = read_attr_string(file, "checksum");
  if (stored.empty()) return false;
  const Verify v = checksum_of(file, config_yaml);
  if (!v.listed) throw InputError(fmt::format("error: {}: '{}' is damaged: its contents cannot be listed", what, path));
  if (!v.failed.empty())
    throw InputError(fmt::format("error: {}: '{}' is damaged: dataset '{}' cannot be read", what, path, v.failed));
  if (v.sum.text() != stored)
    throw InputError(fmt::format("error: {}: '{}' is damaged or was changed: its config and results do not match the "
                                 "checksum stored when it was written ({} vs {})",
                                 what, path, v.sum.text(), stored));
  return true;
}
}  // namespace

StoredRun read_stored_run(const std::string& path, bool* verified) {
  try {
    Id file(open_results_file(path, "--from"), H5Fclose, "open file");
    StoredRun s;
    s.config_yaml = read_attr_string(file, "config_yaml");
    s.config_name = read_attr_string(file, "config_name");
    if (s.config_yaml.empty()) throw InputError(fmt::format("error: --from: '{}' holds no config_yaml", path));
    const bool ok = verify_checksum(file, s.config_yaml, path, "--from");
    if (verified) *verified = ok;
    return s;
  } catch (const RuntimeFailure& e) {
    throw InputError(fmt::format("error: --from: '{}' cannot be read as an hscsim results file: {}", path, e.what()));
  }
}

void write_part(OutputFile& out, const Experiment& e, const RunResult& r, const Part& part) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Id fapl(file_access(true), H5Pclose, "file access");
  Id file(H5Fcreate("hscsim-part-in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose, "create file");
  write_root_attributes(file, e, r, kPartFormatName);
  attr_scalar<uint32_t>(file, "part_index", part.index, H5T_NATIVE_UINT32);
  attr_scalar<uint32_t>(file, "part_count", part.count, H5T_NATIVE_UINT32);
  attr_scalar<uint64_t>(file, "person_steps", r.person_steps, H5T_NATIVE_UINT64);
  attr_string(file, "description", "part of a run (hscsim run --part): combine every part with hscsim merge");
  std::vector<size_t> reps;
  for (size_t k = 0; k < e.replicates; ++k)
    if (part.has(k)) reps.push_back(k);
  const std::vector<uint8_t> bytes = pack_results(r, reps);
  const hsize_t n = bytes.size();
  Id space(H5Screate_simple(1, &n, nullptr), H5Sclose, "create data space");
  Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create property list");
  if (n > 0) check(H5Pset_chunk(dcpl, 1, &n), "set chunking");
  Id ds(H5Dcreate2(file, "results", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose, "create dataset");
  if (n > 0) check(H5Dwrite(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()), "write dataset");
  attr_string(ds, "description", "the part's replicates as the program holds them (compressed counts; this build's layout)");
  const std::vector<char> image = finish_image(file, e.config_yaml);
  out.write(image.data(), image.size());
  out.commit();
}

Merged merge_parts(const std::vector<PartFile>& parts) {
  if (parts.empty()) throw InputError("error: merge: give the part files of one run");
  const PartFile& first = parts.front();
  const uint32_t count = first.part.count;
  std::vector<const PartFile*> by_index(count, nullptr);
  for (const auto& p : parts) {
    if (p.config_yaml != first.config_yaml)
      throw InputError(fmt::format("error: merge: '{}' and '{}' are parts of different runs (their configs differ)",
                                   first.path, p.path));
    if (p.version != first.version)
      throw InputError(fmt::format("error: merge: '{}' was written by hscsim {}, '{}' by {}; parts must come from one "
                                   "build", first.path, first.version, p.path, p.version));
    if (p.part.count != count || p.part.index >= count)
      throw InputError(fmt::format("error: merge: '{}' is part {} of {}, '{}' part {} of {}", first.path,
                                   first.part.index, count, p.path, p.part.index, p.part.count));
    if (by_index[p.part.index])
      throw InputError(fmt::format("error: merge: '{}' and '{}' are both part {} of {}", by_index[p.part.index]->path,
                                   p.path, p.part.index, count));
    by_index[p.part.index] = &p;
  }
  std::vector<std::string> missing;
  for (uint32_t k = 0; k < count; ++k)
    if (!by_index[k]) missing.push_back(std::to_string(k));
  if (!missing.empty())
    throw InputError(fmt::format("error: merge: part(s) {} of {} missing (run them with --part K/{})",
                                 fmt::join(missing, ", "), count, count));
  Merged m{Experiment::from_config(config::parse(first.config_yaml, first.path + ":config_yaml"), first.config_name), {}};
  m.r = empty_result(m.e);
  m.r.threads = first.threads;
  for (const PartFile* p : by_index) {
    try {
      unpack_results(m.r, p->bytes);
    } catch (const std::runtime_error& e) {
      throw InputError(fmt::format("error: merge: '{}': {}", p->path, e.what()));
    }
    m.r.person_steps += p->person_steps;
    m.r.wall_seconds = std::max(m.r.wall_seconds, p->wall_seconds);
  }
  return m;
}

PartFile read_part(const std::string& path) {
  try {
    Id file(open_results_file(path, "merge", kPartFormatName), H5Fclose, "open file");
    PartFile p;
    p.path = path;
    p.config_yaml = read_attr_string(file, "config_yaml");
    p.config_name = read_attr_string(file, "config_name");
    p.version = read_attr_string(file, "hscsim_version") + " " + read_attr_string(file, "git_commit");
    if (!verify_checksum(file, p.config_yaml, path, "merge"))
      throw InputError(fmt::format("error: merge: '{}' has no checksum", path));
    auto scalar = [&](const char* name, hid_t type, void* out) {
      Id attr(H5Aopen(file, name, H5P_DEFAULT), H5Aclose, name);
      check(H5Aread(attr, type, out), name);
    };
    scalar("part_index", H5T_NATIVE_UINT32, &p.part.index);
    scalar("part_count", H5T_NATIVE_UINT32, &p.part.count);
    scalar("person_steps", H5T_NATIVE_UINT64, &p.person_steps);
    scalar("wall_seconds", H5T_NATIVE_DOUBLE, &p.wall_seconds);
    scalar("threads", H5T_NATIVE_INT32, &p.threads);
    Id ds(H5Dopen2(file, "results", H5P_DEFAULT), H5Dclose, "open results");
    Id space(H5Dget_space(ds), H5Sclose, "read data space");
    p.bytes.resize(static_cast<size_t>(H5Sget_simple_extent_npoints(space)));
    if (!p.bytes.empty()) check(H5Dread(ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.bytes.data()), "read results");
    return p;
  } catch (const RuntimeFailure& e) {
    throw InputError(fmt::format("error: merge: '{}' cannot be read as an hscsim part file: {}", path, e.what()));
  }
}

}  // namespace hscsim

// ---- hscsim export: the results file as tidy CSV files ---------------------------------
namespace hscsim {
namespace {

std::vector<std::string> members(hid_t g) {
  std::vector<std::string> names;
  auto add = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  check(H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, nullptr, add, &names), "list a group");
  return names;
}

bool exists(hid_t loc, const std::string& name) { return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0; }

// A numeric dataset as doubles, with its dimensions.
std::vector<double> read_doubles(hid_t parent, const std::string& name, std::vector<hsize_t>& dims) {
  Id ds(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset");
  Id space(H5Dget_space(ds), H5Sclose, "read data space");
  const int rank = H5Sget_simple_extent_ndims(space);
  dims.assign(static_cast<size_t>(std::max(rank, 0)), 0);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  size_t n = 1;
  for (hsize_t d : dims) n *= d;
  std::vector<double> v(n);
  check(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "read dataset");
  return v;
}

bool is_string_dataset(hid_t parent, const std::string& name) {
  Id ds(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset");
  Id type(H5Dget_type(ds), H5Tclose, "read dataset type");
  return H5Tget_class(type) == H5T_STRING;
}

std::vector<std::string> read_strings(hid_t parent, const std::string& name) {
  Id ds(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset");
  Id space(H5Dget_space(ds), H5Sclose, "read data space");
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  Id mem(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  check(H5Tset_size(mem, H5T_VARIABLE), "set string size");
  std::vector<char*> p(n, nullptr);
  check(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), "read strings");
  std::vector<std::string> out;
  for (char* c : p) out.emplace_back(c ? c : "");
  H5Dvlen_reclaim(mem, space, H5P_DEFAULT, p.data());
  return out;
}

// Calendar year at the end of each step of a scenario (its start_year + time_years).
std::vector<double> calendar_years(hid_t scenario) {
  double start = 0;
  if (H5Aexists(scenario, "start_year") > 0) {
    Id a(H5Aopen(scenario, "start_year", H5P_DEFAULT), H5Aclose, "open start_year");
    check(H5Aread(a, H5T_NATIVE_DOUBLE, &start), "read start_year");
  }
  Id tg(H5Gopen2(scenario, "timeseries", H5P_DEFAULT), H5Gclose, "open timeseries");
  std::vector<hsize_t> d;
  std::vector<double> t = read_doubles(tg, "time_years", d);
  for (double& x : t) x += start;
  return t;
}

// A CSV field: quoted when it holds a comma, a quote or a line break.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
std::string number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }

}  // namespace

std::vector<std::string> export_csv(const std::string& path, const std::string& dir, bool force) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw InputError(fmt::format("error: export --csv: folder '{}' does not exist (create it first)", dir));
  Id file(open_results_file(path, "export"), H5Fclose, "open file");
  // The files, built in memory, then each written to a temporary name and renamed.
  std::vector<std::pair<std::string, std::string>> files;
  std::string metric_table;
  try {
    Id scen(H5Gopen2(file, "scenarios", H5P_DEFAULT), H5Gclose, "open /scenarios");
    const auto scenarios = members(scen);
    // A summary file (run.store: summary) has rows of statistics where others have replicates.
    const bool summary = read_attr_string(file, "store") == "summary";
    const auto row = [&](hsize_t r) { return summary ? (r < kSummaryRows.size() ? kSummaryRows[r] : "?") : std::to_string(r); };
    const std::string rows = summary ? "statistic" : "replicate";
    std::string ts = "scenario," + rows + ",step,year,metric,value\n", bq = "scenario," + rows + ",step,year,quintile,metric,value\n",
                pv = "scenario,folder,id,kind," + rows + ",step,year,metric,units,value\n";
    for (const auto& s : scenarios) {
      Id sg(H5Gopen2(scen, s.c_str(), H5P_DEFAULT), H5Gclose, "open a scenario");
      const std::vector<double> years = calendar_years(sg);
      Id tg(H5Gopen2(sg, "timeseries", H5P_DEFAULT), H5Gclose, "open timeseries");
      std::vector<hsize_t> d;
      auto year = [&](size_t step) { return number(years[step]); };
      for (const auto& m : members(tg)) {
        if (m == "time_years") continue;
        const auto v = read_doubles(tg, m, d);
        if (metric_table.empty() || s == scenarios.front()) {
          Id ds(H5Dopen2(tg, m.c_str(), H5P_DEFAULT), H5Dclose, "open dataset");
          if (s == scenarios.front())
            metric_table += fmt::format("  {:<44} {:<16} {:<6} {}\n", m, read_attr_string(ds, "units"), read_attr_string(ds, "kind"),
                                        read_attr_string(ds, "description"));
        }
        for (hsize_t r = 0; r < d[0]; ++r)
          for (hsize_t k = 0; k < d[1]; ++k)
            ts += fmt::format("{},{},{},{},{},{}\n", field(s), row(r), k, year(k), m, number(v[r * d[1] + k]));
      }
      if (exists(sg, "by_quintile")) {
        Id qg(H5Gopen2(sg, "by_quintile", H5P_DEFAULT), H5Gclose, "open by_quintile");
        for (const auto& m : members(qg)) {
          const auto v = read_doubles(qg, m, d);
          for (hsize_t r = 0; r < d[0]; ++r)
            for (hsize_t k = 0; k < d[1]; ++k)
              for (hsize_t q = 0; q < d[2]; ++q)
                bq += fmt::format("{},{},{},{},{},{},{}\n", field(s), row(r), k, year(k), q + 1, m, number(v[(r * d[1] + k) * d[2] + q]));
        }
      }
      for (const char* folder : {"providers", "interventions", "finance"}) {
        if (!exists(sg, folder)) continue;
        Id fg(H5Gopen2(sg, folder, H5P_DEFAULT), H5Gclose, "open a folder");
        for (const auto& id : members(fg)) {
          Id pg(H5Gopen2(fg, id.c_str(), H5P_DEFAULT), H5Gclose, "open a provider");
          const std::string kind = read_attr_string(pg, "kind");
          for (const auto& m : members(pg)) {
            const auto v = read_doubles(pg, m, d);
            Id ds(H5Dopen2(pg, m.c_str(), H5P_DEFAULT), H5Dclose, "open dataset");
            const std::string units = read_attr_string(ds, "units");
            for (hsize_t r = 0; r < d[0]; ++r)
              for (hsize_t k = 0; k < d[1]; ++k)
                pv += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", field(s), folder, field(id), kind, row(r), k, year(k), m,
                                  field(units), number(v[r * d[1] + k]));
          }
        }
      }
    }
    files.emplace_back("timeseries.csv", std::move(ts));
    files.emplace_back("by_quintile.csv", std::move(bq));
    files.emplace_back("providers.csv", std::move(pv));
    if (exists(file, "comparisons")) {
      Id cg(H5Gopen2(file, "comparisons", H5P_DEFAULT), H5Gclose, "open /comparisons");
      std::string c = "scenario,metric,accumulation,step,year,mean,lower,upper\n",
                  cq = "scenario,metric,accumulation,quintile,step,year,mean,lower,upper\n",
                  cc = "scenario,metric,cause,accumulation,step,year,mean,lower,upper\n",
                  cf = "scenario,id,kind,metric,accumulation,step,year,mean,lower,upper\n";
      for (const auto& s : members(cg)) {
        Id sg(H5Gopen2(cg, s.c_str(), H5P_DEFAULT), H5Gclose, "open a comparison");
        Id scenario_group(H5Gopen2(scen, s.c_str(), H5P_DEFAULT), H5Gclose, "open a scenario");
        const std::vector<double> years = calendar_years(scenario_group);
        std::vector<hsize_t> d;
        // Rows of series j of a [3, n, S] comparison: `before`, the accumulation, `after`,
        // then step, year, mean, lower, upper.
        auto rows = [&](std::string& out, const std::string& before, const char* acc, const std::string& after,
                        const std::vector<double>& v, size_t n, size_t j, size_t S) {
          for (size_t k = 0; k < S; ++k)
            out += fmt::format("{},{}{},{},{},{},{},{}\n", before, acc, after, k, number(years[k]), number(v[(0 * n + j) * S + k]),
                               number(v[(1 * n + j) * S + k]), number(v[(2 * n + j) * S + k]));
        };
        for (const auto& m : members(sg)) {
          if (m == "by_cause" || m == "finance") continue;
          Id mg(H5Gopen2(sg, m.c_str(), H5P_DEFAULT), H5Gclose, "open a compared metric");
          for (const char* acc : {"per_step", "cumulative"}) {
            const auto v = read_doubles(mg, acc, d);
            rows(c, field(s) + "," + m, acc, "", v, 1, 0, d[1]);
            if (exists(mg, "by_quintile")) {
              Id qg(H5Gopen2(mg, "by_quintile", H5P_DEFAULT), H5Gclose, "open by_quintile");
              const auto w = read_doubles(qg, acc, d);
              for (size_t q = 0; q < d[1]; ++q) rows(cq, field(s) + "," + m, acc, "," + std::to_string(q + 1), w, d[1], q, d[2]);
            }
          }
        }
        if (exists(sg, "by_cause")) {
          Id bg(H5Gopen2(sg, "by_cause", H5P_DEFAULT), H5Gclose, "open by_cause");
          const auto causes = read_strings(bg, "cause");
          for (const auto& row : members(bg)) {
            if (row == "cause" || row == "acsc") continue;
            Id rg(H5Gopen2(bg, row.c_str(), H5P_DEFAULT), H5Gclose, "open a cause row");
            for (const char* acc : {"per_step", "cumulative"}) {
              const auto v = read_doubles(rg, acc, d);
              for (size_t j = 0; j < d[1] && j < causes.size(); ++j)
                rows(cc, field(s) + "," + row + "," + field(causes[j]), acc, "", v, d[1], j, d[2]);
            }
          }
        }
        if (exists(sg, "finance")) {
          Id fg(H5Gopen2(sg, "finance", H5P_DEFAULT), H5Gclose, "open finance");
          for (const auto& id : members(fg)) {
            Id lg(H5Gopen2(fg, id.c_str(), H5P_DEFAULT), H5Gclose, "open a ledger");
            const std::string kind = read_attr_string(lg, "kind");
            for (const auto& m : members(lg)) {
              Id mg(H5Gopen2(lg, m.c_str(), H5P_DEFAULT), H5Gclose, "open a ledger metric");
              for (const char* acc : {"per_step", "cumulative"}) {
                const auto v = read_doubles(mg, acc, d);
                rows(cf, field(s) + "," + field(id) + "," + kind + "," + m, acc, "", v, 1, 0, d[1]);
              }
            }
          }
        }
      }
      files.emplace_back("comparisons.csv", std::move(c));
      files.emplace_back("comparisons_by_quintile.csv", std::move(cq));
      files.emplace_back("comparisons_by_cause.csv", std::move(cc));
      files.emplace_back("comparisons_finance.csv", std::move(cf));
    }
    if (exists(file, "validation")) {
      Id vg(H5Gopen2(file, "validation", H5P_DEFAULT), H5Gclose, "open /validation");
      std::vector<std::pair<std::string, std::vector<std::string>>> cols;
      for (const auto& name : members(vg)) {
        std::vector<hsize_t> d;
        if (is_string_dataset(vg, name)) {
          cols.emplace_back(name, read_strings(vg, name));
        } else {
          const auto v = read_doubles(vg, name, d);
          if (d.size() != 1) continue;
          std::vector<std::string> text;
          for (double x : v) text.push_back(number(x));
          cols.emplace_back(name, std::move(text));
        }
      }
      std::string out;
      for (size_t j = 0; j < cols.size(); ++j) out += (j ? "," : "") + cols[j].first;
      out += "\n";
      const size_t n = cols.empty() ? 0 : cols.front().second.size();
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < cols.size(); ++j) out += (j ? "," : "") + (i < cols[j].second.size() ? field(cols[j].second[i]) : "");
        out += "\n";
      }
      files.emplace_back("validation.csv", std::move(out));
    }
    if (exists(file, "uncertainty")) {  // parameter uncertainty: each replicate's draws
      Id ug(H5Gopen2(file, "uncertainty", H5P_DEFAULT), H5Gclose, "open /uncertainty");
      const auto keys = read_strings(ug, "parameter");
      const auto dists = read_strings(ug, "distribution");
      std::vector<hsize_t> d;
      const auto v = read_doubles(ug, "samples", d);
      std::string out = "replicate,parameter,distribution,value\n";
      if (d.size() == 2 && d[1] == keys.size())
        for (size_t r = 0; r < d[0]; ++r)
          for (size_t j = 0; j < d[1]; ++j)
            out += fmt::format("{},{},{},{}\n", r, field(keys[j]), field(j < dists.size() ? dists[j] : ""),
                               number(v[r * d[1] + j]));
      files.emplace_back("uncertainty.csv", std::move(out));
    }
  } catch (const RuntimeFailure& e) {
    throw InputError(fmt::format("error: export: '{}' cannot be read as an hscsim results file: {}", path, e.what()));
  }
  std::string readme = fmt::format(
      "hscsim export of {} (hscsim {}, results schema {}).\n"
      "One tidy CSV per group of the results file (output/README.md describes the file). Every row is one value.\n\n"
      "timeseries.csv           scenario, replicate, step, year, metric, value (a file with run.store: summary has\n"
      "                         statistic in place of replicate: mean, sd, q025, q25, median, q75, q975)\n"
      "by_quintile.csv          scenario, replicate, step, year, quintile (1 = most deprived), metric, value\n"
      "providers.csv            scenario, folder (providers | interventions | finance), id, kind, replicate, step, year,\n"
      "                         metric, units, value\n"
      "comparisons*.csv         scenario minus the baseline, paired by replicate: mean, lower, upper (95% t-interval over\n"
      "                         replicates); accumulation per_step (each step) or cumulative (flows summed, stocks and\n"
      "                         means averaged from the start); by quintile, by cause (the health event), and the ledgers\n"
      "validation.csv           the validation table (hscsim validate), when present\n"
      "uncertainty.csv          replicate, parameter, distribution, value: what each replicate drew (uncertainty:),\n"
      "                         when present\n\n"
      "year: calendar time at the end of the step. Money in GBP at 2023/24 prices. Empty value: not a number.\n\n"
      "Metrics (units, kind: flow = in the step, stock = at the end of the step, mean = a ratio or average):\n{}",
      path, build_info::version(), kSchemaVersion, metric_table);
  files.emplace_back("README.txt", std::move(readme));
  std::vector<std::string> written;
  std::vector<OutputFile> outs;
  for (const auto& [name, text] : files) {
    const std::string target = (fs::path(dir) / name).string();
    if (!force && fs::exists(target))
      throw InputError(fmt::format("error: export: '{}' exists; give --force to replace it, or another folder", target));
    outs.emplace_back(target);
  }
  for (size_t k = 0; k < files.size(); ++k) {
    outs[k].write(files[k].second.data(), files[k].second.size());
    outs[k].commit();
    written.push_back(outs[k].path());
  }
  return written;
}

}  // namespace hscsim
