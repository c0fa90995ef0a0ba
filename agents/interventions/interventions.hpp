#pragma once
// Interventions: programmes defined in YAML only (`interventions:`), each with a
// delivering provider, dates and ramp-up, targeting, capacity, uptake and adherence,
// effects with uncertainty, effect duration and decay, and costs.
//
// Step "intervention enrolment" (after conditions, before care seeking; see world.hpp):
//  1. programmes that have ended, whose provider has withdrawn, or whose members have
//     completed their time in them, end for those members (their effects then decay);
//  2. ongoing costs of the members still in a programme;
//  3. capacity for this step (per-year capacity x ramp-up x the delivering provider's
//     propensity to fund prevention, with fractions carried between steps);
//  4. eligible people not in the programme are found (a parallel pass) and offered
//     places in order of risk (risk-score targeting) or of a key hashed from their id and
//     the step; each offer is taken up with probability uptake x community engagement
//     and, once taken, adhered to with probability adherence x community engagement.
//     Declined offers are repeated after reoffer_after_years.
// Effect multipliers are drawn once per replicate from their distribution (keyed by the
// programme's and the effect's names, so every scenario draws the same value: common
// random numbers), and apply to adherent members through Modifiers.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "agents/geography/providers.hpp"
#include "agents/geography/geography.hpp"
#include "agents/interventions/counters.hpp"
#include "agents/interventions/modifiers.hpp"
#include "agents/people/people.hpp"
#include "model/core/clock.hpp"
#include "model/core/config/reader.hpp"
#include "agents/people/counters.hpp"
#include "model/core/rng.hpp"

namespace hscsim {

//! A value with uncertainty: a point, or a distribution drawn once per replicate.
struct Uncertain {
  enum Kind : uint8_t { Point, Uniform, Triangular };
  Kind kind = Point;
  double low = 1, mode = 1, high = 1;
  double draw(double u) const;  //!< inverse CDF at u in (0, 1)
  //! Reads a number, or {distribution: uniform|triangular, low, [mode], high}.
  static Uncertain read(config::Reader& r, std::string_view key, const config::Range& range);
};

struct Eligibility {
  uint64_t all = 0, any = 0, none = 0;  //!< risk-factor masks
  int age_min = 0, age_max = 1000;      //!< [years], inclusive
  uint8_t quintiles = 0x3E;             //!< bit q for quintile q (1..5)
  uint8_t settings = 1;                 //!< bit per Setting (default: community only)
  std::vector<uint64_t> ids;            //!< if not empty: only these person ids (sorted)
  double risk_top_percent = 0;          //!< if > 0: only the top x% of the risk score
  int discharged_within_days = -1;      //!< if >= 0: only people discharged from hospital within this [days]
  bool matches(const People& p, size_t i, int32_t day, uint64_t factors) const;
};


struct InterventionParams {
  std::string name, description;
  ProviderKind delivered_by = ProviderKind::Gp;
  int service = -1;                      //!< third-sector service index when delivered by the third sector
  int practice = -1;                     //!< delivered by GP: one named practice for everyone (-1: each member's own)
  double start_year = 0;                 //!< calendar year it starts (fractions allowed)
  double end_year = std::numeric_limits<double>::infinity();
  double ramp_up_years = 0;              //!< capacity rises linearly to full over this [years]
  Eligibility eligible;
  double capacity_per_year = 0;          //!< enrolments a year at full capacity [persons per year]
  double uptake = 1, adherence = 1;      //!< [fraction], before community engagement
  double declined_offer_place = 0;       //!< share of a place an offer that is declined uses (outreach) [fraction]
  struct Effect {
    int target;
    std::string target_name;
    Uncertain multiplier;
  };
  std::vector<Effect> effects;
  std::vector<std::pair<int, double>> resolves;  //!< (state, probability) ended at enrolment
  double duration_years = std::numeric_limits<double>::infinity();  //!< time in the programme
  double decay_half_life_years = 0;      //!< effects wane after leaving (0: stop at once)
  double reoffer_after_years = 1;        //!< a declined offer is repeated after this [years]
  int64_t per_enrolment_pence = 0, per_year_pence = 0, fixed_per_year_pence = 0;
  Uncertain gp_capacity;                 //!< place-level multiplier on GP appointments (1 = none)
  Uncertain virtual_share;               //!< place-level multiplier on practices' remote share (1 = none)
};

struct RiskScoreParams {
  double intercept = 0;
  double per_decade_of_age = 0;
  double recent_admission = 0;              //!< an emergency admission in the last recent_admission_days
  double recent_admission_days = 365;       //!< what "recent" means for the risk score [days]
  std::vector<std::pair<int, double>> factors;  //!< (risk factor, log-odds)
  double refresh_days = 91;                 //!< how often the register is re-stratified [days]
};

//! The names in care that intervention targets refer to (health events, third-sector
//! services), given by the caller so that interventions do not depend on care.
struct CareNames {
  std::vector<std::string> events;
  std::vector<std::string> services;
  std::vector<std::string> practices;
};

struct InterventionsParams {
  std::vector<InterventionParams> list;
  RiskScoreParams risk;
  double community_engagement = 1;  //!< multiplies uptake and adherence (capped at 1)
  //! Reads `interventions:`, `risk_score:` and `care_model.community_engagement`.
  static InterventionsParams read(config::Reader& root, const CareNames& care);
};

//! What finance tells interventions each step: which provider groups have withdrawn, and
//! each provider's propensity to fund prevention (index: provider group, as in
//! ProviderLayout::groups()).
struct DeliveryContext {
  std::vector<uint8_t> withdrawn;
  std::vector<double> prevention;
};

class Programmes : public Modifiers {
 public:
  //! `events`: the number of health events (targets event:<name>).
  Programmes(const InterventionsParams& p, size_t events, const Geography& g, const Clock& c, const Streams& s);
  size_t size() const { return p_.list.size(); }

  //! The enrolment step (see the top of this file). Adds flows and costs to `tally` and
  //! per-programme and per-provider counts to `prov` (layout: ProviderLayout).
  void enrol(People& people, const Streams& s, uint32_t step, int32_t day, int32_t day_end, const DeliveryContext& ctx,
             const ProviderLayout& L, Tally& tally, std::vector<int64_t>& prov);
  //! The programmes' place-level effects on `day` (each ramped in): an input of the
  //! care allocation of the step (World::step), not state read behind its back.
  PlaceEffects place_effects(int32_t day) const;

  //! This replicate's drawn multiplier for effect e of programme k.
  double drawn(size_t k, size_t e) const { return drawn_[k][e]; }
  const std::vector<Enrolment>& enrolments(size_t k) const { return records_[k]; }
  //! What the run changes (checkpoints, model/core/archive.hpp): enrolment records,
  //! carried places, the risk register.
  void state(archive::Io& io);
  //! Provider group (index into ProviderLayout::groups()) that delivers programme k to slot i.
  size_t deliverer(const People& people, size_t i, size_t k, const ProviderLayout& L) const;

 private:
  void refresh_risk(const People& people, int32_t day);
  // The enrolment step, part by part (interventions.cpp), in this order.
  struct EnrolStep {
    const Streams& s;
    uint32_t step;
    int32_t day, day_end;
    double step_days;
    const DeliveryContext& ctx;
    const ProviderLayout& L;
    Tally& t;
    std::vector<int64_t>& prov;
  };
  struct Candidate {
    uint32_t slot;
    uint32_t key;
    float risk;
  };
  //! Charges `pence` of programme k to provider group `group` (its sector's cost,
  //! interventions' cost, the provider's and the programme's counters).
  void charge(const EnrolStep& e, size_t k, size_t group, uint8_t q, int64_t pence) const;
  void charge_fixed_costs(const EnrolStep& e) const;
  void end_and_charge_members(People& people, const EnrolStep& e);
  std::vector<int64_t> places(const EnrolStep& e);
  std::vector<std::vector<Candidate>> find_candidates(People& people, const EnrolStep& e, const std::vector<int64_t>& cap);
  void offer(People& people, const EnrolStep& e, size_t k, int64_t& places, const std::vector<std::vector<Candidate>>& candidates);
  size_t offered_over_parts(const People& people, const EnrolStep& e, size_t k, double& left,
                            const std::vector<Candidate>& c) const;
  double ramp(size_t k, int32_t day) const;

  const InterventionsParams& p_;
  const Geography& g_;
  const Clock& clock_;
  std::vector<std::vector<double>> drawn_;
  std::vector<double> drawn_gp_capacity_, drawn_virtual_share_;
  std::vector<std::vector<Enrolment>> records_;  //!< per programme, sorted by id
  std::vector<double> carry_;
  std::vector<std::vector<uint64_t>> risk_ids_;  //!< per programme: ids in its top x%, sorted
  std::vector<std::vector<float>> risk_of_;      //!< their scores (same order)
  int32_t next_refresh_ = 0;
};

}  // namespace hscsim
