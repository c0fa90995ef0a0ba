#include "model/sim/metrics.hpp"
#include "model/core/money.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "model/core/clock.hpp"

namespace hscsim {

namespace {

double ratio(int64_t num, int64_t den) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : std::numeric_limits<double>::quiet_NaN();
}

std::vector<MetricDef> build() {
  std::vector<MetricDef> m;
  auto count = [](Counter c) { return [c](const Tally& t, int q) { return static_cast<double>(t.get(c, q)); }; };
  m.push_back({"population", "persons", "stock", "people alive and living in the place at the end of the step", true,
               count(Counter::Population)});
  m.push_back({"births", "persons", "flow", "live births in the step", true, count(Counter::Births)});
  m.push_back({"deaths", "persons", "flow", "deaths in the step (all causes)", true, count(Counter::Deaths)});
  m.push_back({"immigrants", "persons", "flow", "people who moved into the place in the step", false, count(Counter::Immigrants)});
  m.push_back({"emigrants", "persons", "flow", "people who left the place in the step", false, count(Counter::Emigrants)});
  m.push_back({"mean_age_years", "years", "mean", "mean age of the living population at the start of the step", false,
               [](const Tally& t, int q) {
                 return ratio(t.get(Counter::AgeDays, q), t.get(Counter::Population, q)) / kDaysPerYear;
               }});
  for (int s = 0; s < kStateCount; ++s) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    const Counter c = state_counter(s);
    if (info.group == StateGroup::Condition && info.requires_.empty()) {
      m.push_back({fmt::format("prevalence_{}", info.name), "fraction", "mean",
                   fmt::format("share of the living population with {}", info.label), true,
                   [c](const Tally& t, int q) { return ratio(t.get(c, q), t.get(Counter::Population, q)); }});
    } else if (info.group == StateGroup::Condition) {
      const Counter parent = state_counter(factor_index(info.requires_));
      m.push_back({fmt::format("{}_share", info.name), "fraction", "mean",
                   fmt::format("share of people with {} whose {}", info.requires_, info.label), false,
                   [c, parent](const Tally& t, int q) { return ratio(t.get(c, q), t.get(parent, q)); }});
    }
  }
  const std::array<std::pair<State, const char*>, 8> people_states = {{
      {State::DampHome, "people_damp_home"}, {State::ColdHome, "people_cold_home"},
      {State::Overcrowded, "people_overcrowded"}, {State::InsecureHousing, "people_insecure_housing"},
      {State::LivesAlone, "people_living_alone"}, {State::InformalCarer, "people_with_informal_carer"},
      {State::Lonely, "people_lonely"}, {State::Smoker, "people_smoking"}}};
  for (const auto& [s, name] : people_states) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    m.push_back({name, "persons", "stock", fmt::format("people who: {}", info.label), false,
                 count(state_counter(static_cast<int>(s)))});
  }
  m.push_back({"people_alcohol_increasing_risk", "persons", "stock", "people drinking at increasing or higher risk (not dependent)",
               false, count(Counter::AlcoholIncreasing)});
  m.push_back({"people_alcohol_dependent", "persons", "stock", "people with alcohol dependence", false,
               count(Counter::AlcoholDependent)});
  m.push_back({"people_frail", "persons", "stock", "people with mild, moderate or severe frailty (eFI category above fit)", true,
               [](const Tally& t, int q) {
                 return static_cast<double>(t.get(Counter::FrailMild, q) + t.get(Counter::FrailModerate, q) +
                                            t.get(Counter::FrailSevere, q));
               }});
  m.push_back({"people_frail_moderate_or_severe", "persons", "stock", "people with moderate or severe frailty (eFI)", false,
               [](const Tally& t, int q) {
                 return static_cast<double>(t.get(Counter::FrailModerate, q) + t.get(Counter::FrailSevere, q));
               }});
  auto flow = [&](const char* name, const char* units, Counter c, const char* d, bool bq = false) {
    m.push_back({name, units, "flow", d, bq, count(c)});
  };
  auto stock = [&](const char* name, const char* units, Counter c, const char* d, bool bq = false) {
    m.push_back({name, units, "stock", d, bq, count(c)});
  };
  auto pounds = [](std::initializer_list<Counter> cs) {
    std::vector<Counter> v(cs);
    return [v](const Tally& t, int q) {
      int64_t pence = 0;
      for (Counter c : v) pence += t.get(c, q);
      return to_gbp(pence);
    };
  };
  flow("gp_appointments", "appointments", Counter::GpAppointments, "GP practice appointments given (face to face and virtual)");
  flow("gp_virtual_appointments", "appointments", Counter::GpVirtual, "GP practice appointments given by telephone or video");
  flow("gp_unmet_demand", "requests", Counter::GpUnmet,
       "GP requests that ended without an appointment: sent to A&E, given up after the maximum wait, or folded into a request already waiting");
  m.push_back({"gp_wait_days_mean", "days", "mean", "mean wait from request to appointment of the appointments given in the step (0 = seen in the step the request was made)", false,
               [](const Tally& t, int q) { return ratio(t.get(Counter::GpWaitDays, q), t.get(Counter::GpAppointments, q)); }});
  stock("gp_waiting", "persons", Counter::GpWaiting, "people with a GP request waiting for an appointment");
  flow("outpatient_attendances", "attendances", Counter::OutpatientAttendances, "first outpatient attendances after GP referral");
  flow("ae_attendances", "attendances", Counter::AeAttendances, "A&E attendances (all types)", true);
  flow("emergency_admissions", "admissions", Counter::EmergencyAdmissions, "emergency (non-elective) admissions", true);
  flow("acsc_admissions", "admissions", Counter::AcscAdmissions, "emergency admissions for ambulatory-care-sensitive conditions");
  flow("readmissions_30d", "admissions", Counter::Readmissions, "emergency admissions within the readmission window (30 days by default) of a discharge");
  flow("elective_admissions", "admissions", Counter::ElectiveAdmissions, "elective admissions (inpatient and day case)");
  flow("day_cases", "admissions", Counter::DayCases, "elective day cases (included in elective_admissions)");
  flow("elective_cancelled", "admissions", Counter::ElectiveCancelled, "elective inpatient admissions cancelled because escalation beds were in use");
  stock("elective_waiting_list", "persons", Counter::ElectiveList, "people on the elective waiting list");
  stock("elective_over_18_weeks", "persons", Counter::ElectiveOver18Weeks, "people on the elective waiting list for more than 18 weeks (126 days)");
  flow("bed_days", "bed days", Counter::BedDays, "general and acute bed days used in the step (including delayed days)", true);
  m.push_back({"bed_occupancy", "beds", "mean", "mean general and acute beds occupied over the step (bed_days / days in the step)", false,
               [](const Tally& t, int q) { return ratio(t.get(Counter::BedDays, q), t.get(Counter::StepDays, 0)); }});
  stock("inpatients", "persons", Counter::InHospital, "people in hospital at the end of the step");
  flow("emergency_bed_days", "bed days", Counter::EmergencyBedDays,
       "bed days of emergency (non-elective) stays, including delayed days (bed_days minus elective stays)");
  flow("delayed_discharge_bed_days", "bed days", Counter::DelayedBedDays, "bed days of people medically fit for discharge who wait for social care");
  stock("delayed_discharges", "persons", Counter::DelayedDischarges, "people in hospital, medically fit, waiting for social care");
  flow("trolley_waits", "persons", Counter::TrolleyWaits, "people decided for admission who could not get a bed that step (beds and escalation beds full); counted once when the wait starts, they are admitted first in later steps");
  flow("in_hospital_deaths", "persons", Counter::InHospitalDeaths, "deaths in hospital, any cause (also counted in deaths)");
  flow("discharges", "persons", Counter::Discharges, "discharges from hospital (alive)");
  m.push_back({"home_care_hours", "hours", "flow", "home care hours delivered in the step", false,
               [](const Tally& t, int q) { return static_cast<double>(t.get(Counter::HomeCareMinutes, q)) / 60.0; }});
  stock("home_care_packages", "persons", Counter::HomeCarePackages, "people with a home care package");
  flow("reablement_episodes", "episodes", Counter::ReablementStarts, "reablement episodes started");
  stock("people_in_reablement", "persons", Counter::InReablement, "people in a reablement episode");
  stock("care_home_residents", "persons", Counter::CareHomeResidents, "people living in a care home (including those in hospital)");
  flow("care_home_admissions", "persons", Counter::CareHomeAdmissions, "people moving into a care home (from hospital or home)");
  stock("people_waiting_social_care", "persons", Counter::WaitingSocialCare, "people at home with an assessed social care need not yet met");
  flow("third_sector_contacts", "contacts", Counter::ThirdSectorContacts, "contacts with third-sector services");
  flow("third_sector_unmet", "referrals", Counter::ThirdSectorUnmet, "third-sector referrals not taken on for lack of capacity");
  m.push_back({"cost_primary_care_gbp", "GBP", "flow", "GP practice appointments, and programmes GPs deliver", false,
               pounds({Counter::CostPrimaryPence})});
  m.push_back({"cost_acute_gbp", "GBP", "flow",
               "A&E, emergency and elective spells, excess bed days, outpatients, and programmes trusts deliver", false,
               pounds({Counter::CostAcutePence})});
  m.push_back({"cost_social_care_gbp", "GBP", "flow",
               "council-funded home care, reablement and care home weeks, and programmes councils deliver", false,
               pounds({Counter::CostSocialPence})});
  m.push_back({"cost_third_sector_gbp", "GBP", "flow", "third-sector contacts, and programmes the third sector delivers", false,
               pounds({Counter::CostThirdPence})});
  m.push_back({"cost_total_gbp", "GBP", "flow", "all sectors (the sum of the four cost metrics)", true,
               pounds({Counter::CostPrimaryPence, Counter::CostAcutePence, Counter::CostSocialPence, Counter::CostThirdPence})});
  flow("mutual_aid_admissions", "admissions", Counter::MutualAidAdmissions,
       "emergency admissions to a partner trust because the patient's own trust had no bed (acute mutual aid)");
  flow("intervention_enrolments", "persons", Counter::InterventionEnrolments, "places in intervention programmes taken up");
  m.push_back({"intervention_members", "person-programmes", "stock",
               "people in intervention programmes during the step (a person in two counts twice)", false,
               count(Counter::InterventionMembers)});
  m.push_back({"cost_interventions_gbp", "GBP", "flow", "cost of intervention programmes (also in their sector's cost)", false,
               pounds({Counter::CostInterventionsPence})});
  m.push_back({"payments_gbp", "GBP", "flow", "paid by commissioners and the investor (contracts, outcomes, shared savings, investment)",
               false, pounds({Counter::FinPaymentsPence})});
  m.push_back({"provider_income_gbp", "GBP", "flow", "received by providers (all sources)", false, pounds({Counter::FinProviderIncomePence})});
  m.push_back({"provider_cost_gbp", "GBP", "flow", "providers' costs (variable share of activity, fixed costs, billing administration)",
               false, pounds({Counter::FinProviderCostPence})});
  m.push_back({"provider_margin_gbp", "GBP", "flow", "provider income - provider cost, all providers", false,
               [](const Tally& t, int q) {
                 return to_gbp(t.get(Counter::FinProviderIncomePence, q) - t.get(Counter::FinProviderCostPence, q));
               }});
  m.push_back({"billing_admin_gbp", "GBP", "flow", "billing administration of fee-for-service contracts (providers and commissioners)",
               false, pounds({Counter::FinBillingAdminPence})});
  m.push_back({"outcome_payments_gbp", "GBP", "flow", "outcome payments made", false, pounds({Counter::FinOutcomePaymentsPence})});
  m.push_back({"shared_savings_gbp", "GBP", "flow", "alliance savings shared with providers (negative: losses they paid)", false,
               pounds({Counter::FinSharedSavingsPence})});
  m.push_back({"investor_net_gbp", "GBP", "flow", "social investor: received - invested", false, pounds({Counter::FinInvestorNetPence})});
  stock("providers_withdrawn", "providers", Counter::ProvidersWithdrawn, "providers that have withdrawn under the stall rule");
  m.push_back({"wellbeing_mean", "points (0-10)", "mean", "mean life satisfaction of the living population at the end of the step", true,
               [](const Tally& t, int q) { return ratio(t.get(Counter::WellbeingMilli, q), t.get(Counter::Population, q)) / 1000.0; }});
  m.push_back({"utility_mean", "utility (0-1)", "mean", "mean health utility of the living population at the end of the step", false,
               [](const Tally& t, int q) { return ratio(t.get(Counter::UtilityMilli, q), t.get(Counter::Population, q)) / 1000.0; }});
  m.push_back({"qalys", "QALYs", "flow", "quality-adjusted life years lived in the step (utility at the end of the step x step length)", true,
               [](const Tally& t, int q) {
                 return static_cast<double>(t.get(Counter::UtilityMilli, q)) / 1000.0 * static_cast<double>(t.get(Counter::StepDays, 0)) / kDaysPerYear;
               }});
  return m;
}

}  // namespace

const std::vector<MetricDef>& metric_definitions() {
  static const std::vector<MetricDef> defs = build();
  return defs;
}

std::string metrics_markdown() {
  std::string out = "| metric | units | kind | by_quintile | description |\n|---|---|---|---|---|\n";
  for (const auto& m : metric_definitions())
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", m.name, m.units, m.kind, m.by_quintile ? "yes" : "", m.description);
  return out;
}

}  // namespace hscsim
