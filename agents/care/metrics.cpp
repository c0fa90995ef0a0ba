// The care module's published metrics (see agents/people/metric_registry.hpp).
#include "agents/care/metrics.hpp"

#include "agents/care/counters.hpp"

namespace hscsim {

void declare_care_metrics(MetricRegistry& m) {
  m.count("gp_appointments", "appointments", CareCounter::GpAppointments, "GP practice appointments given (face to face and virtual)");
  m.count("gp_virtual_appointments", "appointments", CareCounter::GpVirtual, "GP practice appointments given by telephone or video");
  m.count("gp_unmet_demand", "requests", CareCounter::GpUnmet,
       "GP requests that ended without an appointment: sent to A&E, given up after the maximum wait, or folded into a request already waiting");
  m.add({"gp_wait_days_mean", "days", "mean", "mean wait from request to appointment of the appointments given in the step (0 = seen in the step the request was made)", false,
               [](const Tally& t, int q) { return metric_ratio(t.get(CareCounter::GpWaitDays, q), t.get(CareCounter::GpAppointments, q)); }});
  m.count("gp_waiting", "persons", CareCounter::GpWaiting, "people with a GP request waiting for an appointment");
  m.count("gp_waits_to_ae", "attendances", CareCounter::GpWaitToAe,
          "people waiting for a GP appointment who went to A&E instead (included in gp_unmet_demand and ae_attendances)");
  m.count("ltc_reviews", "appointments", CareCounter::LtcReviews,
          "long-term-condition reviews done (GP practice appointments given to someone whose review was due; included in gp_appointments)");
  m.count("ltc_reviews_overdue", "persons", CareCounter::ReviewsOverdue,
          "people with a recorded long-term condition whose review is overdue (not done care.gp.review_overdue_after_days after it fell due)");
  m.count("outpatient_attendances", "attendances", CareCounter::OutpatientAttendances, "first outpatient attendances after GP referral");
  m.count("ae_attendances", "attendances", CareCounter::AeAttendances, "A&E attendances (all types)", true);
  m.count("emergency_admissions", "admissions", CareCounter::EmergencyAdmissions, "emergency (non-elective) admissions", true);
  m.count("acsc_admissions", "admissions", CareCounter::AcscAdmissions, "emergency admissions for ambulatory-care-sensitive conditions");
  m.count("readmissions_30d", "admissions", CareCounter::Readmissions, "emergency admissions within the readmission window (30 days by default) of a discharge");
  m.count("elective_admissions", "admissions", CareCounter::ElectiveAdmissions, "elective admissions (inpatient and day case)");
  m.count("day_cases", "admissions", CareCounter::DayCases, "elective day cases (included in elective_admissions)");
  m.count("elective_cancelled", "admissions", CareCounter::ElectiveCancelled, "elective inpatient admissions cancelled because escalation beds were in use");
  m.count("elective_waiting_list", "persons", CareCounter::ElectiveList, "people on the elective waiting list");
  m.count("elective_list_removals", "persons", CareCounter::ElectiveRemoved,
          "people leaving the elective waiting list untreated: validated off, treated elsewhere or no longer needed "
          "(care.hospital.elective_list_removal_per_year)");
  m.count("elective_over_18_weeks", "persons", CareCounter::ElectiveOver18Weeks, "people on the elective waiting list for more than 18 weeks (126 days)");
  m.count("bed_days", "bed days", CareCounter::BedDays, "general and acute bed days used in the step (including delayed days)", true);
  m.add({"bed_occupancy", "beds", "mean", "mean general and acute beds occupied over the step (bed_days / days in the step)", false,
               [](const Tally& t, int q) { return metric_ratio(t.get(CareCounter::BedDays, q), t.get(PeopleCounter::StepDays, 0)); }});
  m.count("inpatients", "persons", CareCounter::InHospital, "people in hospital at the end of the step");
  m.count("emergency_bed_days", "bed days", CareCounter::EmergencyBedDays,
       "bed days of emergency (non-elective) stays, including delayed days (bed_days minus elective stays)");
  m.count("delayed_discharge_bed_days", "bed days", CareCounter::DelayedBedDays, "bed days of people medically fit for discharge who wait to be assessed, for their choice of care home, or for social or intermediate care (the sum of the delayed_days_awaiting_* metrics)");
  m.count("delayed_days_awaiting_assessment", "bed days", CareCounter::DelayedAssessmentDays,
          "delayed bed days of patients being assessed, their care arranged or transport booked (care.hospital.discharge_assessment_days_mean)");
  m.count("delayed_days_awaiting_reablement", "bed days", CareCounter::DelayedReablementDays,
          "delayed bed days of assessed patients waiting for a reablement place");
  m.count("delayed_days_awaiting_home_care", "bed days", CareCounter::DelayedHomeCareDays,
          "delayed bed days of assessed patients waiting for a home care package");
  m.count("delayed_days_awaiting_care_home", "bed days", CareCounter::DelayedCareHomeDays,
          "delayed bed days of assessed patients waiting for a care home place");
  m.count("delayed_days_awaiting_intermediate_care", "bed days", CareCounter::DelayedIntermediateCareDays,
          "delayed bed days of assessed patients waiting for an NHS intermediate care bed or home-based place");
  m.count("delayed_days_awaiting_patient_choice", "bed days", CareCounter::DelayedPatientChoiceDays,
          "delayed bed days of assessed patients who, or whose families, are still choosing a care home (care.hospital.patient_choice)");
  m.count("delayed_discharges", "persons", CareCounter::DelayedDischarges, "people in hospital, medically fit, waiting to be assessed or for social or intermediate care");
  m.add({"delayed_discharges_mean", "persons", "mean",
         "mean number of delayed discharges over the step (delayed_discharge_bed_days / days in the step): what a daily count averages to; "
         "delayed_discharges counts only those still in at the end of the step", false,
         [](const Tally& t, int q) { return metric_ratio(t.get(CareCounter::DelayedBedDays, q), t.get(PeopleCounter::StepDays, 0)); }});
  m.count("trolley_waits", "persons", CareCounter::TrolleyWaits, "people decided for admission who could not get a bed that step (beds and escalation beds full); counted once when the wait starts, they are admitted first in later steps");
  m.count("trolley_wait_deaths", "persons", CareCounter::TrolleyWaitDeaths,
          "deaths of patients waiting in A&E for a bed (also counted in in_hospital_deaths and deaths)");
  m.count("deconditioned_after_delay", "persons", CareCounter::Deconditioned,
          "people whose frailty moved up a level during a delayed discharge (deconditioning)");
  m.count("in_hospital_deaths", "persons", PeopleCounter::InHospitalDeaths, "deaths in hospital, any cause (also counted in deaths)");
  m.count("discharges", "persons", CareCounter::Discharges, "discharges from hospital (alive)");
  m.add({"home_care_hours", "hours", "flow", "home care hours delivered in the step", false,
               [](const Tally& t, int q) { return static_cast<double>(t.get(CareCounter::HomeCareMinutes, q)) / 60.0; }});
  m.count("home_care_packages", "persons", CareCounter::HomeCarePackages, "people with a home care package");
  m.count("reablement_episodes", "episodes", CareCounter::ReablementStarts, "reablement episodes started");
  m.count("home_care_starts", "persons", CareCounter::HomeCareStarts, "council-funded home care packages started");
  m.count("people_in_reablement", "persons", CareCounter::InReablement, "people in a reablement episode");
  m.count("care_home_residents", "persons", CareCounter::CareHomeResidents, "people living in a care home (including those in hospital)");
  m.count("care_home_admissions", "persons", CareCounter::CareHomeAdmissions, "people moving into a care home (from hospital or home)");
  m.count("care_home_emergency_admissions", "admissions", CareCounter::CareHomeEmergencyAdmissions,
          "emergency admissions of care-home residents (also counted in emergency_admissions)");
  m.count("care_home_end_of_life_in_home", "persons", CareCounter::CareHomeEndOfLife,
          "care-home residents whose emergency admission would have ended in death, cared for and dying in their care home instead "
          "(care.social_care.resident_end_of_life_in_home_share; also counted in deaths_in_care_home)");
  m.count("intermediate_care_bed_admissions", "persons", CareCounter::IntermediateBedAdmissions,
          "patients discharged from hospital into an NHS intermediate care (community) bed");
  m.count("intermediate_care_home_starts", "persons", CareCounter::IntermediateHomeStarts,
          "patients discharged from hospital to home-based NHS intermediate care");
  m.count("pathway_managed_referrals", "referrals", CareCounter::PathwayManaged,
          "outpatient referrals managed in primary care instead, under shared clinical pathways (care_model.integration.shared_pathways)");
  m.count("gp_follow_up_appointments", "appointments", CareCounter::GpFollowUps,
          "GP follow-up appointments for referrals managed in primary care (booked into the next step; also in gp_appointments at the practice)");
  m.count("step_up_intermediate_care", "persons", CareCounter::StepUp,
          "patients A&E would have admitted for an event of care.intermediate_care.step_up, cared for at home by intermediate care instead (not counted as admissions)");
  m.count("intermediate_care_diverted", "persons", CareCounter::IntermediateDiverted,
          "patients who waited care.intermediate_care.max_wait_days in hospital for intermediate care and were sent to the council's reablement (home-based) or home care (a bed) instead");
  m.count("people_in_intermediate_care", "persons", CareCounter::InIntermediateCare,
          "people in an intermediate care episode, in a community bed or at home");
  m.count("people_waiting_social_care", "persons", CareCounter::WaitingSocialCare, "people at home with an assessed social care need not yet met");
  m.count("third_sector_contacts", "contacts", CareCounter::ThirdSectorContacts, "contacts with third-sector services");
  m.count("third_sector_unmet", "referrals", CareCounter::ThirdSectorUnmet, "third-sector referrals not taken on for lack of capacity");
  m.pounds("cost_primary_care_gbp", {sector_cost(ProviderKind::Gp)}, "GP practice appointments, and programmes GPs deliver", false);
  m.pounds("cost_acute_gbp", {sector_cost(ProviderKind::Acute)}, "A&E, emergency and elective spells, excess bed days, outpatients, and programmes trusts deliver", false);
  m.pounds("cost_social_care_gbp", {sector_cost(ProviderKind::SocialCare)}, "council-funded home care, reablement and care home weeks, and programmes councils deliver", false);
  m.pounds("cost_third_sector_gbp", {sector_cost(ProviderKind::ThirdSector)}, "third-sector contacts, and programmes the third sector delivers", false);
  m.pounds("cost_intermediate_care_gbp", {sector_cost(ProviderKind::IntermediateCare)}, "NHS intermediate care: community bed days and home-based visits", false);
  std::vector<Counter> sectors;  // every provider kind's, so a new kind is in the total
  for (size_t k = 0; k < kProviderKinds; ++k) sectors.push_back(sector_cost(static_cast<ProviderKind>(k)));
  m.pounds("cost_total_gbp", sectors, "all sectors (the sum of the sector cost metrics)", true);
  m.count("mutual_aid_admissions", "admissions", CareCounter::MutualAidAdmissions,
       "emergency admissions to a partner trust because the patient's own trust had no bed (acute mutual aid)");
}

}  // namespace hscsim
