// The registries (issue 12): states declare their group, lane and "requires" rule in one
// table; metrics are declared by modules and checked when declared.
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

#include "agents/geography/providers.hpp"
#include "agents/people/lanes.hpp"
#include "agents/people/people.hpp"
#include "model/sim/metrics.hpp"

using namespace hscsim;

TEST_CASE("state masks come from the registry's groups and flags") {
  CHECK((states::kDeterminants | states::kConditions) == (kStateCount == 32 ? ~0u : (1u << kStateCount) - 1));
  CHECK((states::kDeterminants & states::kConditions) == 0);
  for (int s = 0; s < kStateCount; ++s) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    INFO(info.name);
    CHECK(bool(states::kHousing >> s & 1) == (info.group == StateGroup::Housing));
    CHECK(bool(states::kLongTermConditions >> s & 1) == info.counts_as_condition);
    CHECK(states::index_of(info.name) == s);
  }
  People p;
  p.resize(1);
  p.states[0] = bit(State::DampHome) | bit(State::Lonely) | bit(State::Copd) | bit(State::Dementia);
  CHECK(p.conditions(0) == 2);  // determinants are not conditions
  p.states[0] = states::kDeterminants;
  CHECK(p.conditions(0) == 0);
}

TEST_CASE("the requires rule: a dependent state ends with the state it requires") {
  const uint32_t both = bit(State::Diabetes) | bit(State::DiabetesUncontrolled) | bit(State::Copd);
  CHECK(states::apply_requires(both) == both);
  CHECK(states::apply_requires(bit(State::DiabetesUncontrolled)) == 0);
  CHECK(states::without(both, static_cast<int>(State::Diabetes)) == bit(State::Copd));
  CHECK(states::without(both, static_cast<int>(State::DiabetesUncontrolled)) == (bit(State::Diabetes) | bit(State::Copd)));
  CHECK(states::required(static_cast<int>(State::DiabetesUncontrolled)) == static_cast<int>(State::Diabetes));
  CHECK((states::kDependent & bit(State::DiabetesUncontrolled)) != 0);
}

TEST_CASE("every StateTransition lane is used once, and a state added later takes a lane of its own") {
  std::set<int> lanes = {transition_lane::kAlcohol, transition_lane::kFrailty, transition_lane::kDeath,
                         transition_lane::kEmigration, transition_lane::kBirth, transition_lane::kSex};
  CHECK(lanes.size() == 6);
  for (int s = 0; s < kStateCount; ++s) {
    CHECK(lanes.insert(transition_lane::state(s)).second);
    CHECK(transition_lane::state(s) < Lanes::kScreened);
    CHECK(transition_lane::states_of(uint32_t{1} << transition_lane::state(s)) == uint32_t{1} << s);
  }
  // The first twenty states keep the lanes they were first published with; a 21st and
  // 22nd would take 26 and 27, after the fixed lanes, so no existing draw moves.
  CHECK(transition_lane::state(0) == 0);
  CHECK(transition_lane::state(19) == 19);
  CHECK(transition_lane::state(20) == 26);
  CHECK(transition_lane::state(21) == 27);
  CHECK(transition_lane::states_of(1u << transition_lane::kDeath | 1u << transition_lane::kAlcohol) == 0);
}

TEST_CASE("the metric registry refuses malformed or repeated declarations") {
  MetricRegistry r;
  r.count("emergency_admissions", "admissions", Counter::EmergencyAdmissions, "x");
  CHECK(r.all().back().kind == "flow");
  r.count("inpatients", "persons", Counter::InHospital, "x");
  CHECK(r.all().back().kind == "stock");  // the counter's kind, not the caller's
  CHECK_THROWS_AS(r.count("inpatients", "persons", Counter::InHospital, "again"), std::logic_error);
  CHECK_THROWS_AS(r.count("Bad-Name", "persons", Counter::InHospital, "x"), std::logic_error);
  CHECK_THROWS_AS(r.count("no_units", "", Counter::InHospital, "x"), std::logic_error);
  CHECK_THROWS_AS(r.add({"odd_kind", "persons", "rate", "x", false, [](const Tally&, int) { return 0.0; }}), std::logic_error);
  CHECK_THROWS_AS(r.pounds("stock_money", {Counter::InHospital}, "x"), std::logic_error);
  r.pounds("cost_gbp", {Counter::CostAcutePence, Counter::CostSocialPence}, "x");
  Tally t;
  t.add(Counter::CostAcutePence, 2, 150);
  t.add(Counter::CostSocialPence, 2, 50);
  CHECK(r.all().back().value(t, 0) == Approx(2.0));
  CHECK(r.all().back().value(t, 2) == Approx(2.0));
}

TEST_CASE("the published metrics: unique names, and every counter-backed stock metric reads a stock counter") {
  std::set<std::string> names;
  for (const auto& m : metric_definitions()) CHECK(names.insert(m.name).second);
  CHECK(names.size() > 80);
  CHECK(names.count("prevalence_copd"));
  CHECK(names.count("diabetes_uncontrolled_share"));
  CHECK(!names.count("prevalence_diabetes_uncontrolled"));
}

TEST_CASE("the provider registry: group ids, kinds and counter blocks agree, with no gaps or overlaps") {
  ProviderLayout L;
  L.practices = 3;
  L.trusts = 2;
  L.authorities = 2;
  L.services = 4;
  L.programmes = 2;
  CHECK(L.providers() == 11);
  size_t g = 0;
  for (size_t k = 0; k < kProviderKinds; ++k) {
    const auto kind = static_cast<ProviderKind>(k);
    CHECK(L.first(kind) == g);
    for (size_t j = 0; j < L.count(kind); ++j, ++g) {
      CHECK(L.group(kind, j) == g);
      CHECK(L.kind_of(g) == kind);
      CHECK(L.index_in_kind(g) == j);
    }
  }
  CHECK(g == L.providers());
  // Every counter of every block is inside the vector, and no two blocks share one.
  std::vector<int> used(L.size(), 0);
  for (size_t p = 0; p < L.practices; ++p)
    for (int c = 0; c < ProviderLayout::kGpCount; ++c) ++used[L.gp(p, static_cast<ProviderLayout::Gp>(c))];
  for (size_t t = 0; t < L.trusts; ++t)
    for (int c = 0; c < ProviderLayout::kTrustCount; ++c) ++used[L.trust(t, static_cast<ProviderLayout::Trust>(c))];
  for (size_t a = 0; a < L.authorities; ++a)
    for (int c = 0; c < ProviderLayout::kLaCount; ++c) ++used[L.la(a, static_cast<ProviderLayout::La>(c))];
  for (size_t s = 0; s < L.services; ++s)
    for (int c = 0; c < ProviderLayout::kThirdCount; ++c) ++used[L.third(s, static_cast<ProviderLayout::Third>(c))];
  for (size_t k = 0; k < L.programmes; ++k)
    for (int c = 0; c < ProviderLayout::kProgrammeCount; ++c) ++used[L.programme(k, static_cast<ProviderLayout::Programme>(c))];
  for (size_t p = 0; p < L.providers(); ++p) ++used[L.programme_cost(p)];
  for (size_t k = 0; k < used.size(); ++k) CHECK(used[k] == 1);
  // A provider's cost and billable transactions read its own block.
  std::vector<int64_t> prov(L.size(), 0);
  prov[L.trust(1, ProviderLayout::TrAe)] = 5;
  prov[L.trust(1, ProviderLayout::TrElective)] = 2;
  prov[L.trust(1, ProviderLayout::TrCostPence)] = 900;
  prov[L.la(0, ProviderLayout::LaResidents)] = 8;
  const size_t trust1 = L.group(ProviderKind::Acute, 1);
  CHECK(L.transactions(prov.data(), trust1, 4) == 7);
  CHECK(prov[L.provider_cost(trust1)] == 900);
  CHECK(L.transactions(prov.data(), L.group(ProviderKind::SocialCare, 0), 4) == 2);
  CHECK(L.transactions(prov.data(), L.group(ProviderKind::Acute, 0), 4) == 0);
}
