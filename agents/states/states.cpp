#include "agents/states/states.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <fmt/format.h>

#include "agents/people/lanes.hpp"
#include "agents/states/balance.hpp"

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
    // Set by care during the run; nobody is overdue or waiting when the population is
    // built, so they may weigh any state (the initial draw and the normalisers see them unset).
    case DerivedFactor::ReviewOverdue:
    case DerivedFactor::WaitingGp: return -1;
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
  for (const auto& factor : rr.factors) {
    const int f = factor.first;
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
  const auto& info = kStateInfo[static_cast<size_t>(s)];
  p.requires_state = states::required(s);
  const config::Node* onset_node = r.node().find("onset_per_year");
  if (info.group != StateGroup::Condition && onset_node && onset_node->is_scalar() && onset_node->scalar == "balanced")
    throw r.error(*onset_node, r.key_path("onset_per_year"),
                  fmt::format("'balanced' is for long-term conditions; '{}' is a determinant: give its onset as an age "
                              "table or a number", info.name));
  if (info.group != StateGroup::Condition) {
    p.onset_per_year = r.age_table("onset_per_year", kSexColumns, config::non_negative());
  } else if (auto onset = r.age_table_or("onset_per_year", "balanced", kSexColumns, config::non_negative())) {
    p.onset_per_year = std::move(*onset);
  } else {
    p.balanced = true;
    if (p.requires_state >= 0)
      throw r.error("onset_per_year",
                    fmt::format("'balanced' needs a prevalence of the whole population, but '{}' applies only to people "
                                "with '{}': give its onset as an age table or a number",
                                info.name, info.requires_));
  }
  p.recovery_per_year = r.real("recovery_per_year", config::non_negative(), 0.0);
  if (info.group == StateGroup::Condition) p.diagnosed_share = r.real("diagnosed_share", config::probability(), 1.0);
  p.rr = RelativeRisks::read(r);
  p.normalise_rr = r.boolean("normalise_rr", true);
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
  if (r.word_instead("up_per_year", "balanced", "map of level -> age table")) {
    p.balanced = true;
  } else {
    Reader up = r.child("up_per_year");
    for (size_t l = 0; l + 1 < levels.size(); ++l)
      p.up_per_year.push_back(up.age_table(levels[l], kSexColumns, config::non_negative()));
    up.finish();
  }
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
  const int age = std::clamp(p.age_years(i, day), 0, config::AgeTable::kMaxAge);
  const size_t row = bp.prevalence.row(age);
  const uint8_t sex = p.sex[i];
  double prev = prevalence_[static_cast<size_t>(s)][sex][static_cast<size_t>(age)];
  if (prev > 0 && !bp.rr.trivial()) {
    double m = bp.rr.multiplier(p.factors(i), p.quintile[i]);
    if (bp.normalise_rr) m /= prevalence_means_[static_cast<size_t>(s)].mean(StratumMeans::index(row, sex));
    prev *= m;
  }
  if (u < prev) p.states[i] |= uint32_t{1} << s;
}

void StateModel::draw_ordinal(People& p, size_t i, bool alcohol, double u, int32_t day) const {
  const OrdinalParams& op = alcohol ? p_.alcohol : p_.frailty;
  const StratumMeans& means = ordinal_draw_means_[alcohol ? 0 : 1];
  const size_t row = op.initial.row(p.age_years(i, day));
  const uint8_t sex = p.sex[i];
  const size_t L = op.levels.size();
  double m = 1.0;
  if (!op.rr.trivial()) m = op.rr.multiplier(p.factors(i), p.quintile[i]) / means.mean(StratumMeans::index(row, sex));
  double shares[4] = {0, 0, 0, 0}, sum = 0;
  const auto age = static_cast<size_t>(std::clamp(p.age_years(i, day), 0, config::AgeTable::kMaxAge));
  for (size_t l = 1; l < L; ++l) sum += shares[l] = ordinal_initial_[alcohol ? 0 : 1][l][sex][age] * m;
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

namespace {
//! The age bands of a state's onset normalisers: its onset table, or (balanced: no table)
//! its prevalence table.
const AgeTable& onset_bands(const BinaryStateParams& bp) { return bp.balanced ? bp.prevalence : bp.onset_per_year; }
}  // namespace

void StateModel::initialise(People& people, const Streams& streams, int32_t day, const MortalityInput& mortality) {
  const size_t n = people.size();
  always_recorded_ = diagnosable_ = 0;
  for (int s = 0; s < kStateCount; ++s) {
    if (kStateInfo[static_cast<size_t>(s)].group != StateGroup::Condition) continue;
    const double d = p_.binary[static_cast<size_t>(s)].diagnosed_share;
    if (d >= 1) always_recorded_ |= uint32_t{1} << s;
    else if (d > 0) diagnosable_ |= uint32_t{1} << s;
  }
  for (int s = 0; s < kStateCount; ++s) {
    const auto& bp = p_.binary[static_cast<size_t>(s)];
    for (uint8_t sex = 0; sex < 2; ++sex) {
      auto& prev = prevalence_[static_cast<size_t>(s)][sex];
      if (bp.balanced) {
        prev = balance::smooth_band_values(bp.prevalence, sex);  // onset_rate_: balance()
        continue;
      }
      for (int a = 0; a <= AgeTable::kMaxAge; ++a) {
        prev[static_cast<size_t>(a)] = bp.prevalence.values[sex][bp.prevalence.row(a)];
        onset_rate_[static_cast<size_t>(s)][sex][static_cast<size_t>(a)] = bp.onset_per_year.values[sex][bp.onset_per_year.row(a)];
      }
    }
  }
  for (int o = 0; o < 2; ++o) {
    const OrdinalParams& op = o == 0 ? p_.alcohol : p_.frailty;
    for (size_t l = 1; l < op.levels.size(); ++l)
      for (uint8_t sex = 0; sex < 2; ++sex) {
        auto& c = ordinal_initial_[static_cast<size_t>(o)][l][sex];
        const size_t col = 2 * (l - 1) + sex;
        if (op.balanced) c = balance::smooth_band_values(op.initial, col);
        else
          for (int a = 0; a <= AgeTable::kMaxAge; ++a) c[static_cast<size_t>(a)] = op.initial.values[col][op.initial.row(a)];
      }
    if (!op.balanced)  // balanced: balance_ordinal()
      for (size_t l = 0; l + 1 < op.levels.size(); ++l)
        for (uint8_t sex = 0; sex < 2; ++sex)
          for (int a = 0; a <= AgeTable::kMaxAge; ++a)
            up_rate_[static_cast<size_t>(o)][l][sex][static_cast<size_t>(a)] = op.up_per_year[l].values[sex][op.up_per_year[l].row(a)];
  }
  auto for_all = [&](auto&& body) {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 2048), [&](const tbb::blocked_range<size_t>& r) {
      for (size_t i = r.begin(); i != r.end(); ++i) body(i);
    });
  };
  auto ordinal_stage = [&](bool alcohol) {
    const OrdinalParams& op = alcohol ? p_.alcohol : p_.frailty;
    StratumMeans& means = alcohol ? alcohol_means_ : frailty_means_;
    const int o = alcohol ? 0 : 1;
    if (!op.rr.trivial()) {
      auto band = [&](size_t i) { return StratumMeans::index(op.initial.row(people.age_years(i, day)), people.sex[i]); };
      means = stratum_means(people, op.rr, op.initial.rows(), [](size_t) { return true; }, band);
      // The draw caps a person's shares at a sum of 1 (1 / the shares' sum at their age).
      ordinal_draw_means_[static_cast<size_t>(o)] = capped_means(
          people, op.rr, means, [](size_t) { return true; }, band, [&](size_t i) {
            const auto a = static_cast<size_t>(std::clamp(people.age_years(i, day), 0, AgeTable::kMaxAge));
            double sum = 0;
            for (size_t l = 1; l < op.levels.size(); ++l) sum += ordinal_initial_[static_cast<size_t>(o)][l][people.sex[i]][a];
            return sum > 0 ? 1 / sum : std::numeric_limits<double>::infinity();
          });
    }
    for_all([&](size_t i) {
      draw_ordinal(people, i, alcohol, streams.block(people.id[i], kInitStep, Purpose::InitOrdinal)[alcohol ? 0 : 1], day);
    });
  };
  for (int s = 0; s < kStateCount; ++s) {
    const auto& bp = p_.binary[static_cast<size_t>(s)];
    if (!bp.rr.trivial() && bp.normalise_rr) {
      auto include = [&](size_t i) { return bp.requires_state < 0 || (people.states[i] & (uint32_t{1} << bp.requires_state)); };
      auto band = [&](size_t i) { return StratumMeans::index(bp.prevalence.row(people.age_years(i, day)), people.sex[i]); };
      // The draw caps a person's probability at 1 (1 / the prevalence at their age).
      prevalence_means_[static_cast<size_t>(s)] = capped_means(
          people, bp.rr, stratum_means(people, bp.rr, bp.prevalence.rows(), include, band), include, band, [&](size_t i) {
            const auto a = static_cast<size_t>(std::clamp(people.age_years(i, day), 0, AgeTable::kMaxAge));
            const double prev = prevalence_[static_cast<size_t>(s)][people.sex[i]][a];
            return prev > 0 ? 1 / prev : std::numeric_limits<double>::infinity();
          });
    }
    for_all([&](size_t i) {
      Lanes u(streams, people.id[i], kInitStep, Purpose::InitState);
      draw_binary(people, i, s, u[s], day);
    });
    if (s == static_cast<int>(State::Smoker)) ordinal_stage(true);
  }
  ordinal_stage(false);
  for_all([&](size_t i) { draw_diagnosed(people, i, streams); });

  // Onset normalisers: mean multiplier among those at risk in the initial population.
  for (int s = 0; s < kStateCount; ++s) {
    const auto& bp = p_.binary[static_cast<size_t>(s)];
    if (bp.rr.trivial() || !bp.normalise_rr) continue;
    onset_means_[static_cast<size_t>(s)] = stratum_means(
        people, bp.rr, onset_bands(bp).rows(),
        [&](size_t i) {
          return !(people.states[i] & (uint32_t{1} << s)) &&
                 (bp.requires_state < 0 || (people.states[i] & (uint32_t{1} << bp.requires_state)));
        },
        [&](size_t i) { return StratumMeans::index(onset_bands(bp).row(people.age_years(i, day)), people.sex[i]); });
  }
  balance(people, day, mortality);
  balance_ordinal(people, day, mortality, 0);
  balance_ordinal(people, day, mortality, 1);
  // Diagnosis: in a stationary cohort the undiagnosed cases U = (1 - d) P gain the new
  // cases and lose diagnoses, recoveries and excess deaths; with the diagnosed share d
  // the same at every age this gives a diagnosis hazard of d / (1 - d) x i (1 - P) / P
  // (diagnosis assumed to change neither recovery nor mortality). Per step: build_kernels.
  build_kernels();
}

void StateModel::draw_diagnosed(People& p, size_t i, const Streams& streams) const {
  const uint32_t st = p.states[i] & states::kConditions;
  uint32_t d = st & always_recorded_;
  if (const uint32_t partial = st & diagnosable_) {
    Lanes u(streams, p.id[i], kInitStep, Purpose::InitDiagnosis);
    for (uint32_t c = partial; c; c &= c - 1) {
      const int s = __builtin_ctz(c);
      if (u[transition_lane::state(s)] < p_.binary[static_cast<size_t>(s)].diagnosed_share) d |= uint32_t{1} << s;
    }
  }
  p.diagnosed[i] = d;
}

namespace {
//! The community part of the life-table hazard at age a for sex [per year].
double community_hazard(const MortalityInput& m, uint8_t sex, int a) {
  const double hs = m.hospital_share ? m.hospital_share->values[0][m.hospital_share->row(a)] : 0.0;
  return m.hazard->values[sex][m.hazard->row(a)] * (1 - hs);
}
}  // namespace

void StateModel::balance_ordinal(const People& people, int32_t day, const MortalityInput& m, int o) {
  const OrdinalParams& op = o == 0 ? p_.alcohol : p_.frailty;
  if (!op.balanced) return;
  if (!m.hazard) throw std::logic_error("StateModel::initialise: a balanced ordinal state needs the mortality input");
  const size_t L = op.levels.size(), rows = op.initial.rows();
  const std::vector<uint8_t>& level = o == 0 ? people.alcohol : people.frailty;
  auto band = [&](size_t i) { return StratumMeans::index(op.initial.row(people.age_years(i, day)), people.sex[i]); };
  const RelativeRisks none;
  const RelativeRisks& death_rr = m.rr ? *m.rr : none;
  // Mean death multiplier of each level and of everyone, by band and sex; and the mean
  // up-hazard multiplier of the people at each level (the derived rate is their average).
  const StratumMeans all = stratum_means(people, death_rr, rows, [](size_t) { return true; }, band);
  std::vector<StratumMeans> at(L);
  for (size_t l = 0; l < L; ++l) {
    at[l] = stratum_means(people, death_rr, rows, [&](size_t i) { return level[i] == l; }, band);
    if (l + 1 < L && !op.rr.trivial())
      up_level_means_[static_cast<size_t>(o)][l] = stratum_means(people, op.rr, rows, [&](size_t i) { return level[i] == l; }, band);
  }
  for (uint8_t sex = 0; sex < 2; ++sex) {
    std::vector<balance::Curve> S(L, balance::Curve{}), excess(L, balance::Curve{});
    for (int a = 0; a <= AgeTable::kMaxAge; ++a) {
      const auto y = static_cast<size_t>(a);
      S[0][y] = 1;
      for (size_t l = 1; l < L; ++l) S[0][y] -= S[l][y] = ordinal_initial_[static_cast<size_t>(o)][l][sex][y];
      S[0][y] = std::max(S[0][y], 0.0);
      const size_t k = StratumMeans::index(op.initial.row(a), sex);
      // The whole life-table hazard: deaths after admission scale with frailty as the
      // others do (eFI hazard ratios for emergency admission 1.93 / 3.04 / 4.73 and for
      // death 1.92 / 3.10 / 4.52, Clegg et al. 2016), unlike most conditions'.
      const double mu = m.hazard->values[sex][m.hazard->row(a)];
      for (size_t l = 0; l < L; ++l)
        if (at[l].count(k) > 0 && all.count(k) > 0)
          excess[l][y] = mu * (m.normalised ? (at[l].mean(k) - all.mean(k)) / all.mean(k) : at[l].mean(k) - all.mean(k));
    }
    const auto up = balance::upward_rates(S, op.down_per_year, excess);
    for (size_t l = 0; l + 1 < L; ++l) up_rate_[static_cast<size_t>(o)][l][sex] = up[l];
  }
}

void StateModel::balance(const People& people, int32_t day, const MortalityInput& m) {
  for (int s = 0; s < kStateCount; ++s) {
    const auto& bp = p_.binary[static_cast<size_t>(s)];
    if (!bp.balanced) continue;
    if (!m.hazard) throw std::logic_error("StateModel::initialise: a balanced condition needs the mortality input");
    // Excess mortality: the community part of the life-table hazard (1 - the hospital
    // share of deaths) times the difference between the mean death multipliers of people
    // with and without the condition in the initial population, by prevalence band and
    // sex (so correlated conditions, frailty and deprivation count as they do in the
    // death hazard itself). Deaths after an emergency admission are left out: they follow
    // from care (events, admissions, in-hospital death probabilities), which this module
    // cannot see; counting them with the same relative risks overstates the excess
    // (measured: dementia 90+ then rises from 0.36 to 0.45 in 10 stationary years; see
    // docs/model.md, "Conditions in balance").
    const uint32_t b = uint32_t{1} << s;
    const size_t rows = bp.prevalence.rows();
    auto band = [&](size_t i) { return StratumMeans::index(bp.prevalence.row(people.age_years(i, day)), people.sex[i]); };
    const RelativeRisks none;
    const RelativeRisks& rr = m.rr ? *m.rr : none;
    const StratumMeans with = stratum_means(people, rr, rows, [&](size_t i) { return (people.states[i] & b) != 0; }, band);
    const StratumMeans without = stratum_means(people, rr, rows, [&](size_t i) { return (people.states[i] & b) == 0; }, band);
    double marginal = 1.0;  // the condition's own relative risk, where a band has nobody with (or without) it
    for (const auto& [f, r] : rr.factors)
      if (f == s) marginal = r;
    for (uint8_t sex = 0; sex < 2; ++sex) {
      const auto& P = prevalence_[static_cast<size_t>(s)][sex];
      balance::Curve dmu{};
      for (int a = 0; a <= AgeTable::kMaxAge; ++a) {
        const size_t k = StratumMeans::index(bp.prevalence.row(a), sex);
        const double n1 = static_cast<double>(with.count(k)), n0 = static_cast<double>(without.count(k));
        double excess;
        if (n1 > 0 && n0 > 0) {
          const double m1 = with.mean(k), m0 = without.mean(k), mean = (n1 * m1 + n0 * m0) / (n1 + n0);
          excess = m.normalised ? (m1 - m0) / mean : m1 - m0;
        } else {
          const double p = P[static_cast<size_t>(a)];
          excess = (marginal - 1) / (m.normalised ? 1 + (marginal - 1) * p : 1.0);
        }
        dmu[static_cast<size_t>(a)] = community_hazard(m, sex, a) * excess;
      }
      onset_rate_[static_cast<size_t>(s)][sex] = balance::incidence(P, bp.recovery_per_year, dmu);
    }
  }
}

void StateModel::build_kernels() {
  for (int s = 0; s < kStateCount; ++s) {
    const auto& bp = p_.binary[static_cast<size_t>(s)];
    const StratumMeans& means = onset_means_[static_cast<size_t>(s)];
    for (uint8_t sex = 0; sex < 2; ++sex)
      for (int a = 0; a <= config::AgeTable::kMaxAge; ++a) {
        const size_t row = onset_bands(bp).row(a);
        const double mean = means.empty() ? 1.0 : means.mean(StratumMeans::index(row, sex));
        onset_H_[static_cast<size_t>(s)][sex][static_cast<size_t>(a)] =
            onset_rate_[static_cast<size_t>(s)][sex][static_cast<size_t>(a)] * dt_ / mean;
      }
    p_recovery_[static_cast<size_t>(s)] = step_probability(bp.recovery_per_year * dt_);
    const double d = bp.diagnosed_share;
    for (uint8_t sex = 0; sex < 2; ++sex)
      for (size_t a = 0; a <= static_cast<size_t>(config::AgeTable::kMaxAge); ++a) {
        const double P = prevalence_[static_cast<size_t>(s)][sex][a];
        diagnosis_H_[static_cast<size_t>(s)][sex][a] =
            (diagnosable_ >> s & 1) && P > 0 ? d / (1 - d) * onset_rate_[static_cast<size_t>(s)][sex][a] * (1 - P) / P * dt_
                                             : 0.0;
      }
    onset_bound_[static_cast<size_t>(s)] = bp.rr.bound();
    const auto lane = static_cast<size_t>(transition_lane::state(s));
    recovery_thr_[lane] = Lanes::screen_threshold(p_recovery_[static_cast<size_t>(s)]);
    for (uint8_t sex = 0; sex < 2; ++sex)
      for (size_t a = 0; a <= config::AgeTable::kMaxAge; ++a)
        onset_thr_[sex][a][lane] =
            Lanes::screen_threshold(onset_H_[static_cast<size_t>(s)][sex][a] * onset_bound_[static_cast<size_t>(s)]);
  }
  for (int o = 0; o < 2; ++o) {
    const OrdinalParams& op = o == 0 ? p_.alcohol : p_.frailty;
    const StratumMeans& means = o == 0 ? alcohol_means_ : frailty_means_;
    up_bound_[static_cast<size_t>(o)] = op.rr.bound();
    for (size_t l = 0; l + 1 < op.levels.size(); ++l)
      for (uint8_t sex = 0; sex < 2; ++sex)
        for (int a = 0; a <= config::AgeTable::kMaxAge; ++a) {
          const StratumMeans& by = op.balanced ? up_level_means_[static_cast<size_t>(o)][l] : means;
          const double mean = by.empty() ? 1.0 : by.mean(StratumMeans::index(op.initial.row(a), sex));
          up_H_[static_cast<size_t>(o)][l][sex][static_cast<size_t>(a)] =
              up_rate_[static_cast<size_t>(o)][l][sex][static_cast<size_t>(a)] * dt_ / mean;
        }
    for (size_t l = 1; l < op.levels.size(); ++l) p_down_[static_cast<size_t>(o)][l] = step_probability(op.down_per_year[l] * dt_);
    for (size_t l = 0; l < op.levels.size(); ++l) {
      for (uint8_t sex = 0; sex < 2; ++sex)
        for (size_t a = 0; a <= config::AgeTable::kMaxAge; ++a)
          ordinal_thr_[static_cast<size_t>(o)][l][sex][a] =
              l + 1 < op.levels.size() ? Lanes::screen_threshold(up_H_[static_cast<size_t>(o)][l][sex][a] * up_bound_[static_cast<size_t>(o)])
                                       : uint8_t{0};
      // step_ordinal moves down when the draw is > 1 - p_down.
      const double p_down = p_down_[static_cast<size_t>(o)][l];
      ordinal_down_thr_[static_cast<size_t>(o)][l] = p_down > 0 ? Lanes::screen_threshold_above(1.0 - p_down) : uint16_t{256};
    }
  }
}

void StateModel::initialise_one(People& people, size_t i, const Streams& streams, int32_t day, bool keep_housing) const {
  const uint64_t id = people.id[i];
  if (!keep_housing) people.states[i] = 0;
  else people.states[i] &= states::kHousing;
  Lanes u(streams, id, kInitStep, Purpose::InitState);
  for (int s = 0; s < kStateCount; ++s) {
    if (!(keep_housing && kStateInfo[static_cast<size_t>(s)].group == StateGroup::Housing)) draw_binary(people, i, s, u[s], day);
    if (s == static_cast<int>(State::Smoker))
      draw_ordinal(people, i, true, streams.block(id, kInitStep, Purpose::InitOrdinal)[0], day);
  }
  draw_ordinal(people, i, false, streams.block(id, kInitStep, Purpose::InitOrdinal)[1], day);
  draw_diagnosed(people, i, streams);
}

inline void StateModel::step_binary(const People& p, size_t i, int32_t day, bool mod, uint32_t& st, uint8_t sex,
                                    uint8_t quintile, int s, Lanes& u, int age, uint64_t& f) const {
  const auto& bp = p_.binary[static_cast<size_t>(s)];
  const uint32_t b = uint32_t{1} << s;
  const int lane = transition_lane::state(s);
  if (bp.requires_state >= 0 && !(st & (uint32_t{1} << bp.requires_state))) {
    st &= ~b;
    f &= ~uint64_t{b};
    return;
  }
  // A uniform is drawn only when the event can happen; lanes are fixed, so skipping a
  // draw changes no other draw.
  if (st & b) {
    double pr = p_recovery_[static_cast<size_t>(s)];
    if (mod) {
      const double m = (*mod_)(p, i, target::recovery(s), day);
      if (m != 1.0) pr = step_probability(bp.recovery_per_year * dt_ * m);
    }
    if (pr > 0 && u.may_be_below(lane, pr) && u[lane] < pr) {
      st &= ~b;
      f &= ~uint64_t{b};
    }
    return;
  }
  double H = onset_H_[static_cast<size_t>(s)][sex][static_cast<size_t>(age)];
  if (H <= 0) return;
  // Cannot be an onset when the draw is at or above H x the largest multiplier
  // (RelativeRisks::bound); the lane's top bits usually tell without computing it.
  const double Hb = H * onset_bound_[static_cast<size_t>(s)];
  if (!mod && !u.may_be_below(lane, Hb)) return;
  const double x = u[lane];
  if (!mod && x >= Hb) return;
  if (!bp.rr.trivial()) H *= bp.rr.multiplier(f, quintile);
  if (mod) H *= (*mod_)(p, i, target::onset(s), day);
  if (x < step_probability(H)) {
    st |= b;
    f |= b;
  }
}

inline uint8_t StateModel::step_ordinal(const People& p, size_t i, int32_t day, bool mod, uint8_t level, uint8_t sex,
                                        uint8_t quintile, bool alcohol, Lanes& u, int age, uint64_t f) const {
  const int o = alcohol ? 0 : 1;
  const OrdinalParams& op = alcohol ? p_.alcohol : p_.frailty;
  const size_t top = op.levels.size() - 1;
  const int lane = alcohol ? transition_lane::kAlcohol : transition_lane::kFrailty;
  double p_down = p_down_[static_cast<size_t>(o)][level];
  if (mod && alcohol && level > 0) p_down = std::min(1.0, p_down * (*mod_)(p, i, target::AlcoholRecovery, day));
  double p_up = 0;
  if (level < top) {
    const double H = up_H_[static_cast<size_t>(o)][level][sex][static_cast<size_t>(age)];
    const double Hb = H * up_bound_[static_cast<size_t>(o)];
    // A move up needs the draw below H x bound (RelativeRisks::bound); the lane's top
    // bits usually rule that out without computing the draw.
    if (H > 0 && (mod || (u.may_be_below(lane, Hb) && u[lane] < Hb)))
      p_up = step_probability(H * op.rr.multiplier(f, quintile) *
                              (mod ? (*mod_)(p, i, alcohol ? target::AlcoholProgression : target::FrailtyProgression, day) : 1.0));
  }
  if (p_up == 0 && p_down == 0) return level;
  const double x = u[lane];
  if (x < p_up) return static_cast<uint8_t>(level + 1);
  if (x > 1.0 - p_down) return static_cast<uint8_t>(level - 1);
  return level;
}

inline void StateModel::step_diagnosis(People& p, size_t i, Lanes& u, int32_t day, uint8_t sex, int age, bool mod) const {
  const uint32_t undiagnosed = p.states[i] & ~p.diagnosed[i] & diagnosable_;
  const double m = mod ? (*mod_)(p, i, target::Diagnosis, day) : 1.0;
  double bound = 0;
  for (uint32_t c = undiagnosed; c; c &= c - 1) bound += diagnosis_H_[static_cast<size_t>(__builtin_ctz(c))][sex][static_cast<size_t>(age)];
  bound *= m;
  constexpr int lane = transition_lane::kDiagnosis;
  if (!(bound > 0) || !u.may_be_below(lane, bound)) return;
  // One lane for all: the conditions take consecutive stretches of [0, 1) of their
  // step probabilities (so at most one is diagnosed in a step).
  const double x = u[lane];
  double cum = 0;
  for (uint32_t c = undiagnosed; c; c &= c - 1) {
    const int s = __builtin_ctz(c);
    cum += step_probability(diagnosis_H_[static_cast<size_t>(s)][sex][static_cast<size_t>(age)] * m);
    if (x < cum) {
      p.diagnosed[i] |= uint32_t{1} << s;
      return;
    }
  }
}

void StateModel::step_person(People& p, size_t i, Lanes& u, int32_t day) const {
  constexpr uint32_t kStates = states::kDeterminants | states::kConditions;
  const int age = std::min(p.age_years(i, day), config::AgeTable::kMaxAge);
  const uint8_t sex = p.sex[i], q = p.quintile[i];
  uint32_t st = p.states[i];
  const bool mod = p.programmes[i] != 0;
  if (st & ~p.diagnosed[i] & diagnosable_) step_diagnosis(p, i, u, day, sex, age, mod);
  // Which lanes can decide anything: the rest are certainly no event, and are skipped
  // (the same outcome as drawing them; see Lanes::candidates).
  uint32_t cand = kStates;
  bool alcohol_move = true, frailty_move = true;
  if (!mod) {
    const uint32_t onset = transition_lane::states_of(u.candidates(onset_thr_[sex][static_cast<size_t>(age)]));
    const uint32_t recovery = transition_lane::states_of(u.candidates(recovery_thr_));
    cand = (((onset & ~st) | (recovery & st)) & kStates) | (st & states::kDependent);
    const uint8_t a = p.alcohol[i], fr = p.frailty[i];
    alcohol_move = u.candidate(transition_lane::kAlcohol, ordinal_thr_[0][a][sex][static_cast<size_t>(age)], ordinal_down_thr_[0][a]);
    frailty_move = u.candidate(transition_lane::kFrailty, ordinal_thr_[1][fr][sex][static_cast<size_t>(age)], ordinal_down_thr_[1][fr]);
    if (cand == 0 && !alcohol_move && !frailty_move) return;
  }
  uint64_t f = p.factors(i);
  for (uint32_t c = cand & states::kDeterminants; c; c &= c - 1) step_binary(p, i, day, mod, st, sex, q, __builtin_ctz(c), u, age, f);
  if (alcohol_move) {
    const uint8_t alcohol = step_ordinal(p, i, day, mod, p.alcohol[i], sex, q, true, u, age, f);
    if (alcohol != p.alcohol[i]) {  // alcohol is a risk factor for conditions
      p.alcohol[i] = alcohol;
      p.states[i] = st;
      f = p.factors(i);
    }
  }
  for (uint32_t c = cand & states::kConditions; c; c &= c - 1) step_binary(p, i, day, mod, st, sex, q, __builtin_ctz(c), u, age, f);
  p.states[i] = st;
  // A condition that ended is no longer recorded; a new one is recorded at once only
  // where every case is (diagnosed share 1), else it waits for diagnosis.
  p.diagnosed[i] = (p.diagnosed[i] | (st & always_recorded_)) & st;
  if (frailty_move) p.frailty[i] = step_ordinal(p, i, day, mod, p.frailty[i], sex, q, false, u, age, f);
}

}  // namespace hscsim
