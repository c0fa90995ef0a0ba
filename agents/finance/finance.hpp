#pragma once
// Commissioners, contracts, provider ledgers, shared savings, outcome payments with a
// social investor, incentives and the stall rule (`finance:` in the config).
//
// Money is integer pence. Each step (after the census, so lists are end-of-step):
//  1. each provider's cost = variable_share x the cost of its activity at unit costs
//     (appointments, spells, packages, contacts) + the programmes it delivers + fixed
//     cost per person it serves per year + billing administration (fee-for-service);
//  2. its commissioner pays it under the contract in force: fee_for_service (tariff x
//     activity; programmes are not billable), block (per person served at the start of each contract year, per year), capitation
//     (per person served now, per year, optionally risk-adjusted), outcome_based (a
//     retainer per person per year plus outcome payments);
//  3. outcome payments (per outcome achieved) go to the social investor until it has had
//     its investment back times its return cap, then to the provider;
//  4. at each year end of an alliance, savings (or losses) against the baseline budget
//     agreed for the members at signing (all their payments count, a withdrawn member's
//     too) are shared with the members in proportion to their payments while members;
//  5. margin = income - cost; at each quarter end, a provider whose quarterly margin
//     stays below the threshold share of income for N quarters withdraws (stall rule):
//     it leaves the alliance and stops delivering interventions.
// Invariant (checked every step): what leaves the payers (commissioners and investor)
// equals what the providers and the investor receive.
// Contracts move providers' behaviour through propensities by contract type: the
// probability an A&E attendance is admitted, GP referral, and funding for prevention.
// They act only on a provider whose contract type changes during the run, from the
// change, by the ratio of the new type's propensity to the starting type's.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "agents/care/care.hpp"
#include "agents/finance/contracts.hpp"
#include "agents/geography/geography.hpp"
#include "agents/interventions/interventions.hpp"
#include "agents/finance/counters.hpp"
#include "agents/finance/outcomes.hpp"
#include "agents/people/people.hpp"
#include "model/core/clock.hpp"
#include "model/core/config/reader.hpp"
#include "agents/people/counters.hpp"

namespace hscsim {


struct Propensity {
  double admission = 1, referral = 1, prevention = 1, length_of_stay = 1;
};

//! Providers that respond to their margin and to what their contract rewards
//! (`finance.response`). Each provider reviews at every quarter end the decisions its
//! contract touches: a trust how readily it admits A&E attendances and how long it keeps
//! emergency patients (discharge effort), a practice how readily it refers, any provider
//! the capacity of the programmes it delivers. For each decision
//! l, m_l is what one more unit (at unit cost) is worth to the provider: its tariff (if it
//! is paid per activity) minus its variable cost, minus its alliance share of what the
//! extra payment does to the alliance's savings; prevention is worth minus the activity
//! margin (it avoids activity). The provider aims at
//!   x* = 1 + strength x (m_l now - m_l under its contract before the run)
//!          + margin_strength x m_l now x its deficit (last quarter's -margin / income, if > 0),
//! within 1 +- max_change, and moves there with time constant lag_years. strength 0 and
//! margin_strength 0 (the defaults): no response, bit for bit.
struct ResponseParams {
  double strength = 0;         //!< response per unit change of marginal margin [per unit]
  double margin_strength = 0;  //!< extra response per unit of deficit share [per unit]
  double lag_years = 0.5;      //!< time constant of the adjustment [years]
  double max_change = 0.25;    //!< largest departure from today's behaviour [fraction]
  bool on() const { return strength != 0 || margin_strength != 0; }
};


//! A payment per outcome achieved by the members of a programme (`finance.outcome_payments`).
//! With `counterfactual: none` (state_ended only) each member whose state ends is paid
//! for once, as it happens. With a counterfactual, each member's outcomes over
//! `window_years` from enrolment are measured against what would have happened anyway:
//! the same person in the baseline run (baseline_run), or an expected rate per member-year
//! (historical); at each year end the year's net outcomes are paid, per provider paid, if
//! positive (no payment back to the commissioner when negative).
struct OutcomePayment {
  std::string name;
  int provider = -1;                    //!< provider group paid (-1: each member's deliverer of the programme)
  OutcomeMeasure measure = OutcomeMeasure::StateEnded;
  int state = -1;                       //!< state_ended: the state whose end is paid for (e.g. diabetes_uncontrolled)
  int programme = -1;                   //!< among members of this programme
  Counterfactual counterfactual = Counterfactual::None;
  double expected_per_member_year = 0;  //!< historical: outcomes expected without the programme [per member-year]
  double window_years = 1;              //!< outcomes counted for this long after enrolment [years]
  int64_t pence = 0;                    //!< per outcome (per admission or bed day avoided, per point-year)
  double from_year = -1e9, to_year = 1e9;
  TracedMeasure traced() const { return {measure, measure == OutcomeMeasure::StateEnded ? state : -1}; }
};

struct FinanceParams {
  bool enabled = false;
  struct Commissioner {
    std::string name;
  };
  std::vector<Commissioner> commissioners;
  std::vector<int> payer;               //!< commissioner of each provider group
  std::vector<double> variable_share;   //!< per provider group
  std::vector<double> fixed_pence_per_person_year;  //!< per provider group
  std::vector<Contract> contract;       //!< per provider group (from its from_year)
  std::vector<Contract> before;         //!< per provider group, before from_year
  std::array<Propensity, kContractTypeCount> propensity{};  //!< by ContractType
  ResponseParams response;
  std::array<double, 4> capitation_age_weight{1, 1, 1, 1};  //!< <65, 65-74, 75-84, 85+
  double capitation_condition_weight = 0;
  //! Care-home residents are invoiced once per this many steps of residence (4: monthly
  //! at weekly steps) [steps]; each invoice is one billing transaction.
  int64_t care_home_invoice_steps = 4;
  std::vector<OutcomePayment> outcomes;
  //! What this run records of everyone's outcomes (OutcomeTrace): its own outcome
  //! payments' measures with a counterfactual, and (in the baseline) what the scenarios'
  //! baseline_run payments need (set by Experiment).
  std::vector<TracedMeasure> traced;
  struct Investor {
    std::string name;
    int provider = -1;
    int64_t pence = 0;
    double year = 0;
    double return_cap = 1;
  };
  std::vector<Investor> investor;       //!< zero or one
  struct Alliance {
    std::vector<uint8_t> member;        //!< per provider group
    double from_year = -1e9;
    int64_t baseline_pence_per_person_year = 0;
    double share_of_savings = 0.5, share_of_losses = 0.5;
    //! Pay for happiness: at each year end the place's mean life satisfaction above the
    //! same people's in the baseline run, x the population, x this price, is paid to
    //! the members (in proportion to their payments as members) if positive [pence per
    //! point per person-year]. 0: none.
    double wellbeing_pence_per_point_person_year = 0;
  };
  std::vector<Alliance> alliance;       //!< zero or one
  bool stall = false;
  double stall_margin_share = 0;        //!< quarterly margin / income below this...
  int stall_quarters = 4;               //!< ...for this many quarters in a row
  std::vector<std::string> group_ids;   //!< provider group ids (for output)

  //! What this config measures against the baseline run (counterfactual: baseline_run
  //! outcome payments and the alliance's pay for happiness): the measures the baseline
  //! must record; empty if nothing.
  std::vector<TracedMeasure> baseline_needs() const;
  //! Reads `finance:` (optional) for the providers of layout L.
  static FinanceParams read(config::Reader& root, const ProviderLayout& L, const InterventionsParams& iv);
};

//! The finance counters, appended to the per-step provider vector after the care layout.
struct FinanceLayout {
  enum Prov : uint8_t {
    Income, Cost, Admin, Margin, Outcome, Shared, Withdrawn, Served, WeightMilli,
    AdmissionPpm, ReferralPpm, PreventionPpm, StayPpm,  //!< behaviour multipliers in force (incentives x response) x 1e6
    kProvCount
  };
  enum Comm : uint8_t { Payments, CommAdmin, kCommCount };
  enum Inv : uint8_t { Invested, Received, kInvCount };
  size_t offset = 0, providers = 0, commissioners = 0, investors = 0;
  size_t prov(size_t g, Prov c) const { return offset + g * kProvCount + c; }
  size_t comm(size_t k, Comm c) const { return offset + providers * kProvCount + k * kCommCount + c; }
  size_t inv(size_t k, Inv c) const { return offset + providers * kProvCount + commissioners * kCommCount + k * kInvCount + c; }
  size_t end() const { return inv(investors, Invested); }
};

//! The finance groups for output (folder "finance").
std::vector<ProviderGroup> finance_groups(const FinanceParams& f, const FinanceLayout& L);

class Finance {
 public:
  Finance(const FinanceParams& p, const ProviderLayout& care, const Geography& g, const Clock& c);
  const FinanceLayout& layout() const { return L_; }

  //! Served persons and capitation weights of slot i (called from the census, with the
  //! person's age in whole years and number of long-term conditions), counted on their
  //! practice and local authority; settle() adds them up for trusts and services.
  void census(const People& people, size_t i, int age_years, int conditions, std::vector<int64_t>& prov) const {
    if (!p_.enabled) return;
    // Age band 0-64, 65-74, 75-84, 85+ without branches (ages vary from person to person).
    const size_t band = static_cast<size_t>(age_years >= 65) + (age_years >= 75) + (age_years >= 85);
    const int64_t milli = weight_milli_[band][static_cast<size_t>(conditions)];
    const size_t practice = people.practice[i];
    const size_t la = C_.group(ProviderKind::SocialCare, g_.neighbourhoods[people.neighbourhood[i]].local_authority);
    prov[L_.prov(practice, FinanceLayout::Served)] += 1;
    prov[L_.prov(practice, FinanceLayout::WeightMilli)] += milli;
    prov[L_.prov(la, FinanceLayout::Served)] += 1;
    prov[L_.prov(la, FinanceLayout::WeightMilli)] += milli;
  }

  //! Outcomes achieved in this step by members of the programmes named in outcome
  //! payments without a counterfactual (a member's state ending; each member is paid
  //! for once); and this step's record of everyone's outcomes (the trace), with the
  //! emergency admissions of the step (`admissions`: id, day).
  void count_outcomes(const People& people, const Programmes& programmes, uint32_t s, int32_t day, int32_t day_end,
                      const std::vector<std::pair<uint64_t, int32_t>>& admissions);
  //! The baseline run's record of the same replicate (baseline_run counterfactuals).
  void set_counterfactual(const OutcomeTrace* baseline) { cf_ = baseline; }
  OutcomeTrace take_trace() { return std::move(trace_); }
  bool tracing() const { return !trace_.empty(); }

  //! The ledgers for step s (after the census). Adds place totals to `t`.
  void settle(uint32_t s, int32_t day, int32_t day_end, std::vector<int64_t>& prov, Tally& t, const People& people,
              const Programmes& programmes);

  //! Propensities and withdrawals in force for the next step.
  void delivery(int32_t day, DeliveryContext& ctx, std::vector<double>& admission_by_trust,
                std::vector<double>& referral_by_practice, std::vector<double>& stay_by_trust) const;

  //! Throws RuntimeFailure if money was not conserved in the last step.
  void check_invariants() const;
  //! What the run changes (checkpoints, model/core/archive.hpp): ledgers of the contract
  //! year and quarter, withdrawals, responses, outcomes watched and traced. The
  //! counterfactual (the baseline's trace) is the caller's, set again after reading.
  void state(archive::Io& io);

 private:
  const Contract& in_force(size_t g, double year) const;
  using FL = FinanceLayout;
  //! What left the payers and what the providers and the investor received in a step.
  struct Money {
    int64_t out = 0, in = 0;
  };
  //! Pays provider g `amount` from its commissioner (counted as income and as `extra`).
  void pay(Money& m, std::vector<int64_t>& prov, size_t g, int64_t amount, FL::Prov extra) const;
  // settle(), part by part, in this order.
  void count_served(std::vector<int64_t>& prov) const;
  void pay_contracts(Money& m, std::vector<int64_t>& prov, double year, double frac, bool year_start);
  void pay_investment_and_outcomes(Money& m, std::vector<int64_t>& prov, double year, Tally& t);
  //! Pays `amount` for outcome payment x to provider g (the investor first, up to its cap).
  void pay_outcome(Money& m, std::vector<int64_t>& prov, size_t g, int64_t amount, Tally& t);
  //! Year end: the net outcomes of the year against their counterfactual, paid.
  void settle_counterfactual_outcomes(Money& m, std::vector<int64_t>& prov, int32_t year_start, int32_t year_end, Tally& t,
                                      const People& people, const Programmes& programmes);
  void settle_alliance(Money& m, std::vector<int64_t>& prov, double year, int32_t year_end, Tally& t, const People& people);
  void margins_and_stall(uint32_t s, double year, std::vector<int64_t>& prov, Tally& t);
  //! The response model's review of provider g at a quarter end (ResponseParams).
  void respond(size_t g, double year, double deficit);
  //! What one more unit of provider g's own activity is worth to it at `year` [per unit
  //! cost] (ResponseParams), and the worth of a referral by practice g.
  double activity_margin(size_t g, double year) const;
  double referral_margin(size_t g, double year) const;
  //! Alliance share of the savings that provider g bears at `year` (0 outside an alliance).
  double alliance_share(size_t g, double year) const;
  //! The incentives' multipliers (Propensity) of provider g at `year`.
  Propensity incentive(size_t g, double year) const;
  double before_run() const;
  void place_totals(const std::vector<int64_t>& prov, Tally& t) const;
  double year_of(int32_t day) const { return clock_.start_year + static_cast<double>(day) / kDaysPerYear; }

  const FinanceParams& p_;
  //! Capitation weight x 1000 by age class (<65, 65-74, 75-84, 85+) and number of
  //! long-term conditions (0..kStateCount), precomputed for the census.
  std::array<std::array<int64_t, kStateCount + 1>, 4> weight_milli_{};
  const ProviderLayout& C_;
  const Geography& g_;
  const Clock& clock_;
  FinanceLayout L_;
  size_t G_ = 0;
  std::vector<int64_t> block_base_;       //!< persons served when the block contract's year started (-1: not yet)
  std::vector<int64_t> year_payments_;    //!< alliance: payments to each provider this contract year
  std::vector<int64_t> member_payments_;  //!< alliance: the same while it was a member (not withdrawn)
  std::vector<int64_t> quarter_income_, quarter_margin_;
  std::vector<int> bad_quarters_;
  std::vector<uint8_t> withdrawn_;
  std::vector<Propensity> response_;     //!< per provider: the response model's multipliers
  int64_t investor_received_ = 0;
  std::vector<std::vector<int64_t>> outcomes_now_;  //!< per outcome payment, per provider group paid: outcomes this step
  OutcomeTrace trace_;                    //!< this run's record of everyone's outcomes
  const OutcomeTrace* cf_ = nullptr;      //!< the baseline run's (baseline_run counterfactuals)
  //! Per outcome payment: members seen (sorted by id) and 0 = without the state,
  //! 1 = with it, 2 = paid for.
  std::vector<std::vector<std::pair<uint64_t, uint8_t>>> watch_;
  bool invested_ = false;
  int64_t last_out_ = 0, last_in_ = 0;
};

}  // namespace hscsim
