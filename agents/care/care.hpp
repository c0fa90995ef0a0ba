#pragma once
// Care seeking and care pathways: how health events and needs become demand on GP
// practices, acute trusts, social care and third-sector services, with finite
// capacity, waits, delays and costs.
//
// Each step has two phases (DESIGN.md, "two-phase use of shared capacity"):
//  1. seek (parallel over people, reads providers, writes only the person): health
//     events arise and choose a route (self-care, GP, A&E); routine GP demand; hospital
//     patients who are medically fit are discharged or ask for social care; reablement
//     episodes end; community social care needs and third-sector self-referrals arise.
//     Everything that needs a provider becomes a Request.
//  2. allocate (per provider, deterministic; GP practices in parallel, each person asks
//     only their own practice; the rest serial): requests are ordered by priority
//     tier, then by a key hashed from person id and step (never by thread or arrival
//     order), and served up to capacity: GP appointments (unserved acute cases go to
//     A&E or wait), A&E and emergency admissions into beds (up to beds + escalation;
//     beyond that people wait in A&E for a bed), electives (stop while escalation beds
//     are in use), social care (hospital discharges first), third-sector services.
// Money is integer pence: activity counts x unit costs.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "agents/geography/geography.hpp"
#include "agents/geography/providers.hpp"
#include "agents/care/counters.hpp"
#include "agents/care/substreams.hpp"
#include "agents/interventions/modifiers.hpp"
#include "agents/people/people.hpp"
#include "agents/people/risk.hpp"
#include "model/core/clock.hpp"
#include "model/core/config/reader.hpp"
#include "agents/people/counters.hpp"
#include "model/core/rng.hpp"

namespace hscsim {

//! A kind of health event (exacerbation, fall, crisis...), defined in YAML.
struct HealthEvent {
  std::string name;
  int requires_factor = -1;          //!< risk factor a person must have (e.g. copd), or -1 for everyone
  config::AgeTable rate_per_year;    //!< columns male, female [events per person-year]
  RelativeRisks rr;                  //!< on the rate
  bool acsc = false;                 //!< an admission for it is ambulatory-care-sensitive
  std::array<double, 3> route{};     //!< shares: self-care, GP, emergency (ambulance / A&E)
  double admit_probability = 0;      //!< of an A&E attendance for it [fraction]
  double los_days_mean = 0;          //!< mean length of stay of an admission [days]
  double in_hospital_death_probability = 0;  //!< per admission [fraction]
  int consequence_state = -1;        //!< binary state the event may leave (e.g. amputation), or -1
  double consequence_probability = 0;  //!< chance it does, per event [fraction]
};

struct ThirdSectorService {
  std::string name;
  int eligible_factor = -1;               //!< risk factor that makes someone eligible
  double people_per_week = 0;             //!< people it can take on [per week]
  double gp_referral_probability = 0;     //!< per GP appointment of an eligible person
  double hospital_referral_probability = 0;  //!< per hospital discharge of an eligible person
  double self_referral_per_year = 0;      //!< per eligible person-year
  int64_t contacts_per_person = 1;        //!< contacts per person taken on
  int64_t contact_pence = 0;              //!< cost per contact [pence]
};

//! Unit costs [pence, config price year].
struct UnitCosts {
  int64_t gp_appointment = 0, virtual_appointment = 0, outpatient_attendance = 0, ae_attendance = 0,
          nel_spell_short = 0, nel_spell_long = 0, excess_bed_day = 0, elective_spell = 0, day_case = 0,
          home_care_hour = 0, reablement_episode = 0, residential_week = 0, nursing_week = 0,
          intermediate_bed_day = 0, intermediate_home_contact = 0;
};

//! The care model's degree of integration (`care_model:`), 0 = siloed, 1 = fully
//! integrated, and what full integration does.
struct IntegrationParams {
  double shared_records = 0, multidisciplinary_working = 0, joint_discharge_planning = 0;
  bool acute_mutual_aid = false;
  //! Order in which patients who found no bed at their own trust are placed with partners
  //! (after every trust has admitted its own): by need (who has waited longest first, as
  //! at each trust) or at random. Each goes to the partner with the most room.
  enum class AidOrder : uint8_t { Need, Random } mutual_aid_order = AidOrder::Need;
  bool formalised = true;                  //!< a person-dependent partnership weakens as key staff leave
  double key_staff_turnover_per_year = 0;  //!< [per year]
  double los_reduction = 0, referral_reduction = 0;  //!< shared records at level 1 [fraction]
  double multimorbid_admission_reduction = 0;       //!< MDT at level 1, multimorbid people [fraction]
  double discharge_need_reduction = 0;              //!< joint discharge planning at level 1 [fraction]
  //! Joint (cross-sector) discharge planning at level 1: assessment and arranging care
  //! take this much less time [fraction of the assessment days].
  double discharge_assessment_reduction = 0;
  //! Shared clinical pathways (HealthPathways): at level `shared_pathways`, this share of
  //! the outpatient referrals a GP appointment would make is managed in primary care
  //! instead, with `pathways_follow_ups` GP appointments booked into the practice's next
  //! step (its capacity) for each.
  double shared_pathways = 0, pathways_managed = 0, pathways_follow_ups = 1;
  //! Strength of the partnership after `years` (1 if formalised).
  double strength(double years) const { return formalised ? 1.0 : std::exp(-key_staff_turnover_per_year * years); }
};

struct CareParams {
  // Primary care
  config::AgeTable gp_routine_per_year;       //!< male, female [requests per person-year], new symptoms and routine
  //! Long-term-condition reviews [per recorded condition per year]: due every
  //! 365.25 / (this x recorded conditions) days after the last one, asked for when due
  double gp_reviews_per_condition_per_year = 0;
  //! A review not done this long after it fell due is overdue (risk factor review_overdue) [days]
  double gp_review_overdue_after_days = 91;
  double gp_unmet_acute_to_ae_share = 0;      //!< acute cases not seen the same step who go to A&E
  double gp_max_wait_days = 28;               //!< a waiting request is given up after this [days]
  double gp_waiting_to_ae_per_week = 0;       //!< hazard that someone waiting for a GP goes to A&E instead [per week of waiting]
  //! Remote (telephone, video, online) GP consultations (`care.gp.remote`). A served
  //! request is remote with the practice's virtual_share (x the programmes' virtual_share
  //! effect, at most 1) when it is suitable for it (by kind of request) and the person is
  //! not digitally excluded (by age, x a multiplier by deprivation quintile). A remote
  //! appointment takes time_ratio of a face-to-face one's clinician time, so the appointments
  //! a practice can give in a step rise with the share of remote ones among the requests.
  //! Defaults (time_ratio 1, all suitable, nobody excluded): every remote appointment takes
  //! a full slot, as before.
  struct Remote {
    double time_ratio = 1;
    double suitable_routine = 1, suitable_event = 1, suitable_review = 1;
    config::AgeTable excluded;                  //!< column share [fraction]; empty: nobody
    std::array<double, 5> excluded_rr_by_quintile{1, 1, 1, 1, 1};
  } gp_remote;
  int gp_escalation_event = -1;               //!< the health event they attend A&E with (admission, stay), or -1
  int multimorbid_min_conditions = 2;         //!< long-term conditions that make a person multimorbid (MDT) [conditions]
  double outpatient_referral_probability = 0; //!< per appointment
  double elective_referral_probability = 0;   //!< per appointment, onto the elective waiting list
  // Hospital
  config::AgeTable los_multiplier;            //!< column multiplier, by age
  double short_stay_max_days = 1;             //!< stays up to this are short-stay spells [days]
  double excess_bed_days_after = 14;          //!< bed days beyond this are excess bed days [days]
  double elective_los_days_mean = 5;          //!< [days]
  double day_case_share = 0;                  //!< electives done as day cases [fraction]
  double readmission_window_days = 30;        //!< [days]
  double post_discharge_event_rr = 1;         //!< event rate multiplier within the window
  //! Care seeking beyond health: each health event's emergency share (ambulance / A&E) x
  //! this, by deprivation quintile (capped at 1; self-care and GP share the rest in their
  //! proportions) [ratio]
  std::array<double, 5> emergency_route_rr_by_quintile{1, 1, 1, 1, 1};
  //! Chance of dying of a patient waiting for a bed, for each step they wait [fraction per step]
  double trolley_wait_death_probability = 0;
  //! Hazard of moving up one frailty level per week of delayed discharge (deconditioning) [per week]
  double delayed_discharge_frailty_per_week = 0;
  //! Multiplier on every event's in_hospital_death_probability by age (column rr; 1 at every age
  //! when omitted): the event's probability is the one at the reference age of 1.
  config::AgeTable in_hospital_death_rr_by_age = config::AgeTable::constant({"male", "female"}, 1.0);
  //! Further multiplier on it for permanent care-home residents (frailer than people of
  //! their age who live elsewhere) [ratio]
  double in_hospital_death_rr_resident = 1;
  std::array<double, 4> discharge_social_care_by_frailty{};  //!< need social care at discharge, by eFI level
  double discharge_social_care_rr_no_carer = 1;              //!< multiplier without an informal carer
  //! Care needed at discharge (shares), in CareNeed order from Reablement: reablement,
  //! home care, care home, intermediate care at home, intermediate care in a community bed
  std::array<double, 5> discharge_mix{};
  //! Mean time from medically fit to ready to leave of a patient who needs care
  //! (assessment, brokerage, transport), whether or not care is free, in the same order [days]; exponential
  std::array<double, 5> discharge_assessment_days{};
  //! Patients needing a care home whose own or their family's choice of home delays them
  //! further [fraction], and the mean of that delay [days]; exponential
  double patient_choice_share = 0, patient_choice_days_mean = 0;
  //! Share of patients with a home care package who need a care home at discharge [fraction]
  double home_care_to_care_home_at_discharge = 0;
  //! Elective (admitted) waiting list at the start [people per 100,000], drawn in
  //! proportion to routine GP demand by age and sex, and the share of it waiting over 18
  //! weeks (sets the exponential spread of their waits so far) [fraction]
  double initial_elective_list_per_100000 = 0, initial_elective_over_18_weeks_share = 0.4;
  //! Clinical priority of an elective referral: a class drawn once per referral (its
  //! cumulative shares), and the days within which the class should be treated; the list
  //! is served in order of referral day + that (one class, 0 days: oldest referral first).
  std::vector<double> elective_priority_cum{1.0};
  std::vector<int32_t> elective_priority_days{0};
  //! Specialties: a referral's specialty (cumulative shares, drawn once per referral) and
  //! each specialty's share of every trust's elective capacity; one list per specialty.
  std::vector<double> elective_specialty_cum{1.0};
  std::vector<double> elective_specialty_capacity{1.0};
  //! Hazard of leaving the elective list untreated (validation, treated elsewhere, no
  //! longer needed) [per year]
  double elective_list_removal_per_year = 0;
  // Social care
  double package_hours_per_week = 10;         //!< hours of a home care package [hours per week]
  double package_end_per_year = 0;            //!< packages ending for other reasons [per year]
  double reablement_days = 42;                //!< length of an episode [days]
  double reablement_no_further_care_share = 0.6;
  // Intermediate care (NHS): episode lengths, and what follows an episode (shares; the
  // rest go home without care)
  double intermediate_bed_days = 27;          //!< length of a bed-based episode [days]
  double intermediate_home_days = 35;         //!< length of a home-based episode [days]
  double intermediate_home_contacts_per_week = 4;  //!< visits of a home-based episode [contacts per week]
  std::array<double, 2> after_intermediate_bed{};   //!< home care, care home
  std::array<double, 2> after_intermediate_home{};  //!< home care, care home
  //! A patient who has waited this long in hospital for intermediate care is found the
  //! council's nearest service instead (home-based: reablement; a bed: home care) [days]
  double intermediate_max_wait_days = 1e9;
  //! Step-up intermediate care (acute demand management): a patient A&E would admit for
  //! one of the listed events, living at home, is cared for at home by the council's
  //! intermediate care service instead, with probability step_up_share (clinically
  //! suitable), if it has a home place free; for step_up_days, with the same risk of
  //! death as in hospital.
  double step_up_share = 0;
  std::vector<uint8_t> step_up_event;  //!< per health event: 1 if it can be stepped up
  double step_up_days = 14;
  std::array<double, 4> community_need_per_year_by_frailty{};  //!< new social care needs, by eFI level [per year]
  RelativeRisks community_need_rr;
  double community_care_home_share = 0.1;     //!< community needs that are for a care home
  //! Multiplier by age on the share of people needing care whose need is a care home, on
  //! every route (community needs, the discharge mix, after intermediate care, a package no
  //! longer enough) and on initial_care_home_by_frailty; the other kinds of care share what
  //! is left in their proportions (column rr; 1 at every age when omitted) [ratio]
  config::AgeTable care_home_rr_by_age = config::AgeTable::constant({"rr"}, 1.0);
  //! Multiplier on care-home residents' emergency share of every health event (with the
  //! quintile's, capped at 1); self-care and the GP share the rest [ratio]
  double resident_emergency_route_rr = 1;
  //! Of residents whose emergency admission would end in death, the share cared for and
  //! dying in their care home instead (advance care plans, end-of-life care in the home):
  //! no attendance, no admission, a death in the care home [fraction]
  double resident_end_of_life_in_home_share = 0;
  std::array<double, 5> self_funder_share_by_quintile{};
  double nursing_share = 0.4;                 //!< care home placements that are nursing
  std::array<double, 4> initial_care_home_by_frailty{};  //!< share of those aged initial_care_home_min_age_years+ in a care home at the start, by eFI level
  double initial_care_home_min_age_years = 65;          //!< youngest age drawn into a care home at the start [years]
  std::array<double, 4> initial_home_care_by_frailty{};  //!< share with a home care package at the start
  IntegrationParams integration;
  std::vector<HealthEvent> events;
  std::vector<ThirdSectorService> third_sector;
  UnitCosts costs;

  //! Reads `care:`, `care_model:`, `health_events:` and `unit_costs:`. Throws ConfigError.
  //! Reads `care:`; population_size scales capacities given per 100,000 people.
  static CareParams read(config::Reader& root, int64_t population_size);
};

//! Which of `shares` (in order; what is left over is none of them) the draw u falls in,
//! after share c (a care home) is multiplied by rr (at most 1) and the others by what is
//! left for them over what was, so they keep their proportions; -1 for none. rr = 1
//! gives the shares as written.
template <size_t N>
int share_drawn(double u, const std::array<double, N>& shares, size_t c, double rr) {
  const double s = shares[c], scaled = std::min(1.0, s * rr);
  const double others = s < 1 ? (1 - scaled) / (1 - s) : 0.0;
  double cum = 0;
  for (size_t k = 0; k < N; ++k) {
    const double x = k == c ? scaled : shares[k] * others;
    if (x > 0 && u < (cum += x)) return static_cast<int>(k);
  }
  return -1;
}

//! When a medically fit patient who needs care is assessed (with care arranged and
//! transport booked) and when they are ready to leave (later only when they or their
//! family are still choosing a care home) [days since start].
struct DischargeReady {
  int32_t assessed, ready;
};

//! What phase 1 asks of providers.
struct Request {
  uint32_t slot;
  uint32_t key;       //!< tie-break hashed from (id, step, what)
  uint16_t provider;  //!< practice, trust, local authority or service index
  uint8_t tier;       //!< lower is served first
  uint8_t what;       //!< request-specific: event index, CareNeed, ...
  int32_t since;      //!< for queues: day the wait started (older first within a tier)
  uint16_t sub;       //!< which of the person's requests this is: keys its tie-break and its lanes
};

//! Total order for requests: tier, then oldest wait, then the random key, then slot
//! (then what). Requests equal in it are the same request twice.
bool before(const Request& a, const Request& b);
//! Moves the min(capacity, size) first requests in that order to the front and returns
//! their number; both parts keep their arrival order (see care.cpp).
size_t select_served(std::vector<Request>& reqs, int64_t capacity);

struct CareRequests {
  std::vector<Request> gp, ae, elective, social, third, intermediate;
  //! Bed days already committed this step per trust (stays continuing, and delayed
  //! patients, reserved for the whole step); packages, episodes and residents per local
  //! authority after phase 1.
  std::vector<int64_t> trust_bed_days, la_home_care, la_reablement, la_care_home;
  //! Patients per trust whose bed is reserved to the end of the step (they will be in
  //! hospital at its end unless care is found for them).
  std::vector<int64_t> trust_staying;
  //! Per intermediate care service: episodes continuing past this step, in beds and at home.
  std::vector<int64_t> ic_beds, ic_home;
  Tally tally;  //!< flows counted in phase 1 (bed days, discharges, deaths in hospital, ...)
  std::vector<int64_t> provider;  //!< per-provider flows counted in phase 1
  void clear(const Geography& g, size_t provider_counters);
  void merge(const CareRequests& o);
};

//! The lanes of a person's care-seeking draw in a step (Purpose::CareSeeking), for E
//! health events and S third-sector services. The draws that usually decide against a
//! rare event come first, so they get the screening bits of Lanes (Lanes::kScreened).
struct SeekLanes {
  int E, S;
  int event(int k) const { return k; }                  //!< health event k happens
  int social_need() const { return E; }                 //!< a new social care need at home
  int self_referral(int k) const { return E + 1 + k; }  //!< self-referral to service k
  int package_end() const { return E + 1 + S; }         //!< a home care package ends
  int routine_gp() const { return E + 2 + S; }          //!< number of routine GP requests
  int route(int k) const { return E + 3 + S + k; }      //!< where event k is taken
  int care_home_share() const { return 2 * E + 3 + S; } //!< the new need is for a care home
  int consequence(int k) const { return 2 * E + 4 + S + k; }  //!< event k's lasting consequence
};

class CareSystem {
 public:
  //! `layout`: the place's provider layout (model/sim/providers.hpp: provider_layout).
  CareSystem(const CareParams& p, const Geography& g, const Clock& c, const ProviderLayout& layout);
  const ProviderLayout& layout() const { return layout_; }
  //! The interventions' effects on hazards and pathway probabilities (none by default).
  void use(const Modifiers& m) { mod_ = &m; }
  //! Providers' responses to their contracts: multipliers on the probability that an
  //! A&E attendance is admitted (per trust) and on GP referrals (per practice).
  //! And on the length of emergency stays (per trust: discharge effort).
  void set_propensities(std::vector<double> admission_by_trust, std::vector<double> referral_by_practice,
                        std::vector<double> length_of_stay_by_trust) {
    admission_propensity_ = std::move(admission_by_trust);
    referral_propensity_ = std::move(referral_by_practice);
    stay_propensity_ = std::move(length_of_stay_by_trust);
  }
  //! Keep a log of each step's emergency admissions (person id, day): outcome contracts
  //! measure them person by person (Finance, OutcomeTrace). Off by default.
  void log_admissions(bool on) { log_admissions_ = on; }
  const std::vector<std::pair<uint64_t, int32_t>>& admissions_logged() const { return admissions_log_; }

  //! Care already in place at the start (care home residents, home care packages),
  //! drawn per person. Capacity is not checked here: the config should be consistent.
  void initialise(People& people, const Streams& s, int32_t day) const;

  //! Phase 1 for slots [begin, end).
  void seek(People& people, size_t begin, size_t end, const Streams& s, uint32_t step, int32_t day,
            CareRequests& out) const;

  //! Phase 2: allocation and outcomes. Adds flows to `tally` and per-provider counts
  //! to `provider`; returns nothing else. Deterministic for any thread count.
  //! `place`: the programmes' place-level effects of the step (GP capacity).
  //! It is primary() then shared().
  void allocate(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day, const PlaceEffects& place,
                Tally& tally, std::vector<int64_t>& provider);
  //! Phase 2's first part: the step's capacities (the capacity plan), then GP
  //! appointments at the practices here (set_practices_here), whose patients ask only
  //! them; what they pass on (A&E, third-sector referrals) joins `r`.
  void allocate_primary(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day,
                        const PlaceEffects& place, Tally& tally, std::vector<int64_t>& provider);
  //! Phase 2's second part: the providers everyone shares (social care, intermediate
  //! care, A&E and beds, electives, third sector), with phase 1's counts in `r`. In a
  //! domain-decomposed run every rank runs it on the same gathered rows and requests
  //! (model/sim/domain.hpp), so that these providers' state stays the same on all ranks.
  void allocate_shared(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day, Tally& tally,
                       std::vector<int64_t>& provider);
  //! The practices whose appointments this process allocates (practices_here[k] != 0);
  //! empty (the default): all of them.
  void set_practices_here(std::vector<uint8_t> practices_here) { practices_here_ = std::move(practices_here); }

  //! Takes over the running state of `warm` (a care system of the same place that ran
  //! the shared burn-in): capacity carried between steps, the commissioning rules'
  //! factors and periods (for the capacities whose rule this config also has), what the
  //! councils and intermediate care services fund. Parameters and the place stay this
  //! config's.
  void adopt(const CareSystem& warm);
  //! What the run changes (checkpoints, model/core/archive.hpp): propensities, carried
  //! capacity, places in use, the commissioning rules' periods.
  void state(archive::Io& io);

  //! The commissioning rules of the capacity plan (CapacityPlan, follow_demand): reads
  //! step `step`'s per-provider counters `prov` (flows and end-of-step stocks) as
  //! demand, and at each review sets the capacities of the steps that follow.
  void observe(const std::vector<int64_t>& prov, uint32_t step);

  //! Throws RuntimeFailure if a trust used more bed days in the last step than its
  //! beds and escalation beds allow.
  void check_invariants() const;

  //! Per-provider stock counts at the end of the step (inpatients, residents, waiting
  //! lists...) of slot i with People::care_stocks `stocks`; the place totals are counted
  //! from the same bits by the census (World::census).
  void census(const People& p, size_t i, uint16_t stocks, std::vector<int64_t>& prov) const {
    const auto& L = layout_;
    if (!(stocks & (kStockInHospital | kStockWaitingSocial | kStockInCareHome | kStockWaitingGp | kStockElectiveList |
                    kStockIntermediateCare)))
      return;
    if (stocks & kStockInHospital) prov[L.at(p.hospital[i], TrustCounter::Inpatients)] += 1;
    if (stocks & kStockWaitingSocial) prov[L.at(la_of(p, i), LaCounter::Waiting)] += 1;
    if (stocks & kStockInCareHome) prov[L.at(la_of(p, i), LaCounter::Residents)] += 1;
    if (stocks & kStockWaitingGp) prov[L.at(p.practice[i], GpCounter::Waiting)] += 1;
    if (stocks & kStockElectiveList) prov[L.at(trust_of(p, i), TrustCounter::WaitingList)] += 1;
    if (stocks & kStockIntermediateCare)
      prov[L.at(static_cast<size_t>(g_.authorities[la_of(p, i)].intermediate_care),
                (p.care[i] & kIntermediateBed) ? IcCounter::InBeds : IcCounter::AtHome)] += 1;
  }

  //! The clinical priority class of slot i's elective referral (CareParams::elective_priority_cum):
  //! drawn from the referral day, so the same at every step.
  size_t elective_priority(const Streams& s, const People& people, size_t i) const;
  //! The specialty of slot i's elective referral (CareParams::elective_specialty_cum), drawn
  //! likewise.
  size_t elective_specialty(const Streams& s, const People& people, size_t i) const;
 private:
  uint16_t trust_of(const People& p, size_t i) const { return g_.practices[p.practice[i]].trust; }
  uint16_t la_of(const People& p, size_t i) const { return g_.neighbourhoods[p.neighbourhood[i]].local_authority; }
  //! GpNeed bits of a GP request of slot i at practice pr on `day`, from the lanes of
  //! its appointment block: the referrals the appointment makes, or the need it leaves
  //! waiting when there is none. The referral multiplier: the programmes', the practice's
  //! contract response and shared records.
  uint8_t referrals(Lanes& a, const People& p, size_t i, size_t pr, int32_t day) const {
    const double referral = (*mod_)(p, i, target::Referral, day) * referral_propensity_[pr] *
                            (1.0 - level(p_.integration.shared_records, day) * p_.integration.referral_reduction);
    uint8_t need = 0;
    if (a[care_lane::kGpOutpatient] < p_.outpatient_referral_probability * referral) need |= kNeedOutpatient;
    if (a[care_lane::kGpElective] < p_.elective_referral_probability * referral) need |= kNeedElective;
    return need;
  }
  //! Day a patient medically fit on `due` and needing `need` is ready to leave (assessed,
  //! care arranged, transport): due + an exponential time with the need's mean, drawn from
  //! a stream keyed by the fit day, so every step of the wait sees the same day.
  //! (Defined in allocation.hpp, beside los_to_due, which draws the time.)
  DischargeReady discharge_ready_day(const Streams& s, const People& p, size_t i, int32_t due, CareNeed need) const;
  //! Days between long-term-condition reviews of someone with `conditions` recorded ones.
  int32_t review_interval_days(int conditions) const {
    return static_cast<int32_t>(std::lround(kDaysPerYear / (p_.gp_reviews_per_condition_per_year * conditions)));
  }
  //! Day a stay starting `day` would end: exponential length of stay with the cause's
  //! mean x the age multiplier, from the uniform los_u.
  int32_t planned_due(const People& p, size_t i, uint8_t cause, double los_u, int32_t day) const;
  //! Admits slot i (cause: health event index or kElectiveStay) until `due`. Counts the
  //! admission, its spell cost and the bed days of this step.
  void admit(People& p, size_t i, uint16_t trust, uint8_t cause, int32_t due, int32_t day, int32_t day_end, Tally& t,
             std::vector<int64_t>& prov);
  //! Integration levels in force on `day` (partnership strength included).
  double level(double configured, int32_t day) const {
    return configured * p_.integration.strength(std::max(0.0, static_cast<double>(day) / kDaysPerYear));
  }
  void discharge(People& p, size_t i, int32_t day, Tally& t) const;
  //! What one practice's GP allocation passes on (besides the Tally).
  struct GpOutcome {
    std::array<int64_t, slot(GpCounter::Count)> counts{};  //!< the practice's per-provider counters
    std::vector<Request> ae, third;  //!< A&E attendances of acute cases not seen; third-sector referrals
    int64_t outpatient_pence = 0;    //!< outpatient costs, to the practice's trust
  };
  // Phase 1, one need at a time (seek.cpp).
  struct SeekStep {
    const Streams& s;
    uint32_t step;
    int32_t day, day_end, step_len;
    double dt;
    SeekLanes lane;
    int64_t package_day_minutes;
  };
  struct SeekPerson {
    size_t i;
    uint64_t id;
    uint8_t q;
    uint16_t la;
    // Set for people not in hospital:
    uint8_t sex = 0;
    int age = 0;  //!< whole years, at most AgeTable::kMaxAge
    uint64_t factors = 0;
    uint16_t practice = 0, trust = 0;
  };
  [[gnu::always_inline]] bool seek_in_hospital(People& people, const SeekStep& k, const SeekPerson& me, CareRequests& out) const;
  [[gnu::always_inline]] void seek_care_in_place(People& people, const SeekStep& k, const SeekPerson& me, Lanes& u, CareRequests& out) const;
  [[gnu::always_inline]] void seek_routine_gp(People& people, const SeekStep& k, const SeekPerson& me, Lanes& u, CareRequests& out) const;
  [[gnu::always_inline]] uint32_t seek_health_events(People& people, const SeekStep& k, const SeekPerson& me, Lanes& u, CareRequests& out) const;
  [[gnu::always_inline]] void seek_intermediate_care(People& people, const SeekStep& k, const SeekPerson& me, CareRequests& out) const;
  [[gnu::always_inline]] void seek_social_need(People& people, const SeekStep& k, const SeekPerson& me, Lanes& u, CareRequests& out) const;
  [[gnu::always_inline]] void seek_self_referrals(const People& people, const SeekStep& k, const SeekPerson& me, Lanes& u, uint32_t cand,
                           CareRequests& out) const;

  // Phase 2, one provider kind at a time, in this order (gp.cpp, social_care.cpp,
  // acute.cpp, third_sector.cpp). `bed_days`: bed days committed per trust so far.
  void allocate_practices(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day, double gp_capacity,
                          double virtual_multiplier,
                          Tally& t, std::vector<int64_t>& prov);
  void allocate_social_care(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day, Tally& t,
                            std::vector<int64_t>& prov, std::vector<int64_t>& bed_days);
  void allocate_intermediate_care(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day, Tally& t,
                                  std::vector<int64_t>& prov, std::vector<int64_t>& bed_days);
  //! Takes a medically fit patient who was waiting for care (request `q`) out of hospital
  //! once that care is found this step: frees the rest of the step's bed days, discharges
  //! them, and draws deconditioning from the days they were delayed (lanes `c`).
  void leave_for_care(People& people, const Request& q, int32_t day, int32_t day_end, Lanes& c, Tally& t,
                      std::vector<int64_t>& bed_days);
  //! Whether trust tr has a bed for a stay that lasts past the step's end: patients in
  //! hospital at a step's end never outnumber the beds (so every continuing stay of the
  //! next step fits its bed days).
  bool bed_overnight(size_t tr, int32_t due, int32_t day_end, bool general_only) const {
    const auto& trust = g_.trusts[tr];
    return due < day_end || staying_[tr] < trust.general_acute_beds + (general_only ? 0 : trust.escalation_beds);
  }
  //! Days [from, to) of slot i's intermediate care episode at service svc: counted, and their cost.
  //! Step-up intermediate care instead of an admission (CareParams::step_up_share): true
  //! if slot i is cared for at home (or died there) rather than admitted.
  bool step_up(People& people, size_t i, uint8_t event, int32_t arrive, int32_t day_end, const Streams& s, uint32_t step,
               Tally& t, std::vector<int64_t>& prov);
  void count_intermediate_days(const People& p, size_t i, size_t svc, int32_t from, int32_t to, Tally& t,
                               std::vector<int64_t>& prov) const;
  //! The care needed at discharge: the first whose cumulative share (discharge_mix, in
  //! CareNeed order, its care-home share times `care_home_rr`) is above u; never one with
  //! no share.
  CareNeed discharge_need(double u, double care_home_rr) const {
    const int k = share_drawn(u, p_.discharge_mix, static_cast<size_t>(CareNeed::CareHome) - 1, care_home_rr);
    if (k >= 0) return static_cast<CareNeed>(k + 1);
    auto last = CareNeed::CareHome;
    for (size_t j = 0; j < p_.discharge_mix.size(); ++j)
      if (p_.discharge_mix[j] > 0) last = static_cast<CareNeed>(j + 1);
    return last;
  }
  //! The chance that an emergency admission for `event` ends in death, at `age` (the
  //! event's in_hospital_death_probability x in_hospital_death_rr_by_age, x
  //! in_hospital_death_rr_resident for a care-home resident, at most 1).
  double admission_death_probability(const People& people, size_t i, uint8_t event, int age) const {
    const auto& by_age = p_.in_hospital_death_rr_by_age;
    const double resident = (people.care[i] & kCareHomeResident) ? p_.in_hospital_death_rr_resident : 1.0;
    return std::min(1.0, p_.events[event].in_hospital_death_probability * by_age.values[people.sex[i]][by_age.row(age)] * resident);
  }
  //! CareParams::care_home_rr_by_age at slot i's age on `day`.
  double care_home_rr(const People& people, size_t i, int32_t day) const {
    const auto& t = p_.care_home_rr_by_age;
    return t.values[0][t.row(people.age_years(i, day))];
  }
  void allocate_emergency(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day, Tally& t,
                          std::vector<int64_t>& prov, std::vector<int64_t>& bed_days);
  void allocate_electives(People& people, CareRequests& r, const Streams& s, uint32_t step, int32_t day, Tally& t,
                          std::vector<int64_t>& prov, std::vector<int64_t>& bed_days);
  void allocate_third_sector(People& people, CareRequests& r, uint32_t step, int32_t day, Tally& t, std::vector<int64_t>& prov);

  //! Step 1 of allocate for practice `pr` (its requests `reqs`); safe to run for several
  //! practices at once.
  GpOutcome allocate_gp(People& people, size_t pr, std::vector<Request>& reqs, const Streams& s, uint32_t step, int32_t day,
                        double gp_capacity, double virtual_multiplier, Tally& t);
  //! Referrals of slot i to the third-sector services it is eligible for, each made when
  //! lane first_lane + k is below that service's `probability` (GP or hospital referral);
  //! their requests are keyed by sub_base + k.
  void refer_to_third_sector(const People& people, size_t i, Lanes& lanes, int first_lane,
                             double ThirdSectorService::*probability, substream::Range subs, const Streams& s, uint32_t step,
                             std::vector<Request>& out) const;

  const CareParams& p_;
  const Geography& base_;  //!< the place as configured (capacities at the start)
  Geography g_;            //!< the place in this step: base_'s capacities as the plan has them
  const Clock& clock_;
  ProviderLayout layout_;
  const Modifiers* mod_;
  std::vector<double> admission_propensity_, referral_propensity_, stay_propensity_;
  bool log_admissions_ = false;
  std::vector<uint8_t> practices_here_;  //!< see set_practices_here
  std::vector<std::pair<uint64_t, int32_t>> admissions_log_;  //!< this step's emergency admissions (id, day), when logged
  // Fractional capacity carried between steps, so weekly capacities are exact over time.
  std::vector<double> gp_carry_, elective_carry_, third_carry_;
  std::vector<int64_t> last_bed_days_;  //!< bed days used per trust in the last step
  //! What the last step could use per trust: its beds' days, or what the patients already
  //! in hospital held at its start when a capacity plan closed beds under them [bed days]
  std::vector<int64_t> last_bed_limit_;
  std::vector<int64_t> staying_;        //!< in allocate: patients per trust who will be in at the step's end
  // The commissioning rules (observe): factors in force, and per kind of capacity the
  // demand of the period so far (sums over its steps, per provider), its start stocks.
  struct FollowPeriod {
    int32_t next_review_day = 0;
    double days = 0;                     //!< days observed in the period
    bool started = false;                //!< the start stocks are set
    std::vector<double> a, b, c;         //!< per provider: sums whose meaning depends on the kind (observe)
    std::vector<int64_t> start_stock;    //!< per provider: waiting or list at the period's start
    template <typename Io>
    void state(Io& io) {
      io(next_review_day, days, started, a, b, c, start_stock);
    }
  };
  CapacityFactors follow_;
  std::array<FollowPeriod, kCapacityKinds> period_;
  //! Per local authority after the step's placements: home care packages, reablement
  //! episodes and care home residents it funds.
  std::vector<int64_t> la_packages_, la_reablement_, la_care_home_;
  //! Per intermediate care service after the step's placements: patients in beds and at home.
  std::vector<int64_t> ic_beds_, ic_home_;
  int32_t last_step_days_ = 0;
  double planned_years_ = -1;  //!< years at which g_ last had the capacity plan applied (-1: never)
  // Per-step, per-age tables (x dt) for event rates and routine GP demand.
  std::vector<std::array<std::array<double, config::AgeTable::kMaxAge + 1>, 2>> event_H_;
  std::vector<double> event_bound_;  //!< rr.bound() per event
  //! Per event, [0] people at home and [1] care-home residents, and quintile: the route
  //! draw's upper bounds for self-care and for the GP (care seeking by deprivation:
  //! CareParams::emergency_route_rr_by_quintile; residents: resident_emergency_route_rr).
  std::vector<std::array<std::array<std::array<double, 2>, 5>, 2>> event_route_;
  std::vector<uint64_t> event_requires_;  //!< per event: the factor bit it requires (People::factors), or 0
  //! [sex][age][lane]: Lanes::screen_threshold of H x bound for the events, then of the
  //! self-referral probabilities (SeekLanes; 0 elsewhere)
  std::array<std::array<Lanes::Thresholds, config::AgeTable::kMaxAge + 1>, 2> event_thr_{};
  uint32_t all_events_ = 0;  //!< bit k for each event k < 32
  bool screened_referrals_ = false;  //!< the self-referral lanes have thresholds in event_thr_ too
  double need_bound_ = 1;            //!< community_need_rr.bound()
  std::vector<double> self_referral_p_;  //!< per third-sector service: self-referral probability per step
  double package_end_p_ = 0;             //!< probability per step that a home care package ends
  double elective_removal_p_ = 0;        //!< probability per step of leaving the elective list untreated
  std::array<std::array<double, config::AgeTable::kMaxAge + 1>, 2> gp_routine_lambda_{};
  int64_t package_day_pence_ = 0, residential_day_pence_ = 0, nursing_day_pence_ = 0;
};

}  // namespace hscsim
