#include "agents/states/states.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <fmt/format.h>

namespace hscsim {
namespace {

using config::AgeTable;
using config::Reader;

const std::vector<std::string> kSexColumns = {"male", "female"};
const std::vector<std::string> kAlcoholLevels = {"low", "increasing", "dependent"};
const std::vector<std::string> kFrailtyLevels = {"fit", "mild", "moderate", "severe"};

// Position of a risk factor in the order the initial population is drawn.
// Tenure and sex come first; states follow kStateInfo; alcohol after smoking; frailty last.
double draw_position(int factor) {
  if (factor < kStateCount) return factor;
  switch (static_cast<DerivedFactor>(factor - kStateCount)) {
    case DerivedFactor::SocialRenter:
    case DerivedFactor::PrivateRenter:
    case DerivedFactor::Female: return -1;
    case DerivedFactor::AlcoholIncreasing:
    case DerivedFactor::AlcoholDependent: return static_cast<int>(State::Smoker) + 0.5;
    default: return kStateCount + 1;  // frailty
  }
}

std::string drawing_order() {
  std::string s = "sex and tenure";
  for (int k = 0; k < kStateCount; ++k) {
    s += fmt::format(", {}", kStateInfo[static_cast<size_t>(k)].name);
    if (k == static_cast<int>(State::Smoker)) s += ", alcohol";
  }
  return s + ", frailty";
}

void check_draw_order(const Reader& r, const RelativeRisks& rr, double position, std::string_view what) {
  for (const auto& [f, v] : rr.factors) {
    (void)v;
    if (draw_position(f) >= position) {
      const auto& rr_node = *r.node().find("rr");
      const auto* n = rr_node.find(factor_name(f));
      throw ConfigError(fmt::format(
          "{}: error: {}.rr.{}: '{}' cannot be a relative risk for '{}': it is drawn after '{}' when the "
          "population is built (order: {})",
          n->origin.describe(), r.path(), factor_name(f), factor_name(f), what, what, drawing_order()));
    }
  }
}

BinaryStateParams read_binary(Reader r, int s) {
  BinaryStateParams p;
  p.prevalence = r.age_table("prevalence", kSexColumns, config::probability());
  p.onset_per_year = r.age_table("onset_per_year", kSexColumns, config::non_negative());
  p.recovery_per_year = r.real("recovery_per_year", config::non_negative(), 0.0);
  p.rr = RelativeRisks::read(r);
  p.normalise_rr = r.boolean("normalise_rr", true);
  const auto& info = kStateInfo[static_cast<size_t>(s)];
  p.requires_state = info.requires_.empty() ? -1 : factor_index(info.requires_);
  check_draw_order(r, p.rr, s, info.name);
  r.finish();
  return p;
}

OrdinalParams read_ordinal(Reader r, const std::vector<std::string>& levels, double position, std::string_view what) {
  OrdinalParams p;
  p.levels = levels;
  std::vector<std::string> cols;
  for (size_t l = 1; l < levels.size(); ++l) {
    cols.push_back(levels[l] + "_male");
    cols.push_back(levels[l] + "_female");
  }
  p.initial = r.age_table("initial_shares", cols, config::probability(), false);
  for (size_t row = 0; row < p.initial.rows(); ++row)
    for (int sex = 0; sex < 2; ++sex) {
      double sum = 0;
      for (size_t l = 1; l < levels.size(); ++l) sum += p.initial.values[2 * (l - 1) + static_cast<size_t>(sex)][row];
      if (sum > 1.0 + 1e-9)
        throw r.error(r.node().find("initial_shares")->seq[row], fmt::format("{}.initial_shares[{}]", r.path(), row),
                      fmt::format("the {} shares of levels above '{}' sum to {:.6g}; they must sum to at most 1",
                                  kSexColumns[static_cast<size_t>(sex)], levels[0], sum));
    }
  Reader up = r.child("up_per_year");
  for (size_t l = 0; l + 1 < levels.size(); ++l)
    p.up_per_year.push_back(up.age_table(levels[l], kSexColumns, config::non_negative()));
  up.finish();
  p.down_per_year.assign(levels.size(), 0.0);
  if (auto down = r.optional_child("down_per_year")) {
    for (size_t l = 1; l < levels.size(); ++l) p.down_per_year[l] = down->real(levels[l], config::non_negative(), 0.0);
    down->finish();
  }
  p.rr = RelativeRisks::read(r);
  check_draw_order(r, p.rr, position, what);
  r.finish();
  return p;
}

// Fixed-point stratum means of a multiplier over the people selected by `include`.
template <typename Include, typename Stratum>
StratumMeans stratum_means(const People& people, const RelativeRisks& rr, size_t rows, Include include, Stratum stratum) {
  StratumMeans init(rows);
  StratumMeans out = tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, people.size(), 4096), init,
      [&](const tbb::blocked_range<size_t>& range, StratumMeans acc) {
        for (size_t i = range.begin(); i != range.end(); ++i)
          if (people.alive(i) && include(i)) acc.add(stratum(i), rr.multiplier(people.factors(i), people.quintile[i]));
        return acc;
      },
      [](StratumMeans a, const StratumMeans& b) {
        a.merge(b);
        return a;
      });
  out.finalise();
  return out;
}

}  // namespace

StateParams StateParams::read(Reader& root) {
  StateParams p;
  Reader det = root.child("determinants");
  Reader cond = root.child("conditions");
  for (int s = 0; s < kStateCount; ++s) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    Reader& section = info.group == StateGroup::Condition ? cond : det;
    p.binary[static_cast<size_t>(s)] = read_binary(section.child(info.name), s);
  }
  p.alcohol = read_ordinal(det.child("alcohol"), kAlcoholLevels, static_cast<int>(State::Smoker) + 0.5, "alcohol");
  det.finish();
  cond.finish();
  p.frailty = read_ordinal(root.child("frailty"), kFrailtyLevels, kStateCount + 1, "frailty");
  return p;
}

void StateModel::draw_binary(People& p, size_t i, int s, double u, int32_t day) const {
  const auto& bp = p_.binary[static_cast<size_t>(s)];
  if (bp.requires_state >= 0 && !(p.states[i] & (uint32_t{1} << bp.requires_state))) return;
  const size_t row = bp.prevalence.row(p.age_years(i, day));
  const uint8_t sex = p.sex[i];
  double prev = bp.prevalence.values[sex][row];
  if (prev > 0 && !bp.rr.trivial()) {
    double m = bp.rr.multiplier(p.factors(i), p.quintile[i]);
    if (bp.normalise_rr) m /= prevalence_means_[static_cast<size_t>(s)].mean(StratumMeans::index(row, sex));
    prev *= m;
  }
  if (u < prev) p.states[i] |= uint32_t{1} << s;
}

void StateModel::draw_ordinal(People& p, size_t i, bool alcohol, double u, int32_t day) const {
  const OrdinalParams& op = alcohol ? p_.alcohol : p_.frailty;
  const StratumMeans& means = alcohol ? alcohol_means_ : frailty_means_;
  const size_t row = op.initial.row(p.age_years(i, day));
  const uint8_t sex = p.sex[i];
  const size_t L = op.levels.size();
  double m = 1.0;
  if (!op.rr.trivial()) m = op.rr.multiplier(p.factors(i), p.quintile[i]) / means.mean(StratumMeans::index(row, sex));
  double shares[4] = {0, 0, 0, 0}, sum = 0;
  for (size_t l = 1; l < L; ++l) sum += shares[l] = op.initial.values[2 * (l - 1) + sex][row] * m;
  const double scale = sum > 1.0 ? 1.0 / sum : 1.0;
  uint8_t level = 0;
  double cum = 0;
  for (size_t l = 1; l < L; ++l) {
    cum += shares[l] * scale;
    if (u < cum) {
      level = static_cast<uint8_t>(l);
      break;
    }
  }
  (alcohol ? p.alcohol : p.frailty)[i] = level;
}

void StateModel::initialise(People& people, const Streams& streams, int32_t day) {
  const size_t n = people.size();
  auto for_all = [&](auto&& body) {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 2048), [&](const tbb::blocked_range<size_t>& r) {
      for (size_t i = r.begin(); i != r.end(); ++i) body(i);
    });
  };
  auto ordinal_stage = [&](bool alcohol) {
    const OrdinalParams& op = alcohol ? p_.alcohol : p_.frailty;
    StratumMeans& means = alcohol ? alcohol_means_ : frailty_means_;
    if (!op.rr.trivial())
      means = stratum_means(people, op.rr, op.initial.rows(), [](size_t) { return true; },
                            [&](size_t i) { return StratumMeans::index(op.initial.row(people.age_years(i, day)), people.sex[i]); });
    for_all([&](size_t i) {
      draw_ordinal(people, i, alcohol, streams.block(people.id[i], kInitStep, Purpose::InitOrdinal)[alcohol ? 0 : 1], day);
    });
  };
  for (int s = 0; s < kStateCount; ++s) {
    const auto& bp = p_.binary[static_cast<size_t>(s)];
    if (!bp.rr.trivial() && bp.normalise_rr)
      prevalence_means_[static_cast<size_t>(s)] = stratum_means(
          people, bp.rr, bp.prevalence.rows(),
          [&](size_t i) { return bp.requires_state < 0 || (people.states[i] & (uint32_t{1} << bp.requires_state)); },
          [&](size_t i) { return StratumMeans::index(bp.prevalence.row(people.age_years(i, day)), people.sex[i]); });
    for_all([&](size_t i) {
      draw_binary(people, i, s, streams.block(people.id[i], kInitStep, Purpose::InitState, static_cast<uint16_t>(s >> 2))[s & 3], day);
    });
    if (s == static_cast<int>(State::Smoker)) ordinal_stage(true);
  }
  ordinal_stage(false);

  // Onset normalisers: mean multiplier among those at risk in the initial population.
  for (int s = 0; s < kStateCount; ++s) {
    const auto& bp = p_.binary[static_cast<size_t>(s)];
    if (bp.rr.trivial() || !bp.normalise_rr) continue;
    onset_means_[static_cast<size_t>(s)] = stratum_means(
        people, bp.rr, bp.onset_per_year.rows(),
        [&](size_t i) {
          return !(people.states[i] & (uint32_t{1} << s)) &&
                 (bp.requires_state < 0 || (people.states[i] & (uint32_t{1} << bp.requires_state)));
        },
        [&](size_t i) { return StratumMeans::index(bp.onset_per_year.row(people.age_years(i, day)), people.sex[i]); });
  }
}

void StateModel::initialise_one(People& people, size_t i, const Streams& streams, int32_t day, bool keep_housing) const {
  const uint64_t id = people.id[i];
  if (!keep_housing) people.states[i] = 0;
  else people.states[i] &= bit(State::Overcrowded) | bit(State::DampHome) | bit(State::ColdHome) | bit(State::InsecureHousing);
  LazyDraws<(kStateCount + 3) / 4> u(streams, id, kInitStep, Purpose::InitState);
  for (int s = 0; s < kStateCount; ++s) {
    if (!(keep_housing && kStateInfo[static_cast<size_t>(s)].group == StateGroup::Housing)) draw_binary(people, i, s, u[s], day);
    if (s == static_cast<int>(State::Smoker))
      draw_ordinal(people, i, true, streams.block(id, kInitStep, Purpose::InitOrdinal)[0], day);
  }
  draw_ordinal(people, i, false, streams.block(id, kInitStep, Purpose::InitOrdinal)[1], day);
}

void StateModel::step_binary(People& p, size_t i, int s, double u, int age, double dt, uint64_t& f) const {
  const auto& bp = p_.binary[static_cast<size_t>(s)];
  const uint32_t b = uint32_t{1} << s;
  if (bp.requires_state >= 0 && !(p.states[i] & (uint32_t{1} << bp.requires_state))) {
    if (p.states[i] & b) {
      p.states[i] &= ~b;
      f &= ~uint64_t{b};
    }
    return;
  }
  if (p.states[i] & b) {
    if (bp.recovery_per_year > 0 && u < step_probability(bp.recovery_per_year * dt)) {
      p.states[i] &= ~b;
      f &= ~uint64_t{b};
    }
    return;
  }
  const uint8_t sex = p.sex[i];
  const size_t row = bp.onset_per_year.row(age);
  double h = bp.onset_per_year.values[sex][row];
  if (h <= 0) return;
  if (!bp.rr.trivial()) {
    h *= bp.rr.multiplier(f, p.quintile[i]);
    if (bp.normalise_rr) h /= onset_means_[static_cast<size_t>(s)].mean(StratumMeans::index(row, sex));
  }
  if (u < step_probability(h * dt)) {
    p.states[i] |= b;
    f |= b;
  }
}

void StateModel::step_ordinal(People& p, size_t i, bool alcohol, double u, int age, double dt, uint64_t f) const {
  const OrdinalParams& op = alcohol ? p_.alcohol : p_.frailty;
  uint8_t& level = (alcohol ? p.alcohol : p.frailty)[i];
  const uint8_t sex = p.sex[i];
  const size_t top = op.levels.size() - 1;
  double p_up = 0, p_down = 0;
  if (level < top) {
    double h = op.up_per_year[level].values[sex][op.up_per_year[level].row(age)];
    if (h > 0 && !op.rr.trivial()) {
      const StratumMeans& means = alcohol ? alcohol_means_ : frailty_means_;
      h *= op.rr.multiplier(f, p.quintile[i]) / means.mean(StratumMeans::index(op.initial.row(age), sex));
    }
    p_up = step_probability(h * dt);
  }
  if (level > 0) p_down = step_probability(op.down_per_year[level] * dt);
  if (u < p_up) ++level;
  else if (u > 1.0 - p_down) --level;
}

void StateModel::step_determinants(People& p, size_t begin, size_t end, const Streams& s, uint32_t step, int32_t day,
                                   double dt) const {
  for (size_t i = begin; i != end; ++i) {
    if (!p.alive(i)) continue;
    const int age = p.age_years(i, day);
    uint64_t f = p.factors(i);
    LazyDraws<(kStateCount + 3) / 4> u(s, p.id[i], step, Purpose::StateTransition);
    for (int k = 0; k < kStateCount; ++k)
      if (kStateInfo[static_cast<size_t>(k)].group != StateGroup::Condition) step_binary(p, i, k, u[k], age, dt, f);
    step_ordinal(p, i, true, s.block(p.id[i], step, Purpose::OrdinalTransition)[0], age, dt, f);
  }
}

void StateModel::step_conditions(People& p, size_t begin, size_t end, const Streams& s, uint32_t step, int32_t day,
                                 double dt) const {
  for (size_t i = begin; i != end; ++i) {
    if (!p.alive(i)) continue;
    const int age = p.age_years(i, day);
    uint64_t f = p.factors(i);
    LazyDraws<(kStateCount + 3) / 4> u(s, p.id[i], step, Purpose::StateTransition);
    for (int k = 0; k < kStateCount; ++k)
      if (kStateInfo[static_cast<size_t>(k)].group == StateGroup::Condition) step_binary(p, i, k, u[k], age, dt, f);
    step_ordinal(p, i, false, s.block(p.id[i], step, Purpose::OrdinalTransition)[1], age, dt, f);
  }
}

}  // namespace hscsim
