// The registries (issue 12): states declare their group, lane and "requires" rule in one
// table; metrics are declared by modules and checked when declared.
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

#include "agents/care/counters.hpp"
#include "agents/geography/providers.hpp"
#include "agents/interventions/counters.hpp"
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
  r.count("emergency_admissions", "admissions", CareCounter::EmergencyAdmissions, "x");
  CHECK(r.all().back().kind == "flow");
  r.count("inpatients", "persons", CareCounter::InHospital, "x");
  CHECK(r.all().back().kind == "stock");  // the counter's kind, not the caller's
  CHECK_THROWS_AS(r.count("inpatients", "persons", CareCounter::InHospital, "again"), std::logic_error);
  CHECK_THROWS_AS(r.count("Bad-Name", "persons", CareCounter::InHospital, "x"), std::logic_error);
  CHECK_THROWS_AS(r.count("no_units", "", CareCounter::InHospital, "x"), std::logic_error);
  CHECK_THROWS_AS(r.add({"odd_kind", "persons", "rate", "x", false, [](const Tally&, int) { return 0.0; }}), std::logic_error);
  CHECK_THROWS_AS(r.pounds("stock_money", {Counter(CareCounter::InHospital)}, "x"), std::logic_error);
  r.pounds("cost_gbp", {sector_cost(ProviderKind::Acute), sector_cost(ProviderKind::SocialCare)}, "x");
  Tally t;
  t.add(sector_cost(ProviderKind::Acute), 2, 150);
  t.add(sector_cost(ProviderKind::SocialCare), 2, 50);
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

namespace {
std::vector<std::string> named(size_t n, const std::string& stem) {
  std::vector<std::string> out;
  for (size_t k = 0; k < n; ++k) out.push_back(stem + std::to_string(k));
  return out;
}
// Counter c of every provider of E's kind.
template <class E>
void use_block(const ProviderLayout& L, std::vector<int>& used) {
  for (size_t j = 0; j < L.count(ProviderCounters<E>::kind); ++j)
    for (size_t c = 0; c < slot(E::Count); ++c) ++used[L.at(j, static_cast<E>(c))];
}
}  // namespace

TEST_CASE("the provider registry: kinds are registered once each, in order") {
  const auto& kinds = care_provider_kinds();
  ProviderLayout L;
  CHECK_THROWS_AS(L.add(kinds[1], named(1, "t")), std::logic_error);  // acute before gp
  L.add(kinds[0], named(1, "p"));
  CHECK_THROWS_AS(L.add(kinds[0], named(1, "p")), std::logic_error);  // twice
  CHECK_THROWS_AS(L.add_programmes({}, 4), std::logic_error);         // before every kind
  for (size_t k = 0; k < kinds.size(); ++k) CHECK(kinds[k].kind == static_cast<ProviderKind>(k));
}

TEST_CASE("the provider registry: group ids, kinds and counter blocks agree, with no gaps or overlaps") {
  const auto& kinds = care_provider_kinds();
  // A kind with no providers in the middle (no local authorities) must not confuse kind_of.
  for (size_t authorities : {size_t{2}, size_t{0}}) {
  ProviderLayout L;
  L.add(kinds[0], named(3, "p"));
  L.add(kinds[1], named(2, "t"));
  L.add(kinds[2], named(authorities, "a"));
  L.add(kinds[3], named(4, "s"));
  L.add(kinds[4], named(authorities / 2, "c"));  // none when there are no councils
  L.add_programmes(named(2, "prog"), slot(ProgrammeCounter::Count));
  CHECK(L.providers() == 9 + authorities + authorities / 2);
  CHECK(L.id(0) == "gp_p0");
  CHECK(L.id(L.group(ProviderKind::ThirdSector, 1)) == "third_sector_s1");
  size_t g = 0;
  for (size_t k = 0; k < kProviderKinds; ++k) {
    const auto kind = static_cast<ProviderKind>(k);
    CHECK(L.first(kind) == g);
    for (size_t j = 0; j < L.count(kind); ++j, ++g) {
      CHECK(L.group(kind, j) == g);
      CHECK(L.kind_of(g) == kind);
      CHECK(L.index_in_kind(g) == j);
      if (kind == ProviderKind::Acute) CHECK(L.block(g) == L.at(j, TrustCounter::Ae));
    }
  }
  CHECK(g == L.providers());
  // Every counter of every block is inside the vector, and no two blocks share one.
  std::vector<int> used(L.size(), 0);
  use_block<GpCounter>(L, used);
  use_block<TrustCounter>(L, used);
  use_block<LaCounter>(L, used);
  use_block<ThirdCounter>(L, used);
  use_block<IcCounter>(L, used);
  for (size_t k = 0; k < L.programmes(); ++k)
    for (size_t c = 0; c < slot(ProgrammeCounter::Count); ++c) ++used[L.programme(k, c)];
  for (size_t p = 0; p < L.providers(); ++p) ++used[L.programme_cost(p)];
  for (size_t k = 0; k < used.size(); ++k) CHECK(used[k] == 1);
  // The published groups point at each provider's block.
  const auto groups = L.groups(nullptr);
  REQUIRE(groups.size() == L.providers() + 2);
  CHECK(groups[L.group(ProviderKind::Acute, 1)].offset == L.at(1, TrustCounter::Ae));
  CHECK(groups[L.group(ProviderKind::Acute, 1)].kind == "acute_trust");
  CHECK(groups.back().offset == L.programme(1, 0));
  if (authorities == 0) continue;
  // A provider's cost and billable transactions read its own block.
  std::vector<int64_t> prov(L.size(), 0);
  prov[L.at(1, TrustCounter::Ae)] = 5;
  prov[L.at(1, TrustCounter::Elective)] = 2;
  prov[L.at(1, TrustCounter::CostPence)] = 900;
  prov[L.at(0, LaCounter::Residents)] = 8;
  const size_t trust1 = L.group(ProviderKind::Acute, 1);
  CHECK(L.transactions(prov.data(), trust1, 4) == 7);
  CHECK(prov[L.provider_cost(trust1)] == 900);
  CHECK(L.transactions(prov.data(), L.group(ProviderKind::SocialCare, 0), 4) == 2);
  CHECK(L.transactions(prov.data(), L.group(ProviderKind::Acute, 0), 4) == 0);
  }
}
