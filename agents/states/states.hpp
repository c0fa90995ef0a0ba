#pragma once
// Housing and social circumstances (determinants), long-term conditions and frailty.
//
// Every binary state (see kStateInfo) is described by the same config section:
//   prevalence:        share with the state at the start, by age and sex  [fraction]
//   onset_per_year:    hazard of acquiring it, by age and sex              [per year]
//                      or `balanced` (conditions): derived so that the prevalence by age
//                      holds, given recovery and excess mortality (agents/states/balance.hpp)
//   recovery_per_year: hazard of losing it (repair, recovery, carer lost)  [per year]
//   rr / rr_deprivation_quintile: relative risks applied to prevalence and onset
//   normalise_rr:      prevalence and onset are averages for each age-sex band, and the
//                      relative risks redistribute them between people (default true)
// Alcohol use (low / increasing risk / dependent) and frailty (fit / mild / moderate /
// severe, eFI) are ordinal: initial shares of each level above the lowest, and hazards
// of moving up or down one level.
//
// The initial population is drawn in the order of kStateInfo, with alcohol drawn right
// after smoking and frailty last; a relative risk used for the initial draw must name a
// factor drawn before it (checked when the config is read).
#include <array>
#include <string>
#include <vector>

#include "agents/interventions/modifiers.hpp"
#include "agents/states/counters.hpp"
#include "agents/people/people.hpp"
#include "agents/people/risk.hpp"
#include "model/core/clock.hpp"
#include "model/core/config/reader.hpp"
#include "model/core/rng.hpp"

namespace hscsim {

struct BinaryStateParams {
  config::AgeTable prevalence;      //!< columns male, female [fraction of the age-sex band]
  config::AgeTable onset_per_year;  //!< columns male, female [per person-year at risk]; unused when balanced
  //! `onset_per_year: balanced`: the onset by single year of age and sex is derived from
  //! the prevalence, the recovery and the excess mortality (agents/states/balance.hpp),
  //! and the initial draw uses the prevalence as a single-year curve.
  bool balanced = false;
  double recovery_per_year = 0;     //!< [per person-year with the state]
  //! Conditions: share of the people with it who are diagnosed (recorded), at the start and,
  //! through a derived diagnosis hazard, at every age after [fraction]; 1 = every case is
  //! recorded when it starts.
  double diagnosed_share = 1.0;
  RelativeRisks rr;
  bool normalise_rr = true;
  int requires_state = -1;          //!< state index a person must have, or -1
};

struct OrdinalParams {
  std::vector<std::string> levels;           //!< level names, lowest first
  config::AgeTable initial;                  //!< columns <level>_male, <level>_female for levels 1..L-1
  std::vector<config::AgeTable> up_per_year; //!< hazard of moving up from level l (l = 0..L-2) [per year]; empty when balanced
  //! `up_per_year: balanced`: the hazards of moving up are derived from the initial
  //! shares by age, the hazards of moving down and each level's excess mortality
  //! (balance::upward_rates), and the initial draw uses the shares as single-year curves.
  bool balanced = false;
  std::vector<double> down_per_year;         //!< hazard of moving down from level l (l = 1..L-1) [per year]
  RelativeRisks rr;                          //!< on initial shares above the lowest level and on moving up
};

struct StateParams {
  std::array<BinaryStateParams, kStateCount> binary;
  OrdinalParams alcohol;
  OrdinalParams frailty;
  //! Reads `determinants:` (housing and social states, and `alcohol:`), `conditions:`
  //! and `frailty:` from the top-level reader. Throws ConfigError.
  static StateParams read(config::Reader& root);
};

//! What balancing a condition needs of mortality: given by the world from demography.
struct MortalityInput {
  const config::AgeTable* hazard = nullptr;  //!< life-table hazard, columns male, female [per year]
  const RelativeRisks* rr = nullptr;         //!< relative risks of death
  const config::AgeTable* hospital_share = nullptr;  //!< share of deaths after admission (column share), or none
  bool normalised = true;                    //!< the hazard is divided by the band's mean multiplier
};

class StateModel {
 public:
  //! dt: step length [years].
  StateModel(StateParams p, double dt) : p_(std::move(p)), dt_(dt) {}
  //! The interventions' effects on onset, recovery and ordinal moves (none by default).
  void use(const Modifiers& m) { mod_ = &m; }

  //! Draws every state for the whole initial population, stage by stage, fixing the
  //! prevalence normalisers (used again for babies and immigrants) and the onset
  //! normalisers, and deriving the onset of balanced conditions (which needs
  //! `mortality`). Parallel; identical for any thread count.
  void initialise(People& people, const Streams& streams, int32_t day, const MortalityInput& mortality = {});


  //! Draws the states of one new person (baby or immigrant) at `day` with the stored
  //! normalisers. If keep_housing, the housing states already set (inherited from the
  //! mother's household) are kept.
  void initialise_one(People& people, size_t i, const Streams& streams, int32_t day, bool keep_housing) const;

  //! One step of transitions for slots [begin, end): for each person, first the
  //! determinants (housing and social states, then alcohol), then the conditions (in
  //! kStateInfo order, then frailty), each seeing the changes made before it. People do
  //! not interact here, so one pass per person is the same as one pass per module.
  //! `before(i, lanes)` is called first for each living slot, from the same lanes; the
  //! transitions follow only where it returns true (demography: still here). Then
  //! `after(i, gained)` for each person who gained conditions in the step (their bits).
  template <typename Before, typename After>
  void step(People& people, size_t begin, size_t end, const Streams& s, uint32_t step, int32_t day, Before&& before,
            After&& after) const;

 private:
  void draw_binary(People& p, size_t i, int s, double u, int32_t day) const;
  void draw_ordinal(People& p, size_t i, bool alcohol, double u, int32_t day) const;
  // Lanes: agents/people/lanes.hpp (transition_lane).
  //! `mod`: the person has a programme (People::programmes != 0), so look up multipliers.
  void step_binary(const People& p, size_t i, int32_t day, bool mod, uint32_t& st, uint8_t sex, uint8_t quintile, int s,
                   Lanes& u, int age, uint64_t& f) const;
  uint8_t step_ordinal(const People& p, size_t i, int32_t day, bool mod, uint8_t level, uint8_t sex, uint8_t quintile,
                       bool alcohol, Lanes& u, int age, uint64_t f) const;

  void build_kernels();
  void balance(const People& people, int32_t day, const MortalityInput& mortality);
  void balance_ordinal(const People& people, int32_t day, const MortalityInput& mortality, int o);
  void step_person(People& p, size_t i, Lanes& u, int32_t day) const;
  void draw_diagnosed(People& p, size_t i, const Streams& streams) const;
  //! At most one undiagnosed condition diagnosed this step (lane kDiagnosis).
  void step_diagnosis(People& p, size_t i, Lanes& u, int32_t day, uint8_t sex, int age, bool mod) const;

  StateParams p_;
  double dt_;
  const Modifiers* mod_ = &no_modifiers();
  // Per-step cumulative hazards by sex and whole year of age, with dt and the band
  // normalisers folded in (H = rate x dt / mean multiplier), so the per-person work is
  // a lookup and the person's own relative risks. Built by initialise().
  using AgeCurve = std::array<std::array<double, config::AgeTable::kMaxAge + 1>, 2>;
  std::array<AgeCurve, kStateCount> prevalence_{};   //!< initial share by sex and age (band value, or the curve when balanced)
  std::array<AgeCurve, kStateCount> onset_rate_{};   //!< onset [per year] by sex and age (table, or derived)
  //! Hazard of an undiagnosed case being diagnosed x dt, by sex and age: d / (1 - d) x
  //! onset x (1 - P) / P per year, which holds the diagnosed share d of a stationary
  //! cohort (0 when d is 0 or 1).
  std::array<AgeCurve, kStateCount> diagnosis_H_{};
  uint32_t always_recorded_ = 0;  //!< conditions with diagnosed share 1
  uint32_t diagnosable_ = 0;      //!< conditions with a diagnosed share strictly between 0 and 1
  //! [alcohol, frailty][level 1..3]: initial share by sex and age (table, or curve when balanced)
  std::array<std::array<AgeCurve, 4>, 2> ordinal_initial_{};
  //! [alcohol, frailty][from level]: hazard of moving up [per year] by sex and age (table, or derived)
  std::array<std::array<AgeCurve, 3>, 2> up_rate_{};
  //! [alcohol, frailty][from level]: mean multiplier of the up hazard among the people at
  //! that level, by initial-share band and sex (balanced only: the derived rate is their average)
  std::array<std::array<StratumMeans, 3>, 2> up_level_means_;
  std::array<AgeCurve, kStateCount> onset_H_{};
  std::array<double, kStateCount> p_recovery_{};
  std::array<double, kStateCount> onset_bound_{};     //!< rr.bound() per state
  std::array<double, 2> up_bound_{};                  //!< rr.bound() for [alcohol, frailty]
  std::array<std::array<AgeCurve, 3>, 2> up_H_{};     //!< [alcohol, frailty][from level]
  std::array<std::array<double, 4>, 2> p_down_{};     //!< [alcohol, frailty][from level]
  // Screening thresholds (Lanes::screen_threshold) of the same per-step probabilities:
  // which lanes can decide an event for a person, read in one pass (Lanes::candidates).
  //! [sex][age][lane of the state] (lanes of other decisions: 0)
  std::array<std::array<Lanes::Thresholds, config::AgeTable::kMaxAge + 1>, 2> onset_thr_{};
  Lanes::Thresholds recovery_thr_{};  //!< [lane of the state]
  //! [alcohol, frailty][level][sex][age]: screen_threshold of a move up (H x bound)
  std::array<std::array<std::array<std::array<uint8_t, config::AgeTable::kMaxAge + 1>, 2>, 4>, 2> ordinal_thr_{};
  //! [alcohol, frailty][level]: Lanes::screen_threshold_above of 1 - p_down (a move down
  //! is a draw above it; 256: no move down). People in a programme are not screened.
  std::array<std::array<uint16_t, 4>, 2> ordinal_down_thr_{};
  std::array<StratumMeans, kStateCount> prevalence_means_;
  std::array<StratumMeans, kStateCount> onset_means_;
  StratumMeans alcohol_means_, frailty_means_;
  //! [alcohol, frailty]: the normalisers of the initial draw (capped_means of the above)
  std::array<StratumMeans, 2> ordinal_draw_means_;
};

// Flattened: the Philox rounds of the next person's block (BlocksAhead) must be inlined
// into this loop to overlap with the current person's work; without it GCC 12 calls
// Streams::raw out of line here (measured on configs/bench/million.yaml).
template <typename Before, typename After>
[[gnu::flatten]] void StateModel::step(People& p, size_t begin, size_t end, const Streams& s, uint32_t step, int32_t day,
                                       Before&& before, After&& after) const {
  BlocksAhead blocks(s, p.id.data(), p.vital.data(), static_cast<uint8_t>(Vital::Alive), end, step, Purpose::StateTransition);
  for (size_t i = begin; i != end; ++i) {
    if (!p.alive(i)) continue;
    Lanes u(blocks(i));  // = Lanes(s, id, step, Purpose::StateTransition), drawn one person ahead
    if (!before(i, u)) continue;
    const uint32_t was = p.states[i];
    step_person(p, i, u, day);
    if (const uint32_t gained = p.states[i] & ~was & states::kConditions) after(i, gained);
  }
}

}  // namespace hscsim
