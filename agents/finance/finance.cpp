#include "agents/finance/finance.hpp"
#include "model/core/money.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "agents/people/risk.hpp"
#include "model/core/errors.hpp"
#include "model/core/archive.hpp"

namespace hscsim {
namespace {
using config::Reader;

// Whether `key` (a provider id or a provider kind) names provider group g.
bool names_group(const std::string& key, size_t g, const std::vector<std::string>& ids, const ProviderLayout& L) {
  return key == ids[g] || key == kProviderKindNames[static_cast<size_t>(L.kind_of(g))];
}

// Provider groups named by a list of kinds and/or provider ids.
std::vector<uint8_t> groups_named(Reader& r, std::string_view key, const std::vector<std::string>& ids, const ProviderLayout& L) {
  std::vector<uint8_t> out(ids.size(), 0);
  const config::Node* list = r.node().find(key);
  if (!list || !list->is_seq())
    throw r.error(key, fmt::format("expected a list of provider kinds ({}) or provider ids", fmt::join(kProviderKindNames, ", ")));
  for (const auto& item : list->seq) {
    bool found = false;
    for (size_t g = 0; g < ids.size(); ++g)
      if (names_group(item.scalar, g, ids, L)) {
        out[g] = 1;
        found = true;
      }
    // A kind the place has no providers of (a place without intermediate care) names nobody.
    const bool kind = std::find(kProviderKindNames.begin(), kProviderKindNames.end(), item.scalar) != kProviderKindNames.end();
    if (!found && !kind) {
      std::vector<std::string> names(kProviderKindNames.begin(), kProviderKindNames.end());
      names.insert(names.end(), ids.begin(), ids.end());
      throw r.error(item, r.key_path(key),
                    fmt::format("no provider or provider kind '{}'{}", item.scalar, config::did_you_mean(item.scalar, names)));
    }
  }
  r.skip(key);
  return out;
}

int group_named(Reader& r, std::string_view key, const std::vector<std::string>& ids) {
  const std::string name = r.text(key);
  for (size_t g = 0; g < ids.size(); ++g)
    if (ids[g] == name) return static_cast<int>(g);
  throw r.error(key, fmt::format("no provider '{}'{}", name, config::did_you_mean(name, ids)));
}

// Checks that map key `key` of r names a provider kind or a provider id.
void require_provider_key(const Reader& r, const std::string& key, const std::vector<std::string>& ids) {
  std::vector<std::string> names(kProviderKindNames.begin(), kProviderKindNames.end());
  names.insert(names.end(), ids.begin(), ids.end());
  if (std::find(names.begin(), names.end(), key) != names.end()) return;
  throw r.error(key, fmt::format("no provider or provider kind '{}'{}", key, config::did_you_mean(key, names)));
}

}  // namespace

namespace {
// Who pays each provider group (`finance.commissioners`: each lists what it pays).
void read_commissioners(Reader& fr, FinanceParams& f, const ProviderLayout& L) {
  const size_t G = f.group_ids.size();
  {
    Reader cm = fr.child("commissioners");
    std::vector<uint8_t> covered(G, 0);
    cm.names("<commissioner>");
    for (const auto& e : cm.node().map) {
      Reader c = cm.child(e.key);
      const auto pays = groups_named(c, "pays", f.group_ids, L);
      for (size_t k = 0; k < G; ++k)
        if (pays[k]) {
          if (covered[k]) throw c.error("pays", fmt::format("provider {} is paid by two commissioners", f.group_ids[k]));
          covered[k] = 1;
          f.payer[k] = static_cast<int>(f.commissioners.size());
        }
      c.finish();
      f.commissioners.push_back({e.key});
    }
    cm.finish();
    for (size_t k = 0; k < G; ++k)
      if (!covered[k]) throw cm.error(cm.node(), cm.path(), fmt::format("no commissioner pays provider {}", f.group_ids[k]));
  }
}

// Variable share of activity cost and fixed cost per person, by provider kind or id.
void read_provider_costs(Reader& fr, FinanceParams& f, const ProviderLayout& L) {
  const size_t G = f.group_ids.size();
  if (auto pc = fr.optional_child("provider_costs")) {
    pc->names("<provider kind or id>");
    for (const auto& e : pc->node().map) {
      require_provider_key(*pc, e.key, f.group_ids);
      Reader c = pc->child(e.key);
      const double v = c.real("variable_share", config::probability());
      const double fixed = c.real("fixed_gbp_per_person_per_year", config::non_negative(), 0) * kPencePerGbp;
      c.text("source", "");
      c.finish();
      for (size_t k = 0; k < G; ++k)
        if (names_group(e.key, k, f.group_ids, L)) {
          f.variable_share[k] = v;
          f.fixed_pence_per_person_year[k] = fixed;
        }
    }
    pc->finish();
  }
}

// The contract of each provider group (kinds first, then provider ids, which win), and the one before it.
void read_contracts(Reader& fr, FinanceParams& f, const ProviderLayout& L) {
  const size_t G = f.group_ids.size();
  if (auto ct = fr.optional_child("contracts")) {
    ct->names("<provider kind or id>");
    // Kinds first, then provider ids (which win), whatever the order written.
    for (int pass = 0; pass < 2; ++pass)
      for (const auto& e : ct->node().map) {
        const bool is_kind = std::find(kProviderKindNames.begin(), kProviderKindNames.end(), e.key) != kProviderKindNames.end();
        if ((pass == 0) != is_kind) continue;
        require_provider_key(*ct, e.key, f.group_ids);
        Reader c = ct->child(e.key);
        Contract k = read_contract(c);
        Contract before;
        if (auto b = c.optional_child("before")) {
          before = read_contract(*b);
          b->finish();
        }
        c.finish();
        for (size_t g2 = 0; g2 < G; ++g2)
          if (names_group(e.key, g2, f.group_ids, L)) {
            f.contract[g2] = k;
            f.before[g2] = before;
          }
      }
    ct->finish();
  }
}

// Capitation weights by age band and per long-term condition.
void read_capitation_weights(Reader& fr, FinanceParams& f) {
  if (auto w = fr.optional_child("capitation_weights")) {
    f.capitation_age_weight = {w->real("under_65", {0, 100}, 1), w->real("age_65_74", {0, 100}, 1),
                               w->real("age_75_84", {0, 100}, 1), w->real("age_85_plus", {0, 100}, 1)};
    f.capitation_condition_weight = w->real("per_long_term_condition", {0, 100}, 0);
    w->text("source", "");
    w->finish();
  }
}

// Providers' propensities by contract type (admission, referral, prevention).
void read_incentives(Reader& fr, FinanceParams& f) {
  if (auto in = fr.optional_child("incentives")) {
    in->names("<contract type>");
    for (const auto& e : in->node().map) {
      auto it = std::find(kContractNames.begin(), kContractNames.end(), e.key);
      if (it == kContractNames.end()) {
        throw in->error(e.key, fmt::format("unknown contract type '{}'{}", e.key, config::did_you_mean(e.key, {kContractNames.begin(), kContractNames.end()})));
      }
      Reader c = in->child(e.key);
      Propensity& p = f.propensity[static_cast<size_t>(it - kContractNames.begin())];
      // Responses are relative (a change of contract moves a provider by the ratio of two
      // types' values), so each must be positive.
      p.admission = c.real("admission", {0.01, 10}, 1);
      p.referral = c.real("referral", {0.01, 10}, 1);
      p.prevention = c.real("prevention", {0.01, 10}, 1);
      p.length_of_stay = c.real("length_of_stay", {0.01, 10}, 1);
      c.text("source", "");
      c.finish();
    }
    in->finish();
  }
}

// How providers respond to their margin and to what their contract rewards.
void read_response(Reader& fr, FinanceParams& f) {
  if (auto r = fr.optional_child("response")) {
    f.response.strength = r->real("strength", {0, 10}, 0);
    f.response.margin_strength = r->real("margin_strength", {0, 100}, 0);
    f.response.lag_years = r->real("lag_years", {0.01, 50}, 0.5);
    f.response.max_change = r->real("max_change", {0, 0.9}, 0.25);
    r->text("source", "");
    r->finish();
  }
}

// Payments per outcome achieved by members of a programme.
void read_outcome_payments(Reader& fr, FinanceParams& f, const InterventionsParams& iv) {
  for (Reader o : fr.has("outcome_payments") ? fr.list("outcome_payments") : (fr.skip("outcome_payments"), std::vector<Reader>{})) {
    OutcomePayment x;
    x.name = o.name("name");
    if (o.has("provider")) x.provider = group_named(o, "provider", f.group_ids);
    const std::string programme = o.text("programme");
    for (size_t k = 0; k < iv.list.size(); ++k)
      if (iv.list[k].name == programme) x.programme = static_cast<int>(k);
    if (x.programme < 0) {
      std::vector<std::string> names;
      for (const auto& p : iv.list) names.push_back(p.name);
      throw o.error("programme", fmt::format("no enabled intervention named '{}'{}", programme,
                                             config::did_you_mean(programme, names)));
    }
    const std::array<std::string_view, 4> measures = {kOutcomeMeasureNames[0], kOutcomeMeasureNames[1], kOutcomeMeasureNames[2],
                                                      kOutcomeMeasureNames[3]};
    x.measure = o.has("measure") ? static_cast<OutcomeMeasure>(o.choice_index("measure", measures)) : OutcomeMeasure::StateEnded;
    if (x.measure == OutcomeMeasure::StateEnded) {
      x.state = read_factor(o, "state_ended");
      if (x.state >= kStateCount) throw o.error("state_ended", "an outcome is the end of a binary state (e.g. diabetes_uncontrolled)");
    } else if (o.has("state_ended")) {
      throw o.error("state_ended", fmt::format("state_ended goes with measure: state_ended, not {}", kOutcomeMeasureNames[static_cast<size_t>(x.measure)]));
    }
    const std::array<std::string_view, 3> cfs = {kCounterfactualNames[0], kCounterfactualNames[1], kCounterfactualNames[2]};
    const bool state = x.measure == OutcomeMeasure::StateEnded;
    x.counterfactual = o.has("counterfactual") ? static_cast<Counterfactual>(o.choice_index("counterfactual", cfs))
                                               : state ? Counterfactual::None : Counterfactual::BaselineRun;
    if (x.counterfactual == Counterfactual::None && !state)
      throw o.error("counterfactual", "only state_ended can be paid without a counterfactual; accepted here: baseline_run, historical");
    if (x.counterfactual == Counterfactual::Historical) {
      if (x.measure == OutcomeMeasure::Wellbeing)
        throw o.error("counterfactual", "wellbeing_gain is measured against the same people in the baseline: counterfactual: baseline_run");
      x.expected_per_member_year = o.real("expected_per_member_year", {0, 1000});
    } else if (o.has("expected_per_member_year")) {
      throw o.error("expected_per_member_year", "expected_per_member_year goes with counterfactual: historical");
    }
    x.window_years = o.real("window_years", {0.02, 100}, 1);
    x.pence = to_pence(o.real("gbp_per_outcome", config::non_negative()));
    x.from_year = o.real("from_year", {1900, 2300}, -1e9);
    x.to_year = o.real("to_year", {1900, 2300}, 1e9);
    o.text("source", "");
    o.finish();
    if (x.counterfactual != Counterfactual::None &&
        std::find(f.traced.begin(), f.traced.end(), x.traced()) == f.traced.end())
      f.traced.push_back(x.traced());
    f.outcomes.push_back(x);
  }
}

// A social investor, repaid from the outcome payments (at most one).
void read_investor(Reader& fr, FinanceParams& f) {
  if (auto inv = fr.optional_child("investor")) {
    FinanceParams::Investor x;
    x.name = inv->name("name");
    x.provider = group_named(*inv, "invests_in", f.group_ids);
    x.pence = to_pence(inv->real("invests_gbp", config::non_negative()));
    x.year = inv->real("in_year", {1900, 2300});
    x.return_cap = inv->real("return_cap_multiple", {0, 100}, 1.5);
    inv->text("source", "");
    inv->finish();
    if (f.outcomes.empty()) throw fr.error("investor", "a social investor is repaid from outcome_payments: list at least one");
    bool repaid = false;
    for (const auto& o : f.outcomes) repaid |= o.provider < 0 || o.provider == x.provider;
    if (!repaid)
      throw inv->error("invests_in", fmt::format("no outcome payment goes to {}, so the investor would never be repaid", f.group_ids[static_cast<size_t>(x.provider)]));
    f.investor.push_back(x);
  }
}

// An alliance sharing savings or losses against a baseline budget (at most one).
void read_alliance(Reader& fr, FinanceParams& f, const ProviderLayout& L) {
  if (auto al = fr.optional_child("alliance")) {
    FinanceParams::Alliance a;
    a.member = groups_named(*al, "members", f.group_ids, L);
    a.from_year = al->real("from_year", {1900, 2300}, -1e9);
    a.baseline_pence_per_person_year = to_pence(al->real("baseline_gbp_per_person_per_year", config::non_negative()));
    a.share_of_savings = al->real("provider_share_of_savings", config::probability(), 0.5);
    a.share_of_losses = al->real("provider_share_of_losses", config::probability(), 0.5);
    a.wellbeing_pence_per_point_person_year = to_pence(al->real("wellbeing_gbp_per_point_per_person_year", config::non_negative(), 0));
    if (a.wellbeing_pence_per_point_person_year > 0) {
      const TracedMeasure w{OutcomeMeasure::Wellbeing, -1};
      if (std::find(f.traced.begin(), f.traced.end(), w) == f.traced.end()) f.traced.push_back(w);
    }
    al->text("source", "");
    al->finish();
    f.alliance.push_back(a);
  }
}

// The stall rule: providers withdraw after quarters of low margin.
void read_stall(Reader& fr, FinanceParams& f) {
  if (auto st = fr.optional_child("stall")) {
    f.stall = true;
    f.stall_margin_share = st->real("margin_below_share_of_income", {-1, 1});
    f.stall_quarters = static_cast<int>(st->integer("quarters", {1, 400}));
    st->finish();
  }
}

}  // namespace

FinanceParams FinanceParams::read(config::Reader& root, const ProviderLayout& L, const InterventionsParams& iv) {
  FinanceParams f;
  for (size_t g = 0; g < L.providers(); ++g) f.group_ids.push_back(L.id(g));
  const size_t G = f.group_ids.size();
  f.payer.assign(G, 0);
  f.variable_share.assign(G, 1.0);
  f.fixed_pence_per_person_year.assign(G, 0.0);
  f.contract.assign(G, Contract{});
  f.before.assign(G, Contract{});
  auto fr = root.optional_child("finance");
  if (!fr) {
    f.commissioners.push_back({"commissioner"});
    return f;
  }
  f.enabled = true;
  // Assumption: councils invoice care-home placements every four weeks.
  f.care_home_invoice_steps = fr->integer("care_home_invoice_steps", {1, 520}, 4);
  read_commissioners(*fr, f, L);
  read_provider_costs(*fr, f, L);
  read_contracts(*fr, f, L);
  read_capitation_weights(*fr, f);
  read_incentives(*fr, f);
  read_response(*fr, f);
  read_outcome_payments(*fr, f, iv);
  read_investor(*fr, f);
  read_alliance(*fr, f, L);
  read_stall(*fr, f);
  fr->finish();
  return f;
}

std::vector<TracedMeasure> FinanceParams::baseline_needs() const {
  std::vector<TracedMeasure> out;
  auto add = [&](const TracedMeasure& m) {
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  };
  for (const auto& o : outcomes)
    if (o.counterfactual == Counterfactual::BaselineRun) add(o.traced());
  for (const auto& a : alliance)
    if (a.wellbeing_pence_per_point_person_year > 0) add({OutcomeMeasure::Wellbeing, -1});
  return out;
}

namespace {
using FL = FinanceLayout;
const std::vector<ProviderMetric> kProvFinance = {
    {"income_gbp", "GBP", "flow", "payments received (contract, outcomes, shared savings, investment)", [](const int64_t* c) { return to_gbp(c[FL::Income]); }},
    {"cost_gbp", "GBP", "flow", "cost: variable share of activity at unit costs + fixed cost + billing administration", [](const int64_t* c) { return to_gbp(c[FL::Cost]); }},
    {"billing_admin_gbp", "GBP", "flow", "billing administration (fee-for-service transactions)", [](const int64_t* c) { return to_gbp(c[FL::Admin]); }},
    {"margin_gbp", "GBP", "flow", "income - cost", [](const int64_t* c) { return to_gbp(c[FL::Margin]); }},
    {"outcome_income_gbp", "GBP", "flow", "outcome payments and investment received", [](const int64_t* c) { return to_gbp(c[FL::Outcome]); }},
    {"shared_savings_gbp", "GBP", "flow", "alliance share of savings (negative: share of losses paid)", [](const int64_t* c) { return to_gbp(c[FL::Shared]); }},
    {"withdrawn", "flag", "stock", "1 once the provider has withdrawn under the stall rule", [](const int64_t* c) { return double(c[FL::Withdrawn]); }},
    {"served_persons", "persons", "stock", "people it serves (list, catchment or place)", [](const int64_t* c) { return double(c[FL::Served]); }},
    {"admission_propensity", "multiplier", "stock", "how readily the trust admits A&E attendances next step, against today (incentives x response; 1 for other kinds)", [](const int64_t* c) { return double(c[FL::AdmissionPpm]) / 1e6; }},
    {"referral_propensity", "multiplier", "stock", "how readily the practice refers next step, against today (incentives x response; 1 for other kinds)", [](const int64_t* c) { return double(c[FL::ReferralPpm]) / 1e6; }},
    {"length_of_stay_propensity", "multiplier", "stock", "the length of the trust's emergency stays next step, against today (incentives x response: discharge effort; 1 for other kinds)", [](const int64_t* c) { return double(c[FL::StayPpm]) / 1e6; }},
    {"prevention_propensity", "multiplier", "stock", "the capacity of the programmes it delivers next step, against the configured capacity (incentives x response)", [](const int64_t* c) { return double(c[FL::PreventionPpm]) / 1e6; }},
};
const std::vector<ProviderMetric> kCommFinance = {
    {"payments_gbp", "GBP", "flow", "paid to providers (and the investor's outcome payments)", [](const int64_t* c) { return to_gbp(c[FL::Payments]); }},
    {"billing_admin_gbp", "GBP", "flow", "its own billing administration", [](const int64_t* c) { return to_gbp(c[FL::CommAdmin]); }},
};
const std::vector<ProviderMetric> kInvFinance = {
    {"invested_gbp", "GBP", "flow", "paid to the provider up front", [](const int64_t* c) { return to_gbp(c[FL::Invested]); }},
    {"received_gbp", "GBP", "flow", "outcome payments received", [](const int64_t* c) { return to_gbp(c[FL::Received]); }},
};
}  // namespace

std::vector<ProviderGroup> finance_groups(const FinanceParams& f, const FinanceLayout& L) {
  std::vector<ProviderGroup> out;
  if (!f.enabled) return out;
  for (size_t g = 0; g < L.providers; ++g) out.push_back({f.group_ids[g], "provider_ledger", L.prov(g, FL::Income), &kProvFinance, "finance"});
  for (size_t k = 0; k < L.commissioners; ++k)
    out.push_back({"commissioner_" + f.commissioners[k].name, "commissioner_ledger", L.comm(k, FL::Payments), &kCommFinance, "finance"});
  for (size_t k = 0; k < L.investors; ++k)
    out.push_back({"investor_" + f.investor[k].name, "investor_ledger", L.inv(k, FL::Invested), &kInvFinance, "finance"});
  return out;
}

Finance::Finance(const FinanceParams& p, const ProviderLayout& care, const Geography& g, const Clock& c)
    : p_(p), C_(care), g_(g), clock_(c) {
  G_ = care.providers();
  L_.offset = care.size();
  L_.providers = p.enabled ? G_ : 0;
  L_.commissioners = p.enabled ? p.commissioners.size() : 0;
  L_.investors = p.enabled ? p.investor.size() : 0;
  block_base_.assign(G_, -1);
  year_payments_.assign(G_, 0);
  member_payments_.assign(G_, 0);
  quarter_income_.assign(G_, 0);
  quarter_margin_.assign(G_, 0);
  bad_quarters_.assign(G_, 0);
  withdrawn_.assign(G_, 0);
  response_.assign(G_, Propensity{});
  trace_ = OutcomeTrace(p.traced);
  for (size_t a = 0; a < 4; ++a)
    for (int n = 0; n <= kStateCount; ++n)
      weight_milli_[a][static_cast<size_t>(n)] =
          static_cast<int64_t>(std::llround((p.capitation_age_weight[a] + p.capitation_condition_weight * n) * 1000.0));
}

const Contract& Finance::in_force(size_t g, double year) const {
  return year >= p_.contract[g].from_year ? p_.contract[g] : p_.before[g];
}

void Finance::count_outcomes(const People& people, const Programmes& programmes, uint32_t s, int32_t day, int32_t day_end,
                             const std::vector<std::pair<uint64_t, int32_t>>& admissions) {
  // Nothing of the shared burn-in is recorded.
  if (s >= clock_.burn_in_steps) {
    const bool year_end = clock_.steps_per_year > 0 && (s + 1) % clock_.steps_per_year == 0;
    trace_.record(people, day, day_end, admissions, year_end);
  }
  outcomes_now_.assign(p_.outcomes.size(), {});
  watch_.resize(p_.outcomes.size());
  for (size_t o = 0; o < p_.outcomes.size(); ++o) {
    const auto& x = p_.outcomes[o];
    if (x.counterfactual != Counterfactual::None) continue;
    outcomes_now_[o].assign(G_, 0);
    auto& w = watch_[o];
    std::vector<std::pair<uint64_t, uint8_t>> fresh;
    for (const Enrolment& r : programmes.enrolments(static_cast<size_t>(x.programme))) {
      if (r.enrolled == kNoDay) continue;
      auto slot = std::lower_bound(people.id.begin(), people.id.end(), r.id);
      if (slot == people.id.end() || *slot != r.id) continue;
      const auto i = static_cast<size_t>(slot - people.id.begin());
      if (!people.alive(i)) continue;
      const bool has = people.states[i] >> x.state & 1;
      auto it = std::lower_bound(w.begin(), w.end(), std::make_pair(r.id, uint8_t{0}),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
      if (it == w.end() || it->first != r.id) {
        fresh.emplace_back(r.id, has ? 1 : 0);
        continue;
      }
      if (it->second == 1 && !has) {
        const size_t g = x.provider >= 0 ? static_cast<size_t>(x.provider) : programmes.deliverer(people, i, static_cast<size_t>(x.programme), C_);
        ++outcomes_now_[o][g];
        it->second = 2;
      } else if (it->second == 0 && has) {
        it->second = 1;
      }
    }
    if (people.parts) people.parts->sum(outcomes_now_[o]);  // every part's members' outcomes
    if (!fresh.empty()) {
      std::sort(fresh.begin(), fresh.end());
      std::vector<std::pair<uint64_t, uint8_t>> merged;
      merged.reserve(w.size() + fresh.size());
      std::merge(w.begin(), w.end(), fresh.begin(), fresh.end(), std::back_inserter(merged));
      w = std::move(merged);
    }
  }
}

void Finance::pay(Money& m, std::vector<int64_t>& prov, size_t g, int64_t amount, FL::Prov extra) const {
  const int c = p_.payer[g];
  prov[L_.comm(static_cast<size_t>(c), FL::Payments)] += amount;
  prov[L_.prov(g, FL::Income)] += amount;
  if (extra != FL::Income) prov[L_.prov(g, extra)] += amount;
  m.out += amount;
  m.in += amount;
}

void Finance::settle(uint32_t s, int32_t day, int32_t day_end, std::vector<int64_t>& prov, Tally& t, const People& people,
                     const Programmes& programmes) {
  if (!p_.enabled) return;
  const double year = year_of(day);
  const double frac = static_cast<double>(day_end - day) / kDaysPerYear;  // of a year
  count_served(prov);
  Money m;
  const bool year_start = clock_.steps_per_year > 0 && s % clock_.steps_per_year == 0;
  pay_contracts(m, prov, year, frac, year_start);
  pay_investment_and_outcomes(m, prov, year, t);
  const bool year_end = clock_.steps_per_year > 0 && (s + 1) % clock_.steps_per_year == 0;
  if (year_end) {
    settle_counterfactual_outcomes(m, prov, day_end - static_cast<int32_t>(std::llround(kDaysPerYear)), day_end, t, people, programmes);
    settle_alliance(m, prov, year, day_end, t, people);
  }
  margins_and_stall(s, year, prov, t);
  place_totals(prov, t);
  last_out_ = m.out;
  last_in_ = m.in;
}

// Served persons and weights: the census counts them on practices and authorities; a
// trust serves its practices' lists, an intermediate care service its councils'
// residents, a provider that serves the place (a third-sector service) everyone
// (ProviderKindDef::served).
void Finance::count_served(std::vector<int64_t>& prov) const {
  int64_t place_served = 0, place_milli = 0;
  for (size_t g = 0; g < G_; ++g)
    if (C_.served(g) != Served::Counted) {
      prov[L_.prov(g, FL::Served)] = 0;
      prov[L_.prov(g, FL::WeightMilli)] = 0;
    }
  for (size_t pr = 0; pr < C_.count(ProviderKind::Gp); ++pr) {
    const size_t practice = C_.group(ProviderKind::Gp, pr), trust = C_.group(ProviderKind::Acute, g_.practices[pr].trust);
    prov[L_.prov(trust, FL::Served)] += prov[L_.prov(practice, FL::Served)];
    prov[L_.prov(trust, FL::WeightMilli)] += prov[L_.prov(practice, FL::WeightMilli)];
    place_served += prov[L_.prov(practice, FL::Served)];
    place_milli += prov[L_.prov(practice, FL::WeightMilli)];
  }
  for (size_t a = 0; a < C_.count(ProviderKind::SocialCare); ++a) {
    const int32_t ic = g_.authorities[a].intermediate_care;
    if (ic < 0) continue;
    const size_t council = C_.group(ProviderKind::SocialCare, a), service = C_.group(ProviderKind::IntermediateCare, static_cast<size_t>(ic));
    prov[L_.prov(service, FL::Served)] += prov[L_.prov(council, FL::Served)];
    prov[L_.prov(service, FL::WeightMilli)] += prov[L_.prov(council, FL::WeightMilli)];
  }
  for (size_t g = 0; g < G_; ++g)
    if (C_.served(g) == Served::Place) {
      prov[L_.prov(g, FL::Served)] = place_served;
      prov[L_.prov(g, FL::WeightMilli)] = place_milli;
    }
}

// Each provider's cost (variable share of activity, programmes, fixed cost, billing
// administration) and its income under the contract in force.
void Finance::pay_contracts(Money& m, std::vector<int64_t>& prov, double year, double frac, bool year_start) {
  for (size_t g = 0; g < G_; ++g) {
    const Contract& k = in_force(g, year);
    // Programmes are not billable activity: fee-for-service pays for care, not prevention.
    const int64_t programmes = prov[C_.programme_cost(g)];
    const int64_t activity = prov[C_.provider_cost(g)] - programmes;
    const int64_t served = prov[L_.prov(g, FL::Served)];
    const int64_t transactions = C_.transactions(prov.data(), g, p_.care_home_invoice_steps);
    // Cost.
    int64_t admin = 0;
    if (k.type == ContractType::FeeForService && k.billing_pence_per_transaction > 0)
      admin = std::llround(k.billing_pence_per_transaction * static_cast<double>(transactions));
    const int64_t cost = std::llround(p_.variable_share[g] * static_cast<double>(activity)) + programmes +
                         std::llround(p_.fixed_pence_per_person_year[g] * static_cast<double>(served) * frac) + admin;
    prov[L_.prov(g, FL::Cost)] += cost;
    prov[L_.prov(g, FL::Admin)] += admin;
    prov[L_.comm(static_cast<size_t>(p_.payer[g]), FL::CommAdmin)] += admin;
    // Income under the contract in force (a withdrawn provider is paid for what it still does).
    const ContractTypeInfo& type = kContractTypes[static_cast<size_t>(k.type)];
    // A block contract is agreed each year on the list it serves then.
    if (!type.list_at_start) block_base_[g] = -1;
    else if (block_base_[g] < 0 || year_start) block_base_[g] = served;
    const int64_t income = type.income(k, {activity, served, prov[L_.prov(g, FL::WeightMilli)], block_base_[g], frac});
    pay(m, prov, g, income, FL::Income);
    year_payments_[g] += income;
    if (!withdrawn_[g]) member_payments_[g] += income;
  }
}

// Investment, then outcome payments (investor first, up to its cap).
void Finance::pay_investment_and_outcomes(Money& m, std::vector<int64_t>& prov, double year, Tally& t) {
  for (size_t k = 0; k < p_.investor.size(); ++k) {
    const auto& x = p_.investor[k];
    if (!invested_ && year >= x.year) {
      invested_ = true;
      prov[L_.inv(k, FL::Invested)] += x.pence;
      prov[L_.prov(static_cast<size_t>(x.provider), FL::Income)] += x.pence;
      prov[L_.prov(static_cast<size_t>(x.provider), FL::Outcome)] += x.pence;
      m.out += x.pence;
      m.in += x.pence;
    }
  }
  for (size_t o = 0; o < p_.outcomes.size(); ++o) {
    const auto& x = p_.outcomes[o];
    if (x.counterfactual != Counterfactual::None || o >= outcomes_now_.size() || year < x.from_year || year >= x.to_year) continue;
    for (size_t g = 0; g < outcomes_now_[o].size(); ++g)
      if (outcomes_now_[o][g] > 0) pay_outcome(m, prov, g, outcomes_now_[o][g] * x.pence, t);
  }
}

void Finance::pay_outcome(Money& m, std::vector<int64_t>& prov, size_t g, int64_t amount, Tally& t) {
  prov[L_.comm(static_cast<size_t>(p_.payer[g]), FL::Payments)] += amount;
  m.out += amount;
  t.add(FinanceCounter::FinOutcomePaymentsPence, 0, amount);
  if (!p_.investor.empty() && invested_ && static_cast<size_t>(p_.investor[0].provider) == g) {
    const int64_t cap = std::llround(static_cast<double>(p_.investor[0].pence) * p_.investor[0].return_cap);
    const int64_t to_investor = std::min(amount, std::max<int64_t>(0, cap - investor_received_));
    investor_received_ += to_investor;
    prov[L_.inv(0, FL::Received)] += to_investor;
    m.in += to_investor;
    amount -= to_investor;
  }
  prov[L_.prov(g, FL::Income)] += amount;
  prov[L_.prov(g, FL::Outcome)] += amount;
  m.in += amount;
}

// At each year end: every member's outcomes in the part of its window that falls in the
// year just ended, against its counterfactual; the net summed per provider paid, and
// paid if positive. Members no longer living in the place are not counted.
void Finance::settle_counterfactual_outcomes(Money& m, std::vector<int64_t>& prov, int32_t year_start, int32_t year_end, Tally& t,
                                             const People& people, const Programmes& programmes) {
  trace_.index();
  const double year = year_of(year_start);
  for (const auto& x : p_.outcomes) {
    if (x.counterfactual == Counterfactual::None || year < x.from_year || year >= x.to_year) continue;
    const int own = trace_.slot(x.traced());
    const int base = cf_ ? cf_->slot(x.traced()) : -1;
    if (x.counterfactual == Counterfactual::BaselineRun && base < 0)
      throw RuntimeFailure(fmt::format("outcome payment {}: no baseline run recorded its measure (counterfactual: baseline_run)", x.name));
    std::vector<double> net(G_, 0.0);
    // With the people split over processes, every part's members' gains are summed in id
    // order (as one process sums them), not part by part.
    struct Gain {
      uint64_t id;
      uint64_t g;
      double gain;
    };
    std::vector<Gain> gains;
    const int32_t window = static_cast<int32_t>(std::llround(x.window_years * kDaysPerYear));
    for (const Enrolment& r : programmes.enrolments(static_cast<size_t>(x.programme))) {
      if (r.enrolled == kNoDay) continue;
      const int32_t from = std::max(r.enrolled, year_start), to = std::min(r.enrolled + window, year_end);
      if (from >= to) continue;
      auto slot = std::lower_bound(people.id.begin(), people.id.end(), r.id);
      if (slot == people.id.end() || *slot != r.id || !people.alive(static_cast<size_t>(slot - people.id.begin()))) continue;
      const auto i = static_cast<size_t>(slot - people.id.begin());
      const double member_years = static_cast<double>(to - from) / kDaysPerYear;
      double gain = 0;
      if (x.measure == OutcomeMeasure::Wellbeing) {
        const double a = people.wellbeing[i], b = cf_->wellbeing(r.id, year_end);
        if (std::isnan(a) || std::isnan(b)) continue;
        gain = (a - b) * member_years;
      } else {
        const double observed = static_cast<double>(trace_.sum(own, r.id, from, to));
        const double expected = x.counterfactual == Counterfactual::Historical ? x.expected_per_member_year * member_years
                                                                                : static_cast<double>(cf_->sum(base, r.id, from, to));
        gain = avoided(x.measure) ? expected - observed : observed - expected;
      }
      const size_t g = x.provider >= 0 ? static_cast<size_t>(x.provider) : programmes.deliverer(people, i, static_cast<size_t>(x.programme), C_);
      if (people.parts) gains.push_back({r.id, g, gain});
      else net[g] += gain;
    }
    if (people.parts) {
      std::vector<uint8_t> mine(gains.size() * sizeof(Gain));
      if (!gains.empty()) std::memcpy(mine.data(), gains.data(), mine.size());
      gains.clear();
      for (const auto& part : people.parts->all_gather(mine)) {
        const size_t at = gains.size(), n = part.size() / sizeof(Gain);
        gains.resize(at + n);
        if (n) std::memcpy(gains.data() + at, part.data(), n * sizeof(Gain));
      }
      std::sort(gains.begin(), gains.end(), [](const Gain& a, const Gain& b) { return a.id < b.id; });
      for (const Gain& gn : gains) net[gn.g] += gn.gain;
    }
    for (size_t g = 0; g < G_; ++g)
      if (net[g] > 0) pay_outcome(m, prov, g, std::llround(net[g] * static_cast<double>(x.pence)), t);
  }
}

// Alliance, at each year end: savings (or losses) against the baseline budget agreed for
// the members at signing. Every signing member's payments count against it, including a
// member's after it withdrew (the budget covers the providers it was agreed for); the
// pool is shared in proportion to what each member was paid while it was a member, so a
// member that withdrew is settled for the part of the year it was in and gets nothing
// after; the share of a withdrawn member's later payments stays with the commissioner.
// The contract year's payments then restart.
void Finance::settle_alliance(Money& m, std::vector<int64_t>& prov, double year, int32_t year_end, Tally& t, const People& people) {
  for (const auto& a : p_.alliance) {
    if (year < a.from_year) continue;
    int64_t actual = 0, as_members = 0, pop = 0;
    for (size_t g = 0; g < G_; ++g)
      if (a.member[g]) {
        actual += year_payments_[g];
        as_members += member_payments_[g];
      }
    // The place's population: everyone served by the local authorities.
    for (size_t la = 0; la < C_.count(ProviderKind::SocialCare); ++la) pop += prov[L_.prov(C_.group(ProviderKind::SocialCare, la), FL::Served)];
    if (actual <= 0 || as_members <= 0) continue;
    const int64_t diff = a.baseline_pence_per_person_year * pop - actual;  // > 0: savings
    const double pool = diff > 0 ? a.share_of_savings * static_cast<double>(diff) : -a.share_of_losses * static_cast<double>(-diff);
    const int64_t due = std::llround(pool * static_cast<double>(as_members) / static_cast<double>(actual));
    // Split in proportion to each member's payments as a member; the rounding remainder
    // goes to the largest.
    int64_t given = 0;
    size_t largest = G_;
    for (size_t g = 0; g < G_; ++g) {
      if (!a.member[g] || member_payments_[g] <= 0) continue;
      if (largest == G_ || member_payments_[g] > member_payments_[largest]) largest = g;
      const auto share = static_cast<int64_t>(std::floor(static_cast<double>(due) * static_cast<double>(member_payments_[g]) / static_cast<double>(as_members)));
      pay(m, prov, g, share, FL::Shared);
      given += share;
    }
    if (largest < G_ && due != given) pay(m, prov, largest, due - given, FL::Shared);
    t.add(FinanceCounter::FinSharedSavingsPence, 0, due);
    // Pay for happiness: the place's wellbeing gain over the baseline run's.
    if (a.wellbeing_pence_per_point_person_year > 0) {
      if (!cf_) throw RuntimeFailure("alliance wellbeing payment: no baseline run was recorded");
      // Sums in fixed point (2^-30 of a point; exact for scores from 1 to 10, the same in
      // any order), so that they do not depend on how the people are split over processes.
      constexpr double kFix = 1073741824.0;  // 2^30
      std::vector<int64_t> sums(3, 0);       // own, base [2^-30 points], people
      for (size_t i = 0; i < people.size(); ++i) {
        if (!people.alive(i)) continue;
        const double w = people.wellbeing[i], b = cf_->wellbeing(people.id[i], year_end);
        if (std::isnan(w) || std::isnan(b)) continue;  // the same people, in both runs
        sums[0] += std::llround(w * kFix);
        sums[1] += std::llround(b * kFix);
        ++sums[2];
      }
      if (people.parts) people.parts->sum(sums);
      const int64_t n = sums[2];
      const double gain = n > 0 ? static_cast<double>(sums[0] - sums[1]) / kFix / static_cast<double>(n) : 0.0;  // points per person
      const int64_t reward = gain > 0 ? std::llround(gain * static_cast<double>(pop) * a.wellbeing_pence_per_point_person_year) : 0;
      if (reward > 0) {
        int64_t paid = 0;
        for (size_t g = 0; g < G_; ++g) {
          if (!a.member[g] || member_payments_[g] <= 0) continue;
          const auto share = static_cast<int64_t>(std::floor(static_cast<double>(reward) * static_cast<double>(member_payments_[g]) / static_cast<double>(as_members)));
          pay(m, prov, g, share, FL::Outcome);
          paid += share;
        }
        if (largest < G_ && reward != paid) pay(m, prov, largest, reward - paid, FL::Outcome);
        t.add(FinanceCounter::FinOutcomePaymentsPence, 0, reward);
      }
    }
  }
  std::fill(year_payments_.begin(), year_payments_.end(), 0);
  std::fill(member_payments_.begin(), member_payments_.end(), 0);
}

// Margins, and at each quarter end (quarters of steps_per_year / 4 steps) the response
// model's review and the stall rule; then the multipliers in force for the next step.
void Finance::margins_and_stall(uint32_t s, double year, std::vector<int64_t>& prov, Tally& t) {
  const uint32_t quarter = std::max<uint32_t>(1, clock_.steps_per_year / 4);
  for (size_t g = 0; g < G_; ++g) {
    const int64_t margin = prov[L_.prov(g, FL::Income)] - prov[L_.prov(g, FL::Cost)];
    prov[L_.prov(g, FL::Margin)] = margin;
    quarter_income_[g] += prov[L_.prov(g, FL::Income)];
    quarter_margin_[g] += margin;
    if ((s + 1) % quarter == 0) {
      if (p_.response.on() && !withdrawn_[g]) {
        const double income = static_cast<double>(std::max<int64_t>(quarter_income_[g], 1));
        respond(g, year, std::max(0.0, -static_cast<double>(quarter_margin_[g]) / income));
      }
      if (p_.stall && !withdrawn_[g]) {
        const bool bad = static_cast<double>(quarter_margin_[g]) <
                         p_.stall_margin_share * static_cast<double>(std::max<int64_t>(quarter_income_[g], 0));
        bad_quarters_[g] = bad ? bad_quarters_[g] + 1 : 0;
        if (bad_quarters_[g] >= p_.stall_quarters) withdrawn_[g] = 1;
      }
      quarter_income_[g] = quarter_margin_[g] = 0;
    }
    prov[L_.prov(g, FL::Withdrawn)] = withdrawn_[g];
    const Propensity in = incentive(g, year);
    const auto ppm = [](double x) { return static_cast<int64_t>(std::llround(x * 1e6)); };
    const ProviderKind kind = C_.kind_of(g);
    prov[L_.prov(g, FL::AdmissionPpm)] = ppm(kind == ProviderKind::Acute ? in.admission * response_[g].admission : 1.0);
    prov[L_.prov(g, FL::ReferralPpm)] = ppm(kind == ProviderKind::Gp ? in.referral * response_[g].referral : 1.0);
    prov[L_.prov(g, FL::PreventionPpm)] = ppm(in.prevention * response_[g].prevention);
    prov[L_.prov(g, FL::StayPpm)] = ppm(kind == ProviderKind::Acute ? in.length_of_stay * response_[g].length_of_stay : 1.0);
    t.add(FinanceCounter::FinProviderIncomePence, 0, prov[L_.prov(g, FL::Income)]);
    t.add(FinanceCounter::FinProviderCostPence, 0, prov[L_.prov(g, FL::Cost)]);
    t.add(FinanceCounter::FinBillingAdminPence, 0, prov[L_.prov(g, FL::Admin)]);
    t.add(FinanceCounter::ProvidersWithdrawn, 0, withdrawn_[g]);
  }
}

double Finance::before_run() const { return std::nextafter(static_cast<double>(clock_.start_year), -1e9); }

double Finance::alliance_share(size_t g, double year) const {
  double share = 0;
  for (const auto& a : p_.alliance) {
    if (!a.member[g] || withdrawn_[g] || year < a.from_year) continue;
    // Its part of the members' payments this year so far (equal parts before any).
    int64_t all = 0, members = 0;
    for (size_t h = 0; h < G_; ++h)
      if (a.member[h]) {
        all += member_payments_[h];
        ++members;
      }
    const double part = all > 0 ? static_cast<double>(member_payments_[g]) / static_cast<double>(all) : 1.0 / std::max(1, static_cast<int>(members));
    share += a.share_of_savings * part;
  }
  return share;
}

double Finance::activity_margin(size_t g, double year) const {
  const Contract& k = in_force(g, year);
  const double paid = k.type == ContractType::FeeForService ? k.tariff_ratio : 0.0;
  return paid - p_.variable_share[g] - alliance_share(g, year) * paid;
}

double Finance::referral_margin(size_t g, double year) const {
  // A referral is an outpatient attendance at the practice's trust: worth nothing to the
  // practice itself, but in an alliance with the trust the trust's tariff (if it is paid
  // per attendance) is paid out of the savings the practice shares.
  if (C_.kind_of(g) != ProviderKind::Gp) return 0;
  const size_t trust = C_.group(ProviderKind::Acute, g_.practices[C_.index_in_kind(g)].trust);
  const Contract& k = in_force(trust, year);
  const double paid = k.type == ContractType::FeeForService ? k.tariff_ratio : 0.0;
  bool together = false;
  for (const auto& a : p_.alliance) together |= a.member[trust] && !withdrawn_[trust] && year >= a.from_year;
  return together ? -alliance_share(g, year) * paid : 0.0;
}

void Finance::respond(size_t g, double year, double deficit) {
  const ResponseParams& r = p_.response;
  const double before = before_run();
  const double keep = std::exp(-0.25 / r.lag_years);  // a quarter's share of the way left
  auto move = [&](double& x, double now, double then) {
    const double target = std::clamp(1.0 + r.strength * (now - then) + r.margin_strength * now * deficit, 1.0 - r.max_change,
                                     1.0 + r.max_change);
    x = target + (x - target) * keep;
  };
  const double act_now = activity_margin(g, year), act_then = activity_margin(g, before);
  Propensity& x = response_[g];
  if (C_.kind_of(g) == ProviderKind::Acute) {
    move(x.admission, act_now, act_then);
    // Discharge effort: a longer stay is activity too (excess bed days are paid under
    // payment by results), so it follows the same worth.
    move(x.length_of_stay, act_now, act_then);
  }
  if (C_.kind_of(g) == ProviderKind::Gp) move(x.referral, referral_margin(g, year), referral_margin(g, before));
  move(x.prevention, -act_now, -act_then);
}

Propensity Finance::incentive(size_t g, double year) const {
  // A provider behaves as it did under the contract it had before the reported period
  // (the baseline is calibrated to today's contracts); a change of contract type (a
  // contract with a from_year, the first day of the run included) moves it by the ratio
  // of the two types' propensities, from the change on. Providers whose contract type
  // never changes are not touched.
  const auto now = in_force(g, year).type, then = in_force(g, before_run()).type;
  if (now == then) return {};
  const Propensity& a = p_.propensity[static_cast<size_t>(now)];
  const Propensity& b = p_.propensity[static_cast<size_t>(then)];
  return {a.admission / b.admission, a.referral / b.referral, a.prevention / b.prevention, a.length_of_stay / b.length_of_stay};
}

// Place totals of the ledgers (quintile 0 only).
void Finance::place_totals(const std::vector<int64_t>& prov, Tally& t) const {
  for (size_t k = 0; k < L_.commissioners; ++k) {
    t.add(FinanceCounter::FinPaymentsPence, 0, prov[L_.comm(k, FL::Payments)]);
    t.add(FinanceCounter::FinBillingAdminPence, 0, prov[L_.comm(k, FL::CommAdmin)]);
  }
  for (size_t k = 0; k < L_.investors; ++k) {
    t.add(FinanceCounter::FinInvestorNetPence, 0, prov[L_.inv(k, FL::Received)] - prov[L_.inv(k, FL::Invested)]);
    t.add(FinanceCounter::FinPaymentsPence, 0, prov[L_.inv(k, FL::Invested)]);
  }
}

void Finance::delivery(int32_t day, DeliveryContext& ctx, std::vector<double>& admission_by_trust,
                       std::vector<double>& referral_by_practice, std::vector<double>& stay_by_trust) const {
  ctx.withdrawn = withdrawn_;
  ctx.prevention.assign(G_, 1.0);
  admission_by_trust.assign(C_.count(ProviderKind::Acute), 1.0);
  stay_by_trust.assign(C_.count(ProviderKind::Acute), 1.0);
  referral_by_practice.assign(C_.count(ProviderKind::Gp), 1.0);
  if (!p_.enabled) return;
  const double year = year_of(day);
  for (size_t g = 0; g < G_; ++g) {
    const Propensity in = incentive(g, year),& r = response_[g];
    ctx.prevention[g] = in.prevention * r.prevention;
    if (C_.kind_of(g) == ProviderKind::Gp) referral_by_practice[C_.index_in_kind(g)] = in.referral * r.referral;
    else if (C_.kind_of(g) == ProviderKind::Acute) {
      admission_by_trust[C_.index_in_kind(g)] = in.admission * r.admission;
      stay_by_trust[C_.index_in_kind(g)] = in.length_of_stay * r.length_of_stay;
    }
  }
}

void Finance::state(archive::Io& io) {
  io(block_base_, year_payments_, member_payments_, quarter_income_, quarter_margin_, bad_quarters_, withdrawn_, response_,
     investor_received_, outcomes_now_, trace_, watch_, invested_, last_out_, last_in_);
}

void Finance::check_invariants() const {
  if (last_out_ != last_in_)
    throw RuntimeFailure(fmt::format("invariant broken: payers paid {} pence but providers and the investor received {}", last_out_, last_in_));
}

}  // namespace hscsim
