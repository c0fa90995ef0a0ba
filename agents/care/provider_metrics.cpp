// What is published per provider and per programme (ProviderMetric lists), and the
// provider groups in layout order.
#include "agents/care/care.hpp"
#include "model/core/money.hpp"

namespace hscsim {

namespace {
using PL = ProviderLayout;
const std::vector<ProviderMetric> kGpMetrics = {
    {"appointments", "appointments", "flow", "appointments given", [](const int64_t* c) { return double(c[PL::GpAppointments]); }},
    {"virtual_appointments", "appointments", "flow", "appointments by telephone or video", [](const int64_t* c) { return double(c[PL::GpVirtual]); }},
    {"unmet_demand", "requests", "flow", "requests ended without an appointment", [](const int64_t* c) { return double(c[PL::GpUnmet]); }},
    {"wait_days_mean", "days", "mean", "mean wait of the appointments given",
     [](const int64_t* c) { return c[PL::GpAppointments] ? double(c[PL::GpWaitDays]) / double(c[PL::GpAppointments]) : 0.0 / 0.0; }},
    {"waiting", "persons", "stock", "people waiting for an appointment", [](const int64_t* c) { return double(c[PL::GpWaiting]); }},
    {"cost_gbp", "GBP", "flow", "cost of its appointments and of the interventions it delivers", [](const int64_t* c) { return to_gbp(c[PL::GpCostPence]); }},
};
const std::vector<ProviderMetric> kTrustMetrics = {
    {"ae_attendances", "attendances", "flow", "A&E attendances", [](const int64_t* c) { return double(c[PL::TrAe]); }},
    {"emergency_admissions", "admissions", "flow", "emergency admissions", [](const int64_t* c) { return double(c[PL::TrEmergency]); }},
    {"elective_admissions", "admissions", "flow", "elective admissions incl. day cases", [](const int64_t* c) { return double(c[PL::TrElective]); }},
    {"elective_cancelled", "admissions", "flow", "electives cancelled for lack of beds", [](const int64_t* c) { return double(c[PL::TrCancelled]); }},
    {"bed_days", "bed days", "flow", "bed days used", [](const int64_t* c) { return double(c[PL::TrBedDays]); }},
    {"delayed_discharge_bed_days", "bed days", "flow", "bed days of delayed discharges", [](const int64_t* c) { return double(c[PL::TrDelayedDays]); }},
    {"inpatients", "persons", "stock", "patients in its beds at the end of the step", [](const int64_t* c) { return double(c[PL::TrInpatients]); }},
    {"trolley_waits", "persons", "flow", "decided for admission but no bed", [](const int64_t* c) { return double(c[PL::TrTrolley]); }},
    {"elective_waiting_list", "persons", "stock", "people on its elective waiting list", [](const int64_t* c) { return double(c[PL::TrWaitingList]); }},
    {"cost_gbp", "GBP", "flow", "cost of its activity (A&E, spells, excess bed days, outpatients)", [](const int64_t* c) { return to_gbp(c[PL::TrCostPence]); }},
};
const std::vector<ProviderMetric> kLaMetrics = {
    {"home_care_hours", "hours", "flow", "home care hours delivered", [](const int64_t* c) { return double(c[PL::LaHomeCareMinutes]) / 60.0; }},
    {"reablement_episodes", "episodes", "flow", "reablement episodes started", [](const int64_t* c) { return double(c[PL::LaReablementStarts]); }},
    {"care_home_admissions", "persons", "flow", "moves into a care home", [](const int64_t* c) { return double(c[PL::LaCareHomeAdmissions]); }},
    {"care_home_residents", "persons", "stock", "care home residents", [](const int64_t* c) { return double(c[PL::LaResidents]); }},
    {"people_waiting_social_care", "persons", "stock", "people at home waiting for social care", [](const int64_t* c) { return double(c[PL::LaWaiting]); }},
    {"cost_gbp", "GBP", "flow", "council-funded social care cost", [](const int64_t* c) { return to_gbp(c[PL::LaCostPence]); }},
};
const std::vector<ProviderMetric> kThirdMetrics = {
    {"contacts", "contacts", "flow", "contacts given", [](const int64_t* c) { return double(c[PL::TsContacts]); }},
    {"unmet_referrals", "referrals", "flow", "referrals not taken on", [](const int64_t* c) { return double(c[PL::TsUnmet]); }},
    {"cost_gbp", "GBP", "flow", "cost of its contacts and of the interventions it delivers", [](const int64_t* c) { return to_gbp(c[PL::TsCostPence]); }},
};
const std::vector<ProviderMetric> kProgrammeMetrics = {
    {"offers", "persons", "flow", "places offered", [](const int64_t* c) { return double(c[PL::PgOffers]); }},
    {"enrolments", "persons", "flow", "offers taken up", [](const int64_t* c) { return double(c[PL::PgEnrolments]); }},
    {"members", "persons", "stock", "people in the programme during the step", [](const int64_t* c) { return double(c[PL::PgMembers]); }},
    {"cost_gbp", "GBP", "flow", "cost of the programme (enrolments, members, fixed running costs)", [](const int64_t* c) { return to_gbp(c[PL::PgCostPence]); }},
};
}  // namespace

std::vector<ProviderGroup> provider_groups(const Geography& g, const CareParams& p, const std::vector<std::string>& programmes) {
  const ProviderLayout L = ProviderLayout::of(g, p.third_sector.size(), programmes.size());
  std::vector<ProviderGroup> out;
  for (size_t k = 0; k < g.practices.size(); ++k)
    out.push_back({"gp_" + g.practices[k].name, "gp_practice", L.gp(k, PL::GpAppointments), &kGpMetrics});
  for (size_t k = 0; k < g.trusts.size(); ++k)
    out.push_back({"acute_" + g.trusts[k].name, "acute_trust", L.trust(k, PL::TrAe), &kTrustMetrics});
  for (size_t k = 0; k < g.authorities.size(); ++k)
    out.push_back({"social_care_" + g.authorities[k].name, "local_authority", L.la(k, PL::LaHomeCareMinutes), &kLaMetrics});
  for (size_t k = 0; k < p.third_sector.size(); ++k)
    out.push_back({"third_sector_" + p.third_sector[k].name, "third_sector", L.third(k, PL::TsContacts), &kThirdMetrics});
  for (size_t k = 0; k < programmes.size(); ++k)
    out.push_back({programmes[k], "intervention", L.programme(k, PL::PgOffers), &kProgrammeMetrics, "interventions"});
  return out;
}

}  // namespace hscsim
