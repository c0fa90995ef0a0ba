// Reading the care, health-event and unit-cost sections of the config.
#include <cmath>

#include <fmt/format.h>

#include "agents/care/care.hpp"
#include "model/core/money.hpp"

namespace hscsim {
namespace {

using config::Reader;


std::array<double, 4> by_frailty(Reader& r, const char* key, const config::Range& range) {
  auto v = r.reals(key, 4, range);
  return {v[0], v[1], v[2], v[3]};
}

int64_t pence(Reader& r, const char* key) {
  return to_pence(r.real(key, config::non_negative()));
}

}  // namespace

namespace {

// `care_model:` the degree of integration and what full integration does.
void read_care_model(Reader& cm, IntegrationParams& x) {
  cm.skip("community_engagement");  // read with the interventions
  if (auto in = cm.optional_child("integration")) {
    x.shared_records = in->real("shared_records", config::probability(), 0);
    x.multidisciplinary_working = in->real("multidisciplinary_working", config::probability(), 0);
    x.joint_discharge_planning = in->real("joint_discharge_planning", config::probability(), 0);
    x.shared_pathways = in->real("shared_pathways", config::probability(), 0);
    x.acute_mutual_aid = in->boolean("acute_mutual_aid", false);
    x.mutual_aid_order = in->choice("mutual_aid_order", {"need", "random"}, "need") == "random" ? IntegrationParams::AidOrder::Random
                                                                                              : IntegrationParams::AidOrder::Need;
    x.formalised = in->choice("partnership", {"formalised", "person_dependent"}, "formalised") == "formalised";
    x.key_staff_turnover_per_year = in->real("key_staff_turnover_per_year", {0, 10}, 0);
    in->finish();
  }
  if (auto ef = cm.optional_child("effects_at_full_integration")) {
    x.los_reduction = ef->real("shared_records_length_of_stay_reduction", config::probability(), 0);
    x.referral_reduction = ef->real("shared_records_referral_reduction", config::probability(), 0);
    x.multimorbid_admission_reduction = ef->real("mdt_multimorbid_admission_reduction", config::probability(), 0);
    x.discharge_need_reduction = ef->real("joint_discharge_social_care_need_reduction", config::probability(), 0);
    x.discharge_assessment_reduction = ef->real("joint_discharge_assessment_reduction", config::probability(), 0);
    x.pathways_managed = ef->real("pathways_referrals_managed_in_primary_care", config::probability(), 0);
    x.pathways_follow_ups = ef->real("pathways_follow_up_appointments", {0, 10}, 1);
    ef->finish();
  }
}

// `care.gp:` routine demand, reviews, unmet demand, referrals.
void read_gp(Reader& gp, CareParams& p) {
  p.gp_routine_per_year = gp.age_table("routine_requests_per_year", {"male", "female"}, {0, 365});
  p.gp_reviews_per_condition_per_year = gp.real("reviews_per_condition_per_year", {0, 52});
  p.gp_review_overdue_after_days = gp.real("review_overdue_after_days", {0, 3650}, 91.0);
  p.gp_unmet_acute_to_ae_share = gp.real("unmet_acute_to_ae_share", config::probability());
  p.gp_max_wait_days = gp.real("max_wait_days", {0, 3650});
  p.gp_waiting_to_ae_per_week = gp.real("waiting_to_ae_per_week", {0, 7}, 0.0);
  if (p.gp_waiting_to_ae_per_week > 0 || gp.has("escalation_event")) {
    const std::string name = gp.text("escalation_event");
    std::vector<std::string> names;
    for (size_t k = 0; k < p.events.size(); ++k) {
      if (p.events[k].name == name) p.gp_escalation_event = static_cast<int>(k);
      names.push_back(p.events[k].name);
    }
    if (p.gp_escalation_event < 0)
      throw gp.error("escalation_event", fmt::format("no health event is named '{}'{} Known: {}", name,
                                                     config::did_you_mean(name, names, "."), fmt::join(names, ", ")));
  }
  p.outpatient_referral_probability = gp.real("outpatient_referral_probability", config::probability());
  p.elective_referral_probability = gp.real("elective_referral_probability", config::probability());
  if (auto r = gp.optional_child("remote")) {
    auto& x = p.gp_remote;
    x.time_ratio = r->real("time_ratio", {0.05, 1}, 1);
    if (auto su = r->optional_child("suitable")) {
      x.suitable_routine = su->real("routine", config::probability(), 1);
      x.suitable_event = su->real("health_event", config::probability(), 1);
      x.suitable_review = su->real("review", config::probability(), 1);
      su->text("source", "");
      su->finish();
    }
    if (r->has("digitally_excluded")) x.excluded = r->age_table("digitally_excluded", {"share"}, config::probability());
    if (r->has("excluded_rr_by_quintile")) {
      const auto v = r->reals("excluded_rr_by_quintile", 5, {0, 20});
      std::copy(v.begin(), v.end(), x.excluded_rr_by_quintile.begin());
    }
    r->text("source", "");
    r->finish();
  }
}

// `care.hospital:` lengths of stay, excess bed days, readmissions, discharge needs.
void read_hospital(Reader& h, CareParams& p) {
  p.los_multiplier = h.age_table("los_multiplier", {"multiplier"}, {0, 100});
  p.short_stay_max_days = h.real("short_stay_max_days", {0, 365});
  p.excess_bed_days_after = h.real("excess_bed_days_after_days", {0, 3650});
  p.elective_los_days_mean = h.real("elective_los_days_mean", {0, 365});
  p.day_case_share = h.real("day_case_share", config::probability());
  p.readmission_window_days = h.real("readmission_window_days", {0, 365});
  // Multimorbidity: two or more long-term conditions (Academy of Medical Sciences, 2018).
  p.multimorbid_min_conditions = static_cast<int>(h.integer("multimorbid_min_conditions", {1, 20}, 2));
  p.post_discharge_event_rr = h.real("post_discharge_event_rr", config::positive_rr());
  {
    const auto v = h.reals("emergency_route_rr_by_quintile", 5, {0, 20}, {1, 1, 1, 1, 1});
    std::copy(v.begin(), v.end(), p.emergency_route_rr_by_quintile.begin());
  }
  p.trolley_wait_death_probability = h.real("trolley_wait_death_probability", config::probability(), 0.0);
  p.delayed_discharge_frailty_per_week = h.real("delayed_discharge_frailty_per_week", {0, 7}, 0.0);
  p.in_hospital_death_rr_by_age = h.age_table("in_hospital_death_rr_by_age", {"male", "female"}, {0, 1000}, 1.0);
  p.in_hospital_death_rr_resident = h.real("in_hospital_death_rr_resident", config::positive_rr(), 1.0);
  p.discharge_social_care_by_frailty = by_frailty(h, "discharge_social_care_by_frailty", config::probability());
  p.discharge_social_care_rr_no_carer = h.real("discharge_social_care_rr_no_carer", config::positive_rr());
  // Shares and times in CareNeed order; intermediate care is optional (a place without it).
  Reader mix = h.child("discharge_mix");
  std::vector<double> m = {mix.real("reablement", config::probability()), mix.real("home_care", config::probability()),
                           mix.real("care_home", config::probability()),
                           mix.real("intermediate_care_home", config::probability(), 0.0),
                           mix.real("intermediate_care_bed", config::probability(), 0.0)};
  config::require_shares(m, mix.node(), mix.path());
  std::copy(m.begin(), m.end(), p.discharge_mix.begin());
  mix.finish();
  if (auto a = h.optional_child("discharge_assessment_days_mean")) {
    p.discharge_assessment_days = {a->real("reablement", {0, 365}), a->real("home_care", {0, 365}), a->real("care_home", {0, 365}),
                                   a->real("intermediate_care_home", {0, 365}, 0.0),
                                   a->real("intermediate_care_bed", {0, 365}, 0.0)};
    a->finish();
  }
  if (auto c = h.optional_child("patient_choice")) {
    p.patient_choice_share = c->real("share_of_care_home", config::probability());
    p.patient_choice_days_mean = c->real("days_mean", {0, 365});
    c->finish();
  }
  p.home_care_to_care_home_at_discharge = h.real("home_care_to_care_home_at_discharge", config::probability(), 0.0);
  // Lists of classes with shares adding up to 1: their cumulative shares.
  auto classes = [&h](std::string_view key, size_t most, const char* what, auto&& also) {
    std::vector<double> cum;
    auto list = h.list(key);
    if (list.empty() || list.size() > most) throw h.error(key, fmt::format("expected 1 to {} {}", most, what));
    for (auto& c : list) {
      cum.push_back((cum.empty() ? 0.0 : cum.back()) + c.real("share", config::probability()));
      also(c);
      c.finish();
    }
    if (std::fabs(cum.back() - 1.0) > 1e-9)
      throw h.error(key, fmt::format("the {}' shares add up to {:g}; they must add up to 1", what, cum.back()));
    cum.back() = 1.0;
    return cum;
  };
  if (h.has("elective_priority")) {
    p.elective_priority_days.clear();
    p.elective_priority_cum = classes("elective_priority", 8, "classes", [&](Reader& c) {
      p.elective_priority_days.push_back(static_cast<int32_t>(c.integer("within_days", {-3650, 3650})));
    });
  }
  if (h.has("elective_specialties")) {
    p.elective_specialty_capacity.clear();
    p.elective_specialty_cum = classes("elective_specialties", 16, "specialties", [&](Reader& c) {
      (void)c.name("name");
      p.elective_specialty_capacity.push_back(c.real("capacity_share", config::probability()));
    });
    double cap = 0;
    for (double k : p.elective_specialty_capacity) cap += k;
    if (std::fabs(cap - 1.0) > 1e-9)
      throw h.error("elective_specialties",
                    fmt::format("the specialties' capacity shares add up to {:g}; they must add up to 1", cap));
  }
  p.elective_list_removal_per_year = h.real("elective_list_removal_per_year", config::non_negative(), 0.0);
  if (auto e = h.optional_child("initial_elective_list")) {
    p.initial_elective_list_per_100000 = e->real("per_100000", {0, 1e5});
    p.initial_elective_over_18_weeks_share = e->real("over_18_weeks_share", {0.001, 0.999});
    e->finish();
  }
}

// `care.social_care:` packages, reablement, new needs, care homes, care at the start.
void read_social_care(Reader& sc, CareParams& p) {
  p.package_hours_per_week = sc.real("package_hours_per_week", {0, 168});
  p.package_end_per_year = sc.real("package_end_per_year", config::non_negative());
  p.reablement_days = sc.real("reablement_days", {1, 365});
  p.reablement_no_further_care_share = sc.real("reablement_no_further_care_share", config::probability());
  p.community_need_per_year_by_frailty = by_frailty(sc, "community_need_per_year_by_frailty", config::non_negative());
  p.community_need_rr = RelativeRisks::read(sc);
  p.community_care_home_share = sc.real("community_care_home_share", config::probability());
  p.care_home_rr_by_age = sc.age_table("care_home_rr_by_age", {"rr"}, config::positive_rr(), 1.0);
  p.resident_emergency_route_rr = sc.real("resident_emergency_route_rr", config::positive_rr(), 1.0);
  p.resident_end_of_life_in_home_share = sc.real("resident_end_of_life_in_home_share", config::probability(), 0.0);
  auto sf = sc.reals("self_funder_share_by_quintile", 5, config::probability());
  for (size_t q = 0; q < 5; ++q) p.self_funder_share_by_quintile[q] = sf[q];
  p.nursing_share = sc.real("nursing_share", config::probability());
  p.initial_care_home_by_frailty = by_frailty(sc, "initial_care_home_share_by_frailty", config::probability());
  // Care-home residents are counted among people 65+ (ONS Census 2021 care home residents).
  p.initial_care_home_min_age_years = sc.real("initial_care_home_min_age_years", {0, 130}, 65);
  p.initial_home_care_by_frailty = by_frailty(sc, "initial_home_care_share_by_frailty", config::probability());
}

// `care.intermediate_care:` NHS step-down care after a hospital stay.
void read_intermediate_care(Reader& ic, CareParams& p) {
  p.intermediate_bed_days = ic.real("bed_days", {1, 365});
  p.intermediate_home_days = ic.real("home_days", {1, 365});
  p.intermediate_home_contacts_per_week = ic.real("home_contacts_per_week", {0, 100});
  p.intermediate_max_wait_days = ic.real("max_wait_days", {0, 3650}, 1e9);
  auto after = [&](const char* key, std::array<double, 2>& out) {
    Reader a = ic.child(key);
    out = {a.real("home_care", config::probability()), a.real("care_home", config::probability())};
    if (out[0] + out[1] > 1 + 1e-9)
      throw a.error(a.node(), a.path(), fmt::format("home_care + care_home is {:g}; at most 1 (the rest go home without care)",
                                                    out[0] + out[1]));
    a.finish();
  };
  after("after_bed", p.after_intermediate_bed);
  after("after_home", p.after_intermediate_home);
  p.step_up_event.assign(p.events.size(), 0);
  if (auto su = ic.optional_child("step_up")) {
    p.step_up_share = su->real("share", config::probability());
    p.step_up_days = su->real("days", {1, 365}, 14);
    std::vector<std::string> names = {"acsc"};
    for (const auto& e : p.events) names.push_back(e.name);
    const config::Node* list = su->node().find("events");
    if (!list || !list->is_seq() || list->seq.empty())
      throw su->error("events", "a list of health events (or acsc: every ambulatory-care-sensitive event)");
    for (const auto& item : list->seq) {
      bool found = false;
      for (size_t k = 0; k < p.events.size(); ++k)
        if (item.scalar == p.events[k].name || (item.scalar == "acsc" && p.events[k].acsc)) {
          p.step_up_event[k] = 1;
          found = true;
        }
      if (!found && item.scalar != "acsc")
        throw su->error(item, su->key_path("events"), fmt::format("no health event '{}'{}", item.scalar, config::did_you_mean(item.scalar, names)));
    }
    su->skip("events");
    su->text("source", "");
    su->finish();
  }
}

// One `care.third_sector` service; capacity per week or per 100,000 people.
ThirdSectorService read_service(Reader& r, const std::vector<ThirdSectorService>& others, int64_t population_size) {
  ThirdSectorService s;
  s.name = r.name("name");
  for (const auto& o : others)
    if (o.name == s.name) throw r.error("name", fmt::format("service name '{}' is used twice", s.name));
  s.eligible_factor = read_factor(r, "eligible");
  // Capacity as people a week, or per 100,000 people at the start (scales with the place).
  if (r.has("people_per_week_per_100000") || !r.has("people_per_week")) {
    if (r.has("people_per_week"))
      throw r.error("people_per_week", "give people_per_week or people_per_week_per_100000, not both");
    s.people_per_week = r.real("people_per_week_per_100000", config::capacity()) *
                        static_cast<double>(population_size) / 1e5;
    r.skip("people_per_week");
  } else {
    s.people_per_week = r.real("people_per_week", config::capacity());
    r.skip("people_per_week_per_100000");
  }
  s.gp_referral_probability = r.real("gp_referral_probability", config::probability());
  s.hospital_referral_probability = r.real("hospital_referral_probability", config::probability());
  s.self_referral_per_year = r.real("self_referral_per_year", config::non_negative());
  s.contacts_per_person = r.integer("contacts_per_person", {1, 1000});
  s.contact_pence = pence(r, "cost_per_contact_gbp");
  r.finish();
  return s;
}

// One `health_events:` entry.
HealthEvent read_event(Reader& r, const std::string& name) {
  HealthEvent h;
  h.name = name;
  h.requires_factor = r.has("requires") ? read_factor(r, "requires") : (r.skip("requires"), -1);
  h.rate_per_year = r.age_table("rate_per_year", {"male", "female"}, {0, 365});
  h.rr = RelativeRisks::read(r);
  h.acsc = r.boolean("acsc", false);
  Reader route = r.child("route");
  std::vector<double> sh = {route.real("self_care", config::probability()), route.real("gp", config::probability()),
                            route.real("emergency", config::probability())};
  config::require_shares(sh, route.node(), route.path());
  h.route = {sh[0], sh[1], sh[2]};
  route.finish();
  h.admit_probability = r.real("admit_probability", config::probability());
  h.los_days_mean = r.real("los_days_mean", {0, 365});
  h.in_hospital_death_probability = r.real("in_hospital_death_probability", config::probability());
  if (auto c = r.optional_child("consequence")) {
    const std::string state = c->text("state");
    const int f = factor_index(state);
    if (f < 0 || f >= kStateCount) {
      std::vector<std::string> names;
      for (int k = 0; k < kStateCount; ++k) names.emplace_back(kStateInfo[static_cast<size_t>(k)].name);
      throw c->error("state", fmt::format("'{}' is not a state{}", state, config::did_you_mean(state, names)));
    }
    h.consequence_state = f;
    h.consequence_probability = c->real("probability", config::probability());
    c->finish();
  }
  r.finish();
  return h;
}

// `unit_costs:` [GBP in the config, pence in the model].
UnitCosts read_unit_costs(Reader& c) {
  UnitCosts u;
  u.gp_appointment = pence(c, "gp_appointment_gbp");
  u.virtual_appointment = pence(c, "virtual_appointment_gbp");
  u.outpatient_attendance = pence(c, "outpatient_attendance_gbp");
  u.ae_attendance = pence(c, "ae_attendance_gbp");
  u.nel_spell_short = pence(c, "non_elective_short_stay_gbp");
  u.nel_spell_long = pence(c, "non_elective_long_stay_gbp");
  u.excess_bed_day = pence(c, "excess_bed_day_gbp");
  u.elective_spell = pence(c, "elective_spell_gbp");
  u.day_case = pence(c, "day_case_gbp");
  u.home_care_hour = pence(c, "home_care_hour_gbp");
  u.reablement_episode = pence(c, "reablement_episode_gbp");
  u.residential_week = pence(c, "residential_care_week_gbp");
  u.nursing_week = pence(c, "nursing_care_week_gbp");
  u.intermediate_bed_day = to_pence(c.real("intermediate_care_bed_day_gbp", config::non_negative(), 0.0));
  u.intermediate_home_contact = to_pence(c.real("intermediate_care_home_contact_gbp", config::non_negative(), 0.0));
  return u;
}

}  // namespace

CareParams CareParams::read(Reader& root, int64_t population_size) {
  CareParams p;
  if (auto cm = root.optional_child("care_model")) {
    read_care_model(*cm, p.integration);
    cm->finish();
  }
  // Events first: care.gp names one.
  Reader ev = root.child("health_events");
  ev.names("<event>");
  for (const auto& e : ev.node().map) {
    Reader r = ev.child(e.key);
    p.events.push_back(read_event(r, e.key));
  }
  if (p.events.size() > static_cast<size_t>(substream::kMaxEvents))
    throw ev.error(ev.node(), ev.path(),
                   fmt::format("{} health events; at most {} are supported (one random sub-stream each)", p.events.size(),
                               substream::kMaxEvents));
  ev.finish();

  Reader care = root.child("care");
  {
    Reader gp = care.child("gp");
    read_gp(gp, p);
    gp.finish();
  }
  {
    Reader h = care.child("hospital");
    read_hospital(h, p);
    h.finish();
  }
  {
    Reader sc = care.child("social_care");
    read_social_care(sc, p);
    sc.finish();
  }
  if (auto ic = care.optional_child("intermediate_care")) {
    read_intermediate_care(*ic, p);
    ic->finish();
  } else if (p.discharge_mix[3] + p.discharge_mix[4] > 0) {
    throw care.error("intermediate_care", "missing: care.hospital.discharge_mix sends patients to intermediate care; give "
                                          "bed_days, home_days, home_contacts_per_week, after_bed and after_home");
  }
  for (auto r : care.list("third_sector")) p.third_sector.push_back(read_service(r, p.third_sector, population_size));
  if (p.third_sector.size() > static_cast<size_t>(substream::kMaxServices))
    throw care.error("third_sector", fmt::format("{} services; at most {} are supported (one random sub-stream each)",
                                                 p.third_sector.size(), substream::kMaxServices));
  care.finish();

  Reader c = root.child("unit_costs");
  p.costs = read_unit_costs(c);
  c.finish();
  return p;
}

}  // namespace hscsim
