#pragma once
// What care counts: its flows and stocks in the Tally (CareCounter) and the per-provider
// blocks of the five kinds of provider it runs (GpCounter, TrustCounter, LaCounter,
// ThirdCounter, IcCounter), each registered with the provider layout by care_provider_kinds().
// A new care counter is one line here, plus its metric (agents/care/metrics.cpp or
// provider_kinds.cpp) and the code that counts it. Sector costs are counted through
// sector_cost(kind) (agents/geography/providers.hpp).
#include <array>
#include <cstdint>

#include "agents/geography/capacity_plan.hpp"
#include "agents/geography/providers.hpp"
#include "agents/people/counters.hpp"

namespace hscsim {

enum class CareCounter : uint16_t {
  // Flows (in the step)
  GpAppointments, GpVirtual, GpUnmet, GpWaitDays, OutpatientAttendances, AeAttendances, EmergencyAdmissions,
  AcscAdmissions, ElectiveAdmissions, DayCases, ElectiveCancelled, Readmissions, BedDays, DelayedBedDays, EmergencyBedDays,
  Discharges, TrolleyWaits, HomeCareMinutes, ReablementStarts, CareHomeAdmissions, ThirdSectorContacts, ThirdSectorUnmet,
  MutualAidAdmissions,  //!< emergency admissions to a partner trust (acute mutual aid)
  HomeCareStarts,       //!< council-funded home care packages started
  GpWaitToAe,           //!< people waiting for a GP appointment who went to A&E instead
  LtcReviews,           //!< long-term-condition reviews done
  TrolleyWaitDeaths,    //!< deaths of patients waiting for a bed
  Deconditioned,        //!< people whose frailty worsened during a delayed discharge
  CareHomeEmergencyAdmissions,  //!< emergency admissions of care-home residents
  CareHomeEndOfLife,  //!< residents an admission would have seen die, dying in their care home instead
  ElectiveRemoved,    //!< people leaving the elective list untreated
  // Delayed bed days by reason (they add up to DelayedBedDays)
  DelayedAssessmentDays, DelayedReablementDays, DelayedHomeCareDays, DelayedCareHomeDays,
  DelayedIntermediateCareDays, DelayedPatientChoiceDays,
  IntermediateBedAdmissions,  //!< hospital discharges into an intermediate care (community) bed
  IntermediateHomeStarts,     //!< hospital discharges to home-based intermediate care
  StepUp,                     //!< patients A&E would have admitted, cared for at home by intermediate care instead
  PathwayManaged,             //!< outpatient referrals managed in primary care instead (shared pathways)
  GpFollowUps,                //!< GP follow-up appointments for them
  IntermediateDiverted,       //!< patients who waited too long for intermediate care and were sent to the council instead
  // Stocks (end of the step, counted by the census from People::care_stocks)
  InHospital, DelayedDischarges, ElectiveList, ElectiveOver18Weeks, CareHomeResidents, HomeCarePackages,
  InReablement, WaitingSocialCare, GpWaiting,
  ReviewsOverdue,       //!< people with a long-term-condition review overdue (risk factor review_overdue)
  InIntermediateCare,   //!< in an intermediate care episode, in a community bed or at home
  Count
};
template <>
struct CounterTraits<CareCounter> {
  static constexpr CounterBlock block = CounterBlock::Care;
  static constexpr std::array stocks = {CareCounter::InHospital,        CareCounter::DelayedDischarges,
                                        CareCounter::ElectiveList,      CareCounter::ElectiveOver18Weeks,
                                        CareCounter::CareHomeResidents, CareCounter::HomeCarePackages,
                                        CareCounter::InReablement,      CareCounter::WaitingSocialCare,
                                        CareCounter::GpWaiting,         CareCounter::ReviewsOverdue,
                                        CareCounter::InIntermediateCare};
  //! Counted by sex and age band too (Tally::add with the person's sex and age).
  static constexpr std::array by_age_sex = {CareCounter::GpAppointments,     CareCounter::AeAttendances,
                                            CareCounter::EmergencyAdmissions, CareCounter::AcscAdmissions,
                                            CareCounter::ElectiveAdmissions, CareCounter::BedDays,
                                            CareCounter::ReablementStarts,   CareCounter::HomeCareStarts,
                                            CareCounter::CareHomeAdmissions, CareCounter::CareHomeResidents};
};

//! Per GP practice.
//! Capacity (appointments the practice could give in the step) and Deferred (requests
//! left unserved at the end of the step's appointments: the capacity bound).
enum class GpCounter : uint8_t { Appointments, Virtual, Unmet, WaitDays, Waiting, CostPence, Capacity, Deferred, Count };
template <>
struct ProviderCounters<GpCounter> {
  static constexpr ProviderKind kind = ProviderKind::Gp;
};
//! Per acute trust.
//! Beds (general and escalation beds open in the step), ElectiveCapacity (electives it
//! could do in the step) and ElectivesDeferred (people left on the list once it was
//! reached: the elective capacity bound).
enum class TrustCounter : uint8_t { Ae, Emergency, Elective, Cancelled, BedDays, DelayedDays, Inpatients, Trolley,
                                    WaitingList, CostPence, Beds, ElectiveCapacity, ElectivesDeferred, Count };
template <>
struct ProviderCounters<TrustCounter> {
  static constexpr ProviderKind kind = ProviderKind::Acute;
};
//! Per local authority (social care).
//! Its commissioned capacities in the step, and the requests it turned away for lack
//! of each (the capacity bound).
enum class LaCounter : uint8_t { HomeCareMinutes, ReablementStarts, CareHomeAdmissions, Residents, Waiting, CostPence,
                                 HomeCareHoursCapacity, ReablementPlaces, CareHomePlaces, RefusedHomeCare,
                                 RefusedReablement, RefusedCareHome, Count };
template <>
struct ProviderCounters<LaCounter> {
  static constexpr ProviderKind kind = ProviderKind::SocialCare;
};
//! Per third-sector service.
enum class ThirdCounter : uint8_t { Contacts, Unmet, CostPence, Count };
template <>
struct ProviderCounters<ThirdCounter> {
  static constexpr ProviderKind kind = ProviderKind::ThirdSector;
};

//! Per NHS intermediate care service.
//! Episodes started (from hospital), occupied bed days and home-based episode days, the
//! people in its beds and on its home caseload at the end of the step, its capacities in
//! the step and the discharges it could not take for lack of each (the capacity bound).
enum class IcCounter : uint8_t { BedAdmissions, HomeStarts, BedDays, HomeDays, InBeds, AtHome, CostPence, Beds,
                                 HomePlaces, RefusedBed, RefusedHome, StepUps, Count };
template <>
struct ProviderCounters<IcCounter> {
  static constexpr ProviderKind kind = ProviderKind::IntermediateCare;
};

//! The five kinds care runs, in kind order, as registered with the layout
//! (agents/care/provider_kinds.cpp).
const std::array<ProviderKindDef, 5>& care_provider_kinds();

//! A capacity of a kind of provider as its per-provider counters show it: the counter
//! holding the capacity in each step, and the counters of the requests it turned away
//! (one is enough to say the capacity bound in that step).
struct CapacityCounters {
  ProviderKind kind;
  std::string_view name;       //!< as in the config (agents/geography/capacity_plan.hpp)
  std::array<CapacityKind, 2> config;  //!< the configured capacities it is made of (the same twice when one)
  size_t capacity;             //!< slot in the provider's block
  std::array<size_t, 2> bound; //!< slots of what it turned away (the same slot twice when one)
};
//! Every capacity care allocates (agents/care/provider_kinds.cpp).
const std::vector<CapacityCounters>& care_capacities();

}  // namespace hscsim
