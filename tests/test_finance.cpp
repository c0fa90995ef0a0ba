// Finance, contracts and the care model: ledgers, incentives, stall rule, integration
// levers, and every shipped scenario file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "helpers.hpp"
#include "model/sim/comparison.hpp"
#include "model/sim/world.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
RunResult run(const config::Node& root, int threads = 2) { return run_experiment(Experiment::from_config(root, "t"), threads); }

// The default config with `base` and then `extra` overrides, run.
RunResult run_with(std::vector<std::string> base, const std::vector<std::string>& extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return run(default_config(base));
}


const ProviderGroup& group(const std::vector<ProviderGroup>& gs, const std::string& id, const std::string& folder) {
  auto it = std::find_if(gs.begin(), gs.end(), [&](const ProviderGroup& g) { return g.id == id && g.folder == folder; });
  REQUIRE(it != gs.end());
  return *it;
}

// Outcome payments with an investor and an alliance: every kind of money flow at once.
std::vector<std::string> everything() {
  return {"population.size=3000", "time.years=3", "run.replicates=2",
          "interventions.dm={delivered_by: gp, start_year: 2025, eligible: {all: [diabetes_uncontrolled]}, "
          "capacity_per_year: 300, effects: [{target: 'recovery:diabetes_uncontrolled', multiplier: 3}]}",
          "finance.outcome_payments=[{name: controlled, provider: gp_riverside_surgery, programme: dm, "
          "state_ended: diabetes_uncontrolled, gbp_per_outcome: 400}]",
          "finance.investor={name: si, invests_in: gp_riverside_surgery, invests_gbp: 20000, in_year: 2025, return_cap_multiple: 1.5}",
          "finance.alliance={members: [gp, acute, social_care], baseline_gbp_per_person_per_year: 1300}"};
}
}  // namespace

TEST_CASE("money is conserved every step: payers pay what providers and the investor receive") {
  auto root = default_config(everything());
  const Params p = Params::read(root);
  const auto groups = published_groups(p);
  auto r = run(root);
  int64_t outcome = 0, shared = 0, received = 0;
  for (const auto& rep : r.scenarios[0].providers)
    for (const auto& v : rep) {
      int64_t paid = 0, got = 0;
      for (const auto& g : groups) {
        if (g.kind == "commissioner_ledger") paid += v[g.offset + FinanceLayout::Payments];
        if (g.kind == "investor_ledger") {
          paid += v[g.offset + FinanceLayout::Invested];
          got += v[g.offset + FinanceLayout::Received];
          received += v[g.offset + FinanceLayout::Received];
        }
        if (g.kind == "provider_ledger") {
          got += v[g.offset + FinanceLayout::Income];
          CHECK(v[g.offset + FinanceLayout::Margin] == v[g.offset + FinanceLayout::Income] - v[g.offset + FinanceLayout::Cost]);
          shared += v[g.offset + FinanceLayout::Shared];
        }
      }
      REQUIRE(paid == got);
    }
  for (const auto& rep : r.scenarios[0].steps)
    for (const auto& t : rep) outcome += t.get(FinanceCounter::FinOutcomePaymentsPence);
  CHECK(outcome > 0);
  CHECK(received > 0);
  CHECK(received <= 2 * 30000 * 100);  // at most 1.5 x the investment, per replicate
  CHECK(shared != 0);
  CHECK(total(r, FinanceCounter::FinPaymentsPence) == total(r, FinanceCounter::FinProviderIncomePence) +
                                                   [&] {
                                                     int64_t n = 0;
                                                     for (const auto& rep : r.scenarios[0].providers)
                                                       for (const auto& v : rep)
                                                         for (const auto& g : groups)
                                                           if (g.kind == "investor_ledger") n += v[g.offset + FinanceLayout::Received];
                                                     return n;
                                                   }());
}

TEST_CASE("finance does not change health or care (it only moves money) unless incentives are set") {
  auto a = run(default_config({"population.size=2000", "time.years=1", "run.replicates=1"}));
  auto b = run(default_config({"population.size=2000", "time.years=1", "run.replicates=1",
                               "finance.contracts.acute={type: block, gbp_per_person_per_year: 900}"}));
  for (Counter c : std::initializer_list<Counter>{CareCounter::EmergencyAdmissions, CareCounter::BedDays, PeopleCounter::Deaths, sector_cost(ProviderKind::Acute)})
    CHECK(total(a, c) == total(b, c));
  CHECK(total(a, FinanceCounter::FinPaymentsPence) != total(b, FinanceCounter::FinPaymentsPence));
}

TEST_CASE("incentive levers move outcomes the right way") {
  const std::vector<std::string> base = {"population.size=4000", "time.years=2", "run.replicates=2"};
  auto with = [&](const std::vector<std::string>& extra) { return run_with(base, extra); };
  auto ffs = with({});
  // Contracts that change on the first day (from_year 2025, the run's start).
  auto cap = with({"finance.contracts.acute={type: capitation, gbp_per_person_per_year: 870, from_year: 2025, before: {type: fee_for_service}}",
                   "finance.incentives.capitation={admission: 0.8, referral: 0.8, prevention: 1.5}"});
  CHECK(total(cap, CareCounter::EmergencyAdmissions) < total(ffs, CareCounter::EmergencyAdmissions));
  // GP referral propensity: practices move from fee-for-service to capitation.
  const std::string gp = "finance.contracts.gp={type: capitation, gbp_per_person_per_year: 125, from_year: 2025, before: {type: fee_for_service}}";
  auto fewer = with({gp, "finance.incentives.capitation={admission: 1, referral: 0.5, prevention: 1}"});
  CHECK(total(fewer, CareCounter::OutpatientAttendances) < total(ffs, CareCounter::OutpatientAttendances));
  // Prevention propensity scales the capacity of programmes the provider delivers.
  const std::string prog = "interventions.p={delivered_by: gp, start_year: 2025, capacity_per_year: 400, effects: []}";
  auto low = with({prog, gp, "finance.incentives.capitation={admission: 1, referral: 1, prevention: 0.5}"});
  auto high = with({prog, gp, "finance.incentives.capitation={admission: 1, referral: 1, prevention: 1.5}"});
  CHECK(total(high, InterventionCounter::InterventionEnrolments) > 2 * total(low, InterventionCounter::InterventionEnrolments));
}

TEST_CASE("the stall rule: a provider losing money withdraws and its programmes stop") {
  // The warm-homes charity is paid nothing but must fund its programme: it withdraws
  // after 2 bad quarters and enrols no one after that.
  auto root = default_config({"population.size=3000", "time.years=2", "run.replicates=1",
                              "finance.contracts.third_sector={type: block, gbp_per_person_per_year: 0}",
                              "finance.stall={margin_below_share_of_income: -0.01, quarters: 2}"});
  config::merge(root, config::load(source_path("configs/interventions/warm_homes.yaml")));
  config::apply_override(root, "interventions.damp_and_warm_homes.start_year=2025");
  const auto groups = published_groups(Params::read(root));
  const auto& g = group(groups, "third_sector_warm_homes_and_repairs", "finance");
  auto r = run(root);
  const auto& steps = r.scenarios[0].providers[0];
  size_t withdrew = steps.size();
  for (size_t s = 0; s < steps.size(); ++s)
    if (steps[s][g.offset + FinanceLayout::Withdrawn] && withdrew == steps.size()) withdrew = s;
  REQUIRE(withdrew < steps.size());
  CHECK(withdrew >= 25);  // two quarters of 13 weeks
  int64_t after = 0;
  const auto tallies = r.scenarios[0].steps[0];
  for (size_t s = withdrew + 1; s < steps.size(); ++s) after += tallies[s].get(InterventionCounter::InterventionEnrolments);
  CHECK(after == 0);
  CHECK(r.scenarios[0].steps[0].back().get(FinanceCounter::ProvidersWithdrawn) >= 1);
}

TEST_CASE("integration levers: joint discharge planning cuts delays, mutual aid cuts trolley waits") {
  auto base = default_config({"population.size=6000", "time.years=2", "run.replicates=2",
                              "local_authorities.0.home_care_hours_per_week=500", "local_authorities.0.care_home_places=40"});
  auto planned = base;
  config::apply_override(planned, "care_model={integration: {joint_discharge_planning: 1}, effects_at_full_integration: "
                                  "{joint_discharge_social_care_need_reduction: 0.5}}");
  CHECK(total(run(planned), CareCounter::DelayedBedDays) < total(run(base), CareCounter::DelayedBedDays));

  auto two = config::load(source_path("configs/scenarios/acute_collaborative.yaml"));
  // 6,000 people: city_general (about half of them) is short of beds, county_hospital is not.
  for (const char* s : {"population.size=6000", "time.years=1", "run.replicates=2", "acute_trusts.0.general_acute_beds=4",
                        "acute_trusts.0.escalation_beds=0", "acute_trusts.1.general_acute_beds=14"})
    config::apply_override(two, s);
  auto r = run(two);
  REQUIRE(r.scenarios.size() == 3);
  CHECK(total(r, CareCounter::MutualAidAdmissions, 1) > 0);
  CHECK(total(r, CareCounter::MutualAidAdmissions, 0) == 0);
  CHECK(total(r, CareCounter::TrolleyWaits, 1) < total(r, CareCounter::TrolleyWaits, 0));
}

TEST_CASE("a person-dependent partnership weakens over time") {
  IntegrationParams x;
  x.formalised = false;
  x.key_staff_turnover_per_year = 0.2;
  CHECK(x.strength(0) == 1.0);
  CHECK(x.strength(5) == Approx(std::exp(-1.0)));
  x.formalised = true;
  CHECK(x.strength(5) == 1.0);
}

TEST_CASE("every shipped scenario file runs (small population)") {
  namespace fs = std::filesystem;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(source_path("configs/scenarios"))) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    auto root = config::load(entry.path().string());
    for (const char* s : {"population.size=1500", "time.years=2", "run.replicates=2"}) config::apply_override(root, s);
    auto e = Experiment::from_config(root, "s");
    REQUIRE(e.scenarios.size() >= 2);
    auto r = run_experiment(e, 2);
    REQUIRE(compare(r).size() == e.scenarios.size() - 1);
    ++files;
  }
  CHECK(files >= 11);
}

TEST_CASE("finance config errors are clear") {
  auto msg = config_error([] { Params::read(default_config({"finance.contracts.acutee={type: block}"})); });
  CHECK(msg.find("no provider or provider kind 'acutee'; did you mean 'acute'?") != std::string::npos);
  msg = config_error([] { Params::read(default_config({"finance.contracts.acute={type: capitaton}"})); });
  CHECK(msg.find("capitaton") != std::string::npos);
  msg = config_error([] { Params::read(default_config({"finance.commissioners.icb.pays=[gp, acute]"})); });
  CHECK(msg.find("no commissioner pays provider third_sector_social_prescribing") != std::string::npos);
}

// Issue 16, defect 1: configs/finance/incentives.yaml applied the capitation referral
// response from day 0 to GP practices that were on capitation all along, so outpatient
// referrals fell 5% before any reform and the acute trust's income fell with them.
TEST_CASE("incentives act only from a contract change, and only on providers whose contract changed") {
  // 20,000 people: the response (4% fewer admissions) is ~90 admissions in the second year
  // there, while at 4,000 people one replicate in three went the other way on noise.
  const std::vector<std::string> base = {"population.size=20000", "time.years=2", "run.replicates=1"};
  auto with = [&](std::vector<std::string> extra, bool incentives) {
    auto root = default_config(base);
    if (incentives) config::merge(root, config::load(source_path("configs/finance/incentives.yaml")));
    for (const auto& s : extra) config::apply_override(root, s);
    return run(root);
  };
  // Nobody's contract changes: the incentives file changes nothing at all.
  auto plain = with({}, false), same = with({}, true);
  for (Counter c : std::initializer_list<Counter>{CareCounter::OutpatientAttendances, CareCounter::EmergencyAdmissions,
                                                  FinanceCounter::FinProviderIncomePence})
    CHECK(total(plain, c) == total(same, c));
  // The trust moves to capitation in 2026: 2025 is untouched, and the practices (whose
  // contract did not change) refer as before.
  const std::string reform = "finance.contracts.acute={type: capitation, gbp_per_person_per_year: 870, from_year: 2026, "
                             "before: {type: fee_for_service, billing_cost_gbp_per_transaction: 2}}";
  auto changed = with({reform}, true), unchanged = with({reform}, false);
  const auto& a = changed.scenarios[0].steps[0];
  const auto& b = unchanged.scenarios[0].steps[0];
  REQUIRE(a.size() == b.size());
  for (size_t s = 0; s < 52; ++s) {
    CHECK(a[s].get(CareCounter::OutpatientAttendances) == b[s].get(CareCounter::OutpatientAttendances));
    CHECK(a[s].get(CareCounter::EmergencyAdmissions) == b[s].get(CareCounter::EmergencyAdmissions));
  }
  CHECK(total(changed, CareCounter::EmergencyAdmissions) < total(unchanged, CareCounter::EmergencyAdmissions));
}

// Issue 16, defect 2: after a member withdrew, alliance savings were the baseline for
// everyone minus the payments to the *remaining* members, paying them the withdrawn
// member's budget as "savings". Savings are measured against the agreed baseline for the
// members at signing; a member that withdraws shares only for the part of the year it
// was a member. Checked against the ledgers, by hand, at every year end.
TEST_CASE("alliance savings with a withdrawal: against the baseline agreed at signing") {
  // The warm-homes charity is paid nothing and withdraws after two quarters.
  auto root = default_config({"population.size=3000", "time.years=3", "run.replicates=1",
                              "finance.contracts.third_sector={type: block, gbp_per_person_per_year: 0}",
                              "finance.stall={margin_below_share_of_income: -0.01, quarters: 2}",
                              "finance.alliance={members: [gp, acute, social_care, third_sector], "
                              "baseline_gbp_per_person_per_year: 1300, provider_share_of_savings: 0.5, "
                              "provider_share_of_losses: 0.5}"});
  config::merge(root, config::load(source_path("configs/interventions/warm_homes.yaml")));
  config::apply_override(root, "interventions.damp_and_warm_homes.start_year=2025");
  const Params p = Params::read(root);
  const auto groups = published_groups(p);
  auto r = run(root);
  const auto& steps = r.scenarios[0].providers[0];
  const auto& tallies = r.scenarios[0].steps[0];
  const int steps_per_year = 52;
  bool withdrew = false;
  for (int y = 0; y < 3; ++y) {
    // Each member's contract payments over the year, and while it was still a member.
    int64_t all = 0, as_member_total = 0, shared = 0, pop = 0;
    std::vector<int64_t> as_member;
    for (const auto& g : groups) {
      if (g.kind != "provider_ledger") continue;
      bool is_member = false;
      for (const char* kind : {"gp_", "acute_", "social_care_", "third_sector_"}) is_member |= g.id.rfind(kind, 0) == 0;
      if (!is_member) continue;
      int64_t paid = 0, member = 0;
      for (int s = y * steps_per_year; s < (y + 1) * steps_per_year; ++s) {
        const auto& v = steps[static_cast<size_t>(s)];
        const int64_t contract = v[g.offset + FinanceLayout::Income] - v[g.offset + FinanceLayout::Outcome] - v[g.offset + FinanceLayout::Shared];
        paid += contract;
        // Withdrawal takes effect at a quarter's end, after that step's payments.
        const bool out_before = s > 0 && steps[static_cast<size_t>(s - 1)][g.offset + FinanceLayout::Withdrawn];
        if (!out_before) member += contract;
        if (v[g.offset + FinanceLayout::Withdrawn]) withdrew = true;
      }
      all += paid;
      as_member.push_back(member);
      as_member_total += member;
      const auto& last = steps[static_cast<size_t>((y + 1) * steps_per_year - 1)];
      shared += last[g.offset + FinanceLayout::Shared];
      if (g.id.rfind("social_care_", 0) == 0) pop += last[g.offset + FinanceLayout::Served];
    }
    REQUIRE(pop > 0);
    const int64_t diff = 1300 * 100 * pop - all;
    const double pool = diff > 0 ? 0.5 * static_cast<double>(diff) : -0.5 * static_cast<double>(-diff);
    const double expected = pool * static_cast<double>(as_member_total) / static_cast<double>(all);
    INFO("year " << y << ": all " << all << ", as members " << as_member_total << ", pool " << pool);
    CHECK(static_cast<double>(shared) == Approx(expected).margin(2.0 * static_cast<double>(groups.size())));
    CHECK(tallies[static_cast<size_t>((y + 1) * steps_per_year - 1)].get(FinanceCounter::FinSharedSavingsPence) == shared);
  }
  CHECK(withdrew);
}

// The seed's "payment first or care first?" file: before any reform starts (2026) every
// scenario is the baseline, bit for bit, and nobody withdraws (issue 16: the acute trust
// used to withdraw at the end of 2025 in every reform scenario).
TEST_CASE("payment_vs_care_first: nothing happens before the first reform") {
  auto root = config::load(source_path("configs/scenarios/payment_vs_care_first.yaml"));
  for (const char* s : {"population.size=6000", "time.years=1", "run.replicates=2", "time.burn_in_years=0"}) config::apply_override(root, s);
  auto r = run(root);
  REQUIRE(r.scenarios.size() == 4);
  for (size_t k = 0; k < r.scenarios.size(); ++k) {
    INFO(r.scenarios[k].name);
    CHECK(total(r, FinanceCounter::ProvidersWithdrawn, k) == 0);
    for (Counter c : std::initializer_list<Counter>{CareCounter::EmergencyAdmissions, CareCounter::OutpatientAttendances,
                                                    CareCounter::BedDays, PeopleCounter::Deaths, FinanceCounter::FinPaymentsPence})
      CHECK(total(r, c, k) == total(r, c, 0));
  }
}

// Providers that respond (issue 16): null at strength 0, monotone in the strength, and
// in the direction the contract rewards.
TEST_CASE("the response model: null at strength 0, monotone in strength, in the rewarded direction") {
  const std::vector<std::string> base = {"population.size=6000", "time.years=3", "run.replicates=2"};
  // The trust moves from payment by results to capitation on the first day: an extra
  // admission was worth tariff - variable cost (1 - 0.4) and is now worth -0.4.
  const std::string cap = "finance.contracts.acute={type: capitation, gbp_per_person_per_year: 880, from_year: 2025, "
                          "before: {type: fee_for_service, billing_cost_gbp_per_transaction: 2}}";
  auto with = [&](const std::vector<std::string>& extra) { return run_with(base, extra); };
  const auto groups = published_groups(Params::read(default_config(base)));
  const auto& trust = group(groups, "acute_city_general", "finance");
  auto last_admission_propensity = [&](const RunResult& r) {
    const auto steps = r.scenarios[0].providers[0];
    return static_cast<double>(steps.back()[trust.offset + FinanceLayout::AdmissionPpm]) / 1e6;
  };
  auto none = with({cap});
  auto zero = with({cap, "finance.response={strength: 0, margin_strength: 0, lag_years: 0.25}"});
  CHECK(none.scenarios[0].steps == zero.scenarios[0].steps);
  CHECK(none.scenarios[0].providers == zero.scenarios[0].providers);
  CHECK(last_admission_propensity(zero) == 1.0);
  int64_t previous = total(zero, CareCounter::EmergencyAdmissions);
  double previous_x = 1.0;
  for (const char* strength : {"0.05", "0.15"}) {
    INFO("strength " << strength);
    auto r = with({cap, std::string("finance.response={strength: ") + strength + ", lag_years: 0.25}"});
    const int64_t admissions = total(r, CareCounter::EmergencyAdmissions);
    const double x = last_admission_propensity(r);
    CHECK(admissions < previous);
    CHECK(x < previous_x);
    CHECK(x == Approx(1.0 - std::stod(strength)).epsilon(0.02));  // near its target after 3 years
    // Discharge effort follows the same worth: shorter emergency stays.
    const auto steps = r.scenarios[0].providers[0];
    CHECK(static_cast<double>(steps.back()[trust.offset + FinanceLayout::StayPpm]) / 1e6 == Approx(x));
    previous = admissions;
    previous_x = x;
  }
  // Without a change of contract, a response model with a strength changes nothing.
  auto plain = with({}), still = with({"finance.response={strength: 0.2}"});
  CHECK(plain.scenarios[0].steps == still.scenarios[0].steps);
  // A trust on a block contract that pays too little (a deficit) admits fewer when it
  // responds to its margin: under a block contract an admission only costs it.
  const std::string tight = "finance.contracts.acute={type: block, gbp_per_person_per_year: 700}";
  auto strained = with({tight}), responding = with({tight, "finance.response={margin_strength: 2, lag_years: 0.25}"});
  CHECK(total(responding, CareCounter::EmergencyAdmissions) < total(strained, CareCounter::EmergencyAdmissions));
}

// Outcome contracts (issue 16): measured against what would have happened anyway.
namespace {
RunResult outcome_run(const std::string& effects, const std::string& payments) {
  auto root = default_config({"population.size=6000", "time.years=3", "run.replicates=2"});
  const std::string programme = "{delivered_by: gp, start_year: 2025, eligible: {all: [diabetes_uncontrolled]}, "
                                "capacity_per_year: 400, uptake: 0.8, duration_years: 1, effects: " + effects + "}";
  config::apply_override(root, "scenarios=[{name: baseline}, {name: programme, set: {interventions.dm: " + programme +
                                   ", finance.outcome_payments: " + payments + "}}]");
  return run_experiment(Experiment::from_config(root, "o"), 2);
}
int64_t paid(const RunResult& r) { return total(r, FinanceCounter::FinOutcomePaymentsPence, 1); }
}  // namespace

TEST_CASE("outcome payments against a perfect counterfactual pay nothing for a programme with no effect") {
  const std::string every =
      "[{name: controlled, programme: dm, state_ended: diabetes_uncontrolled, counterfactual: baseline_run, gbp_per_outcome: 400},"
      " {name: admissions, programme: dm, measure: admissions_avoided, gbp_per_outcome: 2000},"
      " {name: bed_days, programme: dm, measure: bed_days_avoided, gbp_per_outcome: 300},"
      " {name: happier, programme: dm, measure: wellbeing_gain, gbp_per_outcome: 13000}]";
  auto none = outcome_run("[]", every);
  // Members are enrolled and their lives are exactly the baseline's: nothing is paid.
  CHECK(total(none, InterventionCounter::InterventionEnrolments, 1) > 100);
  for (Counter c : std::initializer_list<Counter>{CareCounter::EmergencyAdmissions, CareCounter::BedDays, PeopleCounter::Deaths})
    CHECK(total(none, c, 0) == total(none, c, 1));
  CHECK(paid(none) == 0);
  // Paid per state ended without a counterfactual, the same programme is paid for the
  // members who recover anyway (deadweight).
  auto deadweight = outcome_run("[]", "[{name: controlled, programme: dm, state_ended: diabetes_uncontrolled, gbp_per_outcome: 400}]");
  CHECK(paid(deadweight) > 0);
  // A programme that works is paid for what it adds, which is less than all recoveries.
  const std::string works = "[{target: 'recovery:diabetes_uncontrolled', multiplier: 3}]";
  auto net = outcome_run(works, "[{name: c, programme: dm, state_ended: diabetes_uncontrolled, counterfactual: baseline_run, gbp_per_outcome: 400}]");
  auto gross = outcome_run(works, "[{name: c, programme: dm, state_ended: diabetes_uncontrolled, gbp_per_outcome: 400}]");
  CHECK(paid(net) > 0);
  CHECK(paid(net) < paid(gross));
  // With no provider named, each member's own practice (which delivered it) is paid.
  const auto groups = published_groups(Params::read(default_config()));
  int practices_paid = 0;
  for (const auto& g : groups)
    if (g.kind == "provider_ledger" && g.id.rfind("gp_", 0) == 0) {
      int64_t income = 0;
      for (const auto& rep : gross.scenarios[1].providers)
        for (const auto& v : rep) income += v[g.offset + FinanceLayout::Outcome];
      practices_paid += income > 0;
    }
  CHECK(practices_paid >= 3);
}

TEST_CASE("outcome payment config errors") {
  auto msg = config_error([] {
    Params::read(default_config({"interventions.dm={delivered_by: gp, start_year: 2025, capacity_per_year: 10, effects: []}",
                                 "finance.outcome_payments=[{name: a, programme: dm, measure: wellbeing_gain, counterfactual: "
                                 "historical, expected_per_member_year: 1, gbp_per_outcome: 1}]"}));
  });
  CHECK(msg.find("wellbeing_gain is measured against the same people in the baseline") != std::string::npos);
  msg = config_error([] {
    Experiment::from_config(default_config({"interventions.dm={delivered_by: gp, start_year: 2025, capacity_per_year: 10, effects: []}",
                                            "finance.outcome_payments=[{name: a, programme: dm, measure: admissions_avoided, "
                                            "gbp_per_outcome: 1}]"}),
                            "x");
  });
  CHECK(msg.find("this config has no scenarios") != std::string::npos);
}

TEST_CASE("pay for happiness: the alliance is paid for the place's wellbeing above the baseline run") {
  auto happy = [](const std::string& effects) {
    auto root = default_config({"population.size=6000", "time.years=3", "run.replicates=2"});
    config::apply_override(root, "scenarios=[{name: baseline}, {name: alliance, set: {interventions.sp: {delivered_by: gp, "
                                 "start_year: 2025, eligible: {all: [lonely]}, capacity_per_year: 600, uptake: 0.8, "
                                 "duration_years: 1, effects: " + effects + "}, finance.alliance: {members: [gp, acute], "
                                 "baseline_gbp_per_person_per_year: 1000, wellbeing_gbp_per_point_per_person_year: 1300}}}]");
    return run_experiment(Experiment::from_config(root, "h"), 2);
  };
  // Lives unchanged: the same wellbeing as the baseline, nothing paid for it.
  CHECK(paid(happy("[]")) == 0);
  // Fewer lonely people: happier, and paid for it.
  CHECK(paid(happy("[{target: 'recovery:lonely', multiplier: 5}]")) > 0);
}

TEST_CASE("separable levers: declined offers use outreach capacity, so engagement raises enrolments") {
  auto enrolments = [](const char* declined, const char* engagement) {
    auto r = run(default_config({"population.size=6000", "time.years=2", "run.replicates=1",
                                 std::string("interventions.p={delivered_by: gp, start_year: 2025, eligible: {all: [lonely]}, "
                                             "capacity_per_year: 150, uptake: 0.4, declined_offer_place: ") + declined + ", effects: []}",
                                 std::string("care_model.community_engagement=") + engagement}));
    return total(r, InterventionCounter::InterventionEnrolments);
  };
  // Offers that cost nothing: where capacity binds, engagement mostly saves offers.
  // Offers that cost outreach: fewer people enrolled, and engagement wins more back.
  const int64_t free_usual = enrolments("0", "1"), free_engaged = enrolments("0", "1.5");
  const int64_t costly_usual = enrolments("0.5", "1"), costly_engaged = enrolments("0.5", "1.5");
  CHECK(costly_usual < free_usual);
  CHECK(costly_engaged - costly_usual > free_engaged - free_usual);
}

TEST_CASE("mutual aid: overflow patients are placed after every trust has admitted its own, in need or random order") {
  auto two = config::load(source_path("configs/scenarios/acute_collaborative.yaml"));
  for (const char* s : {"population.size=6000", "time.years=1", "run.replicates=1", "acute_trusts.0.general_acute_beds=4",
                        "acute_trusts.0.escalation_beds=0", "acute_trusts.1.general_acute_beds=14"})
    config::apply_override(two, s);
  auto random = two;
  config::apply_override(random, "care_model.integration.mutual_aid_order=random");
  auto a = run(two), b = run(random);
  CHECK(total(a, CareCounter::MutualAidAdmissions, 1) > 0);
  CHECK(total(b, CareCounter::MutualAidAdmissions, 1) > 0);
  CHECK(total(a, CareCounter::EmergencyAdmissions, 0) == total(b, CareCounter::EmergencyAdmissions, 0));  // no aid in the baseline
}

TEST_CASE("the four integrated-system presets run and move admissions") {
  auto root = config::load(source_path("configs/scenarios/integrated_presets.yaml"));
  for (const char* s : {"population.size=5000", "time.years=3", "run.replicates=2"}) config::apply_override(root, s);
  const auto e = Experiment::from_config(root, "presets");
  std::vector<std::string> names;
  for (const auto& sc : e.scenarios) names.push_back(sc.name);
  CHECK(names == std::vector<std::string>{"baseline", "kaiser", "canterbury", "hovedstaden", "singhealth"});
  auto r = run_experiment(e, 2);
  for (size_t k = 1; k < r.scenarios.size(); ++k) {
    INFO(names[k]);
    CHECK(total(r, CareCounter::EmergencyAdmissions, k) < total(r, CareCounter::EmergencyAdmissions, 0));
  }
  // Acute demand management: people cared for at home instead of admitted.
  CHECK(total(r, CareCounter::StepUp, 2) > 0);
  CHECK(total(r, CareCounter::StepUp, 0) == 0);
}

TEST_CASE("step-up intermediate care: admissions avoided within the home places free, none without places") {
  auto with = [](const std::vector<std::string>& extra) { return run_with({"population.size=6000", "time.years=2", "run.replicates=2"}, extra); };
  const std::string su = "care.intermediate_care.step_up={share: 0.5, events: [acsc], days: 14}";
  auto none = with({}), ample = with({su, "intermediate_care.0.home_places_per_100000=60", "capacity_plan.home_places={}"});
  auto plain = with({"intermediate_care.0.home_places_per_100000=60", "capacity_plan.home_places={}"});
  CHECK(total(none, CareCounter::StepUp) == 0);
  CHECK(total(ample, CareCounter::StepUp) > 0);
  CHECK(total(ample, CareCounter::EmergencyAdmissions) < total(plain, CareCounter::EmergencyAdmissions));
  auto no_places = with({su, "intermediate_care.0.home_places_per_100000=0", "care.hospital.discharge_mix.intermediate_care_home=0", "care.hospital.discharge_mix.reablement=0.50",
                         "capacity_plan.home_places={}"});
  CHECK(total(no_places, CareCounter::StepUp) == 0);
}

TEST_CASE("separable levers: remote consultations as a share of appointments, with their own time, suitability and exclusion") {
  auto with = [](const std::vector<std::string>& extra) { return run_with({"population.size=6000", "time.years=2", "run.replicates=1"}, extra); };
  const std::string more = "interventions.v={delivered_by: gp, start_year: 2025, effects: [{target: virtual_share, multiplier: 1.6}]}";
  auto base = with({}), virtual_first = with({more});
  // More of the suitable requests are seen remotely, and the shorter appointments let the
  // same clinician time see more people.
  CHECK(total(virtual_first, CareCounter::GpVirtual) > total(base, CareCounter::GpVirtual));
  CHECK(total(virtual_first, CareCounter::GpAppointments) > total(base, CareCounter::GpAppointments));
  // If a remote appointment took as long as a face-to-face one, the mix would change but
  // not the number seen.
  auto same_time = with({more, "care.gp.remote.time_ratio=1"}), base_same = with({"care.gp.remote.time_ratio=1"});
  CHECK(total(same_time, CareCounter::GpAppointments) == total(base_same, CareCounter::GpAppointments));
  // Nobody able to use remote care: no remote appointments at all.
  auto excluded = with({more, "care.gp.remote.digitally_excluded=1", "care.gp.remote.excluded_rr_by_quintile=[1, 1, 1, 1, 1]"});
  CHECK(total(excluded, CareCounter::GpVirtual) == 0);
}

TEST_CASE("shared clinical pathways move referrals into primary care, and joint assessment shortens delays") {
  auto with = [](const std::vector<std::string>& extra) { return run_with({"population.size=6000", "time.years=2", "run.replicates=2"}, extra); };
  auto base = with({});
  auto pathways = with({"care_model.integration.shared_pathways=1",
                        "care_model.effects_at_full_integration={pathways_referrals_managed_in_primary_care: 0.3, pathways_follow_up_appointments: 1}"});
  CHECK(total(pathways, CareCounter::OutpatientAttendances) < total(base, CareCounter::OutpatientAttendances));
  CHECK(total(pathways, CareCounter::PathwayManaged) > 0);
  // Each managed referral books a follow-up, which takes a slot of the practice.
  CHECK(total(pathways, CareCounter::GpFollowUps) == total(pathways, CareCounter::PathwayManaged));
  CHECK(total(pathways, CareCounter::GpAppointments) < total(base, CareCounter::GpAppointments));
  auto joint = with({"care_model.integration.joint_discharge_planning=1",
                     "care_model.effects_at_full_integration={joint_discharge_assessment_reduction: 0.5}"});
  CHECK(total(joint, CareCounter::DelayedAssessmentDays) < total(base, CareCounter::DelayedAssessmentDays));
}
