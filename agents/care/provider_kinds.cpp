// The five kinds of provider care runs, as registered with the provider layout: the
// size of each one's counter block (agents/care/counters.hpp), its cost counter, what a
// fee-for-service contract bills, and what is published per provider.
#include "agents/care/counters.hpp"
#include "model/core/money.hpp"

namespace hscsim {

namespace {
template <class E>
int64_t at(const int64_t* c, E e) {
  return c[slot(e)];
}
const std::vector<ProviderMetric> kGpMetrics = {
    {"appointments", "appointments", "flow", "appointments given", [](const int64_t* c) { return double(at(c, GpCounter::Appointments)); }},
    {"virtual_appointments", "appointments", "flow", "appointments by telephone or video", [](const int64_t* c) { return double(at(c, GpCounter::Virtual)); }},
    {"unmet_demand", "requests", "flow", "requests ended without an appointment", [](const int64_t* c) { return double(at(c, GpCounter::Unmet)); }},
    {"wait_days_mean", "days", "mean", "mean wait of the appointments given",
     [](const int64_t* c) { return at(c, GpCounter::Appointments) ? double(at(c, GpCounter::WaitDays)) / double(at(c, GpCounter::Appointments)) : 0.0 / 0.0; }},
    {"waiting", "persons", "stock", "people waiting for an appointment", [](const int64_t* c) { return double(at(c, GpCounter::Waiting)); }},
    {"cost_gbp", "GBP", "flow", "cost of its appointments and of the interventions it delivers", [](const int64_t* c) { return to_gbp(at(c, GpCounter::CostPence)); }},
    {"appointment_capacity", "appointments", "flow", "appointments it could give in the step (capacity plan and programmes included)", [](const int64_t* c) { return double(at(c, GpCounter::Capacity)); }},
    {"requests_deferred", "requests", "flow", "requests left unserved once its appointments were used (capacity bound)", [](const int64_t* c) { return double(at(c, GpCounter::Deferred)); }},
};
const std::vector<ProviderMetric> kTrustMetrics = {
    {"ae_attendances", "attendances", "flow", "A&E attendances", [](const int64_t* c) { return double(at(c, TrustCounter::Ae)); }},
    {"emergency_admissions", "admissions", "flow", "emergency admissions", [](const int64_t* c) { return double(at(c, TrustCounter::Emergency)); }},
    {"elective_admissions", "admissions", "flow", "elective admissions incl. day cases", [](const int64_t* c) { return double(at(c, TrustCounter::Elective)); }},
    {"elective_cancelled", "admissions", "flow", "electives cancelled for lack of beds", [](const int64_t* c) { return double(at(c, TrustCounter::Cancelled)); }},
    {"bed_days", "bed days", "flow", "bed days used", [](const int64_t* c) { return double(at(c, TrustCounter::BedDays)); }},
    {"delayed_discharge_bed_days", "bed days", "flow", "bed days of delayed discharges", [](const int64_t* c) { return double(at(c, TrustCounter::DelayedDays)); }},
    {"inpatients", "persons", "stock", "patients in its beds at the end of the step", [](const int64_t* c) { return double(at(c, TrustCounter::Inpatients)); }},
    {"trolley_waits", "persons", "flow", "decided for admission but no bed", [](const int64_t* c) { return double(at(c, TrustCounter::Trolley)); }},
    {"elective_waiting_list", "persons", "stock", "people on its elective waiting list", [](const int64_t* c) { return double(at(c, TrustCounter::WaitingList)); }},
    {"cost_gbp", "GBP", "flow", "cost of its activity (A&E, spells, excess bed days, outpatients)", [](const int64_t* c) { return to_gbp(at(c, TrustCounter::CostPence)); }},
    {"beds", "beds", "stock", "general, acute and escalation beds open in the step", [](const int64_t* c) { return double(at(c, TrustCounter::Beds)); }},
    {"elective_capacity", "admissions", "flow", "elective admissions it could do in the step", [](const int64_t* c) { return double(at(c, TrustCounter::ElectiveCapacity)); }},
    {"electives_deferred", "persons", "flow", "people left on its list once its elective capacity was used (capacity bound)", [](const int64_t* c) { return double(at(c, TrustCounter::ElectivesDeferred)); }},
};
const std::vector<ProviderMetric> kLaMetrics = {
    {"home_care_hours", "hours", "flow", "home care hours delivered", [](const int64_t* c) { return double(at(c, LaCounter::HomeCareMinutes)) / 60.0; }},
    {"reablement_episodes", "episodes", "flow", "reablement episodes started", [](const int64_t* c) { return double(at(c, LaCounter::ReablementStarts)); }},
    {"care_home_admissions", "persons", "flow", "moves into a care home", [](const int64_t* c) { return double(at(c, LaCounter::CareHomeAdmissions)); }},
    {"care_home_residents", "persons", "stock", "care home residents", [](const int64_t* c) { return double(at(c, LaCounter::Residents)); }},
    {"people_waiting_social_care", "persons", "stock", "people at home waiting for social care", [](const int64_t* c) { return double(at(c, LaCounter::Waiting)); }},
    {"cost_gbp", "GBP", "flow", "council-funded social care cost", [](const int64_t* c) { return to_gbp(at(c, LaCounter::CostPence)); }},
    {"home_care_hours_capacity", "hours per week", "stock", "home care hours a week it commissions", [](const int64_t* c) { return double(at(c, LaCounter::HomeCareHoursCapacity)) / 60.0; }},
    {"reablement_places", "places", "stock", "concurrent reablement places", [](const int64_t* c) { return double(at(c, LaCounter::ReablementPlaces)); }},
    {"care_home_places", "places", "stock", "care home places it can fund", [](const int64_t* c) { return double(at(c, LaCounter::CareHomePlaces)); }},
    {"home_care_refused", "requests", "flow", "home care requests turned away for lack of hours (capacity bound)", [](const int64_t* c) { return double(at(c, LaCounter::RefusedHomeCare)); }},
    {"reablement_refused", "requests", "flow", "reablement requests turned away for lack of places (capacity bound)", [](const int64_t* c) { return double(at(c, LaCounter::RefusedReablement)); }},
    {"care_home_refused", "requests", "flow", "care home requests turned away for lack of places (capacity bound)", [](const int64_t* c) { return double(at(c, LaCounter::RefusedCareHome)); }},
};
const std::vector<ProviderMetric> kIcMetrics = {
    {"bed_admissions", "persons", "flow", "patients taken from hospital into its community beds", [](const int64_t* c) { return double(at(c, IcCounter::BedAdmissions)); }},
    {"home_starts", "persons", "flow", "patients taken from hospital onto home-based intermediate care", [](const int64_t* c) { return double(at(c, IcCounter::HomeStarts)); }},
    {"step_ups", "persons", "flow", "patients A&E would have admitted, cared for at home instead (step-up)", [](const int64_t* c) { return double(at(c, IcCounter::StepUps)); }},
    {"bed_days", "bed days", "flow", "community bed days used", [](const int64_t* c) { return double(at(c, IcCounter::BedDays)); }},
    {"home_days", "days", "flow", "days of home-based episodes", [](const int64_t* c) { return double(at(c, IcCounter::HomeDays)); }},
    {"in_beds", "persons", "stock", "patients in its community beds at the end of the step", [](const int64_t* c) { return double(at(c, IcCounter::InBeds)); }},
    {"at_home", "persons", "stock", "people on its home-based caseload at the end of the step", [](const int64_t* c) { return double(at(c, IcCounter::AtHome)); }},
    {"cost_gbp", "GBP", "flow", "cost of its bed days and home-based care", [](const int64_t* c) { return to_gbp(at(c, IcCounter::CostPence)); }},
    {"community_beds", "beds", "stock", "community beds open in the step", [](const int64_t* c) { return double(at(c, IcCounter::Beds)); }},
    {"home_places", "places", "stock", "concurrent home-based episodes it can run", [](const int64_t* c) { return double(at(c, IcCounter::HomePlaces)); }},
    {"bed_refused", "requests", "flow", "discharges it could not take into a bed (capacity bound)", [](const int64_t* c) { return double(at(c, IcCounter::RefusedBed)); }},
    {"home_refused", "requests", "flow", "discharges it could not take onto home-based care (capacity bound)", [](const int64_t* c) { return double(at(c, IcCounter::RefusedHome)); }},
};
const std::vector<ProviderMetric> kThirdMetrics = {
    {"contacts", "contacts", "flow", "contacts given", [](const int64_t* c) { return double(at(c, ThirdCounter::Contacts)); }},
    {"unmet_referrals", "referrals", "flow", "referrals not taken on", [](const int64_t* c) { return double(at(c, ThirdCounter::Unmet)); }},
    {"cost_gbp", "GBP", "flow", "cost of its contacts and of the interventions it delivers", [](const int64_t* c) { return to_gbp(at(c, ThirdCounter::CostPence)); }},
};
}  // namespace

const std::array<ProviderKindDef, 5>& care_provider_kinds() {
  static const std::array<ProviderKindDef, 5> kinds = {{
      {ProviderKind::Gp, Served::Counted, slot(GpCounter::Count), slot(GpCounter::CostPence),
       [](const int64_t* c, int) { return at(c, GpCounter::Appointments); }, &kGpMetrics},
      {ProviderKind::Acute, Served::PracticeLists, slot(TrustCounter::Count), slot(TrustCounter::CostPence),
       [](const int64_t* c, int) { return at(c, TrustCounter::Ae) + at(c, TrustCounter::Emergency) + at(c, TrustCounter::Elective); },
       &kTrustMetrics},
      // Care-home residents are billed once per invoice.
      {ProviderKind::SocialCare, Served::Counted, slot(LaCounter::Count), slot(LaCounter::CostPence),
       [](const int64_t* c, int invoice_steps) {
         return at(c, LaCounter::ReablementStarts) + at(c, LaCounter::CareHomeAdmissions) + at(c, LaCounter::Residents) / invoice_steps;
       },
       &kLaMetrics},
      {ProviderKind::ThirdSector, Served::Place, slot(ThirdCounter::Count), slot(ThirdCounter::CostPence),
       [](const int64_t* c, int) { return at(c, ThirdCounter::Contacts); }, &kThirdMetrics},
      // An episode is billed when it starts.
      {ProviderKind::IntermediateCare, Served::Authorities, slot(IcCounter::Count), slot(IcCounter::CostPence),
       [](const int64_t* c, int) { return at(c, IcCounter::BedAdmissions) + at(c, IcCounter::HomeStarts); }, &kIcMetrics},
  }};
  return kinds;
}

const std::vector<CapacityCounters>& care_capacities() {
  static const std::vector<CapacityCounters> caps = {
      {ProviderKind::Gp, "appointments_per_week", {CapacityKind::GpAppointments, CapacityKind::GpAppointments}, slot(GpCounter::Capacity), {slot(GpCounter::Deferred), slot(GpCounter::Deferred)}},
      {ProviderKind::Acute, "general_acute_beds and escalation_beds", {CapacityKind::GeneralAcuteBeds, CapacityKind::EscalationBeds}, slot(TrustCounter::Beds),
       {slot(TrustCounter::Trolley), slot(TrustCounter::Cancelled)}},
      {ProviderKind::Acute, "elective_admissions_per_week", {CapacityKind::Electives, CapacityKind::Electives}, slot(TrustCounter::ElectiveCapacity),
       {slot(TrustCounter::ElectivesDeferred), slot(TrustCounter::ElectivesDeferred)}},
      {ProviderKind::SocialCare, "home_care_hours_per_week", {CapacityKind::HomeCareHours, CapacityKind::HomeCareHours}, slot(LaCounter::HomeCareHoursCapacity),
       {slot(LaCounter::RefusedHomeCare), slot(LaCounter::RefusedHomeCare)}},
      {ProviderKind::SocialCare, "reablement_places", {CapacityKind::ReablementPlaces, CapacityKind::ReablementPlaces}, slot(LaCounter::ReablementPlaces),
       {slot(LaCounter::RefusedReablement), slot(LaCounter::RefusedReablement)}},
      {ProviderKind::SocialCare, "care_home_places", {CapacityKind::CareHomePlaces, CapacityKind::CareHomePlaces}, slot(LaCounter::CareHomePlaces),
       {slot(LaCounter::RefusedCareHome), slot(LaCounter::RefusedCareHome)}},
      {ProviderKind::IntermediateCare, "community_beds", {CapacityKind::IntermediateBeds, CapacityKind::IntermediateBeds}, slot(IcCounter::Beds),
       {slot(IcCounter::RefusedBed), slot(IcCounter::RefusedBed)}},
      {ProviderKind::IntermediateCare, "home_places", {CapacityKind::IntermediateHomePlaces, CapacityKind::IntermediateHomePlaces}, slot(IcCounter::HomePlaces),
       {slot(IcCounter::RefusedHome), slot(IcCounter::RefusedHome)}},
  };
  return caps;
}

}  // namespace hscsim
