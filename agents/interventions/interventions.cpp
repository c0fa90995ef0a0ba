#include "agents/interventions/interventions.hpp"
#include "model/core/money.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <Eigen/Dense>
#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "agents/people/risk.hpp"
#include "model/core/errors.hpp"
#include "model/core/archive.hpp"

namespace hscsim {

// ---- Targets and modifiers ----------------------------------------------------------

std::vector<std::string> target_names(const std::vector<std::string>& event_names) {
  std::vector<std::string> out;
  for (int s = 0; s < kStateCount; ++s) out.push_back(fmt::format("onset:{}", kStateInfo[static_cast<size_t>(s)].name));
  for (int s = 0; s < kStateCount; ++s) out.push_back(fmt::format("recovery:{}", kStateInfo[static_cast<size_t>(s)].name));
  for (const auto n : target::kScalarNames) out.emplace_back(n);
  for (const auto& e : event_names) out.push_back("event:" + e);
  return out;
}

namespace {

// Tie-break keys of the candidates for programme k (the model's numbers since the start).
// At most one programme per bit of People::programmes.
constexpr int kMaxProgrammes = 32;
static_assert(kMaxProgrammes <= static_cast<int>(8 * sizeof(uint32_t)));
constexpr substream::Range kProgrammeTiebreak{7000, kMaxProgrammes};
// Lanes of an offer (Purpose::Intervention, index = programme): taken up, adherent, then
// one per state the programme resolves.
constexpr int kUptakeLane = 0, kAdherenceLane = 1, kFirstResolveLane = 2;
const Enrolment* find_record(const std::vector<Enrolment>& v, uint64_t id) {
  auto it = std::lower_bound(v.begin(), v.end(), id, [](const Enrolment& e, uint64_t x) { return e.id < x; });
  return it != v.end() && it->id == id ? &*it : nullptr;
}
Enrolment* find_record(std::vector<Enrolment>& v, uint64_t id) {
  return const_cast<Enrolment*>(find_record(static_cast<const std::vector<Enrolment>&>(v), id));
}
}  // namespace

double Modifiers::slow(const People& p, size_t i, int tgt, int32_t day, uint32_t mask) const {
  double m = 1.0;
  for (const Effect& e : by_target_[static_cast<size_t>(tgt)]) {
    if (!(mask >> e.programme & 1)) continue;
    const Enrolment* r = find_record(*enrolments_[static_cast<size_t>(e.programme)], p.id[i]);
    if (!r) continue;
    if (r->left == kNoDay || day < r->left) {
      m *= e.multiplier;
    } else if (e.half_life_days > 0) {  // waning after the programme ended for them
      m *= 1.0 - (1.0 - e.multiplier) * std::exp2(-static_cast<double>(day - r->left) / e.half_life_days);
    }
  }
  return m;
}

// ---- Parameters ---------------------------------------------------------------------

double Uncertain::draw(double u) const {
  switch (kind) {
    case Point: return mode;
    case Uniform: return low + u * (high - low);
    case Triangular: {
      if (high <= low) return mode;
      const double c = (mode - low) / (high - low);
      return u < c ? low + std::sqrt(u * (high - low) * (mode - low)) : high - std::sqrt((1 - u) * (high - low) * (high - mode));
    }
  }
  return mode;
}

Uncertain Uncertain::read(config::Reader& r, std::string_view key, const config::Range& range) {
  Uncertain x;
  const config::Node* n = r.node().find(key);
  if (n && n->is_map()) {
    config::Reader d = r.child(key);
    const std::string kind = d.choice("distribution", {"point", "uniform", "triangular"});
    if (kind == "point") {
      x.low = x.mode = x.high = d.real("value", range);
    } else {
      x.kind = kind == "uniform" ? Uniform : Triangular;
      x.low = d.real("low", range);
      x.high = d.real("high", range);
      x.mode = kind == "triangular" ? d.real("mode", range) : 0.5 * (x.low + x.high);
      if (!(x.low <= x.mode && x.mode <= x.high))
        throw d.error("high", fmt::format("needs low <= mode <= high; got low {}, mode {}, high {}", x.low, x.mode, x.high));
    }
    d.finish();
  } else {
    x.low = x.mode = x.high = r.real(key, range);
  }
  return x;
}

bool Eligibility::matches(const People& p, size_t i, int32_t day, uint64_t f) const {
  if ((f & all) != all || (any && !(f & any)) || (f & none)) return false;
  if (!(quintiles >> p.quintile[i] & 1) || !(settings >> p.setting[i] & 1)) return false;
  const int age = p.age_years(i, day);
  if (age < age_min || age > age_max) return false;
  if (discharged_within_days >= 0 &&
      (p.last_discharge_day[i] == kNoDay || day - p.last_discharge_day[i] > discharged_within_days))
    return false;
  return ids.empty() || std::binary_search(ids.begin(), ids.end(), p.id[i]);
}

namespace {
using config::Reader;

uint64_t factor_mask(Reader& r, std::string_view key) {
  uint64_t m = 0;
  if (!r.has(key)) {
    r.skip(key);
    return 0;
  }
  const config::Node& list = *r.node().find(key);
  if (!list.is_seq()) throw r.error(key, "expected a list of risk-factor names, e.g. [copd, damp_home]");
  for (const auto& item : list.seq) m |= uint64_t{1} << factor_from_name(r, item, r.key_path(key));
  r.skip(key);
  return m;
}

Eligibility read_eligibility(Reader& r) {
  Eligibility e;
  e.all = factor_mask(r, "all");
  e.any = factor_mask(r, "any");
  e.none = factor_mask(r, "none");
  e.age_min = static_cast<int>(r.integer("age_min_years", {0, 130}, 0));
  e.age_max = static_cast<int>(r.integer("age_max_years", {0, 1000}, 1000));
  if (e.age_max < e.age_min) throw r.error("age_max_years", "must not be below age_min_years");
  if (r.has("quintiles")) {
    e.quintiles = 0;
    for (double q : r.reals("quintiles", 0, {1, 5})) {
      if (q != std::floor(q)) throw r.error("quintiles", "quintiles are whole numbers 1 (most deprived) to 5");
      e.quintiles |= static_cast<uint8_t>(1u << static_cast<int>(q));
    }
  } else {
    r.skip("quintiles");
  }
  if (r.has("settings")) {
    const config::Node& list = *r.node().find("settings");
    if (!list.is_seq()) throw r.error("settings", "expected a list from [community, care_home]");
    e.settings = 0;
    for (const auto& item : list.seq) {
      if (item.scalar == "community") e.settings |= 1u << static_cast<int>(Setting::Community);
      else if (item.scalar == "care_home") e.settings |= 1u << static_cast<int>(Setting::CareHome);
      else throw r.error(item, r.key_path("settings"), fmt::format("'{}' is not accepted; accepted: community, care_home", item.scalar));
    }
    r.skip("settings");
  } else {
    r.skip("settings");
  }
  if (r.has("ids")) {
    for (double x : r.reals("ids", 0, {0, 9.0e15})) e.ids.push_back(static_cast<uint64_t>(x));
    std::sort(e.ids.begin(), e.ids.end());
  } else {
    r.skip("ids");
  }
  e.risk_top_percent = r.real("risk_top_percent", {0, 100}, 0);
  e.discharged_within_days = static_cast<int>(r.integer("discharged_within_days", {0, 3650}, -1));
  r.finish();
  return e;
}

// The forms a target name takes, for error messages.
std::string target_forms() {
  std::string out = "onset:<state>, recovery:<state>, event:<health event>";
  for (const auto n : target::kScalarNames) out += fmt::format(", {}", n);
  for (const auto n : target::kPlaceNames) out += fmt::format(", {}", n);
  return out;
}

// `risk_score:` the emergency-admission risk score used by risk_top_percent.
void read_risk_score(Reader& rs, RiskScoreParams& risk) {
  risk.intercept = rs.real("intercept", {-50, 50});
  risk.per_decade_of_age = rs.real("per_decade_of_age", {-10, 10}, 0);
  risk.recent_admission = rs.real("recent_emergency_admission", {-10, 10}, 0);
  risk.refresh_days = rs.real("refresh_days", {1, 3650}, 91);
  // A year, as in the emergency-admission risk models it follows (e.g. PARR, Billings 2006).
  risk.recent_admission_days = rs.real("recent_admission_days", {1, 3650}, 365);
  if (auto f = rs.optional_child("factors")) {
    f->names("<risk factor>");
    for (const auto& e : f->node().map) {
      const config::Node name = config::key_node(e);
      risk.factors.emplace_back(factor_from_name(*f, name, f->key_path(e.key)), f->real(e.key, {-10, 10}));
    }
    f->finish();
  }
}

// The kinds that deliver programmes (Programmes::deliverer says how a person reaches
// theirs); a new provider kind that delivers programmes adds itself here and there.
constexpr std::array kDeliveringKinds = {ProviderKind::Gp, ProviderKind::Acute, ProviderKind::SocialCare, ProviderKind::ThirdSector};
constexpr std::array<std::string_view, kDeliveringKinds.size()> kDeliveringNames = [] {
  std::array<std::string_view, kDeliveringKinds.size()> n{};
  for (size_t k = 0; k < n.size(); ++k) n[k] = kProviderKindInfo[static_cast<size_t>(kDeliveringKinds[k])].name;
  return n;
}();

// `delivered_by` (and `service` for the third sector).
void read_delivery(Reader& r, const CareNames& care, InterventionParams& x) {
  x.delivered_by = kDeliveringKinds[r.choice_index("delivered_by", kDeliveringNames)];
  if (x.delivered_by == ProviderKind::ThirdSector) {
    const std::string svc = r.text("service");
    std::vector<std::string> names;
    for (size_t k = 0; k < care.services.size(); ++k) {
      names.push_back(care.services[k]);
      if (care.services[k] == svc) x.service = static_cast<int>(k);
    }
    if (x.service < 0) {
      throw r.error("service", fmt::format("no third-sector service named '{}'{}", svc,
                                           config::did_you_mean(svc, names)));
    }
  } else {
    r.skip("service");
  }
  // A programme run by one practice (a team it hosts) for everyone eligible in the place.
  if (r.has("practice")) {
    if (x.delivered_by != ProviderKind::Gp) throw r.error("practice", "practice goes with delivered_by: gp");
    const std::string name = r.text("practice");
    for (size_t k = 0; k < care.practices.size(); ++k)
      if (care.practices[k] == name) x.practice = static_cast<int>(k);
    if (x.practice < 0)
      throw r.error("practice", fmt::format("no GP practice named '{}'{}", name, config::did_you_mean(name, care.practices)));
  }
}

// `effects:` multipliers on targets (and the place-level GP capacity).
void read_effects(Reader& r, const std::vector<std::string>& targets, InterventionParams& x) {
  std::vector<std::string> target_list = targets;
  for (const auto n : target::kPlaceNames) target_list.emplace_back(n);
  x.gp_capacity.mode = x.gp_capacity.low = x.gp_capacity.high = 1;
  x.virtual_share.mode = x.virtual_share.low = x.virtual_share.high = 1;
  for (Reader e : r.list("effects")) {
    const std::string t = e.text("target");
    if (t == target::kPlaceNames[0]) {  // gp_capacity
      x.gp_capacity = Uncertain::read(e, "multiplier", {0.01, 100});
    } else if (t == target::kPlaceNames[1]) {  // virtual_share
      x.virtual_share = Uncertain::read(e, "multiplier", {0, 100});
    } else {
      auto it = std::find(targets.begin(), targets.end(), t);
      if (it == targets.end()) {
        throw e.error("target", fmt::format("unknown target '{}'{} Targets: {}", t, config::did_you_mean(t, target_list, "."),
                                            target_forms()));
      }
      x.effects.push_back({static_cast<int>(it - targets.begin()), t, Uncertain::read(e, "multiplier", {0, 100})});
    }
    e.text("source", "");
    e.finish();
  }
}

// `resolves:` binary states ended at enrolment, with their probabilities.
void read_resolves(Reader& res, InterventionParams& x) {
  res.names("<state>");
  for (const auto& k : res.node().map) {
    const config::Node name = config::key_node(k);
    const int f = factor_from_name(res, name, res.key_path(k.key));
    if (f >= kStateCount) throw res.error(k.key, "only a binary state (e.g. damp_home) can be resolved");
    x.resolves.emplace_back(f, res.real(k.key, config::probability()));
  }
}

// `cost:` per enrolment, per member per year, fixed per year [GBP in the config].
void read_cost(Reader& c, InterventionParams& x) {
  x.per_enrolment_pence = to_pence(c.real("per_enrolment_gbp", config::non_negative(), 0));
  x.per_year_pence = to_pence(c.real("per_member_per_year_gbp", config::non_negative(), 0));
  x.fixed_per_year_pence = to_pence(c.real("fixed_per_year_gbp", config::non_negative(), 0));
  c.text("source", "");
}

// One programme (enabled), after its name and description.
InterventionParams read_programme(Reader& r, InterventionParams x, const CareNames& care, const RiskScoreParams& risk,
                                  const std::vector<std::string>& targets) {
  read_delivery(r, care, x);
  x.start_year = r.real("start_year", {1900, 2300});
  x.end_year = r.real("end_year", {1900, 2300}, std::numeric_limits<double>::infinity());
  if (x.end_year <= x.start_year) throw r.error("end_year", "must be after start_year");
  x.ramp_up_years = r.real("ramp_up_years", {0, 100}, 0);
  if (auto el = r.optional_child("eligible")) x.eligible = read_eligibility(*el);
  if (x.eligible.risk_top_percent > 0 && risk.factors.empty() && risk.per_decade_of_age == 0)
    throw r.error("eligible", "risk_top_percent needs a `risk_score:` section (its coefficients)");
  x.capacity_per_year = r.real("capacity_per_year", config::capacity(), 0);
  x.uptake = r.real("uptake", config::probability(), 1);
  x.adherence = r.real("adherence", config::probability(), 1);
  x.declined_offer_place = r.real("declined_offer_place", config::probability(), 0);
  x.duration_years = r.real("duration_years", {0.001, 1000}, std::numeric_limits<double>::infinity());
  x.decay_half_life_years = r.real("decay_half_life_years", {0, 100}, 0);
  x.reoffer_after_years = r.real("reoffer_after_years", {0.001, 1000}, 1);
  read_effects(r, targets, x);
  if (auto res = r.optional_child("resolves")) {
    read_resolves(*res, x);
    res->finish();
  }
  if (auto c = r.optional_child("cost")) {
    read_cost(*c, x);
    c->finish();
  }
  r.text("source", "");
  r.text("evidence", "");
  r.finish();
  return x;
}

}  // namespace

InterventionsParams InterventionsParams::read(config::Reader& root, const CareNames& care) {
  InterventionsParams out;
  if (auto cm = root.optional_child("care_model")) {
    // Other keys of care_model are read by their modules; this one belongs here.
    out.community_engagement = cm->real("community_engagement", {0, 10}, 1.0);
  }
  if (auto rs = root.optional_child("risk_score")) {
    read_risk_score(*rs, out.risk);
    rs->finish();
  }
  const std::vector<std::string> targets = target_names(care.events);
  auto iv = root.optional_child("interventions");
  if (!iv) return out;
  iv->names("<programme>");
  for (const auto& entry : iv->node().map) {
    Reader r = iv->child(entry.key);
    InterventionParams x;
    x.name = entry.key;
    if (x.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
      throw iv->error(entry.key, fmt::format("'{}' is not accepted as a name; use only a-z, 0-9 and _", x.name));
    x.description = r.text("description", "");
    if (!r.boolean("enabled", true)) {
      for (const auto& k : r.node().map) r.skip(k.key);
      continue;
    }
    out.list.push_back(read_programme(r, std::move(x), care, out.risk, targets));
  }
  iv->finish();
  if (out.list.size() > static_cast<size_t>(kMaxProgrammes))
    throw iv->error(out.list.back().name, fmt::format("at most {} interventions can be enabled in one scenario", kMaxProgrammes));
  return out;
}

// ---- Programmes ---------------------------------------------------------------------

namespace {
// A stable 64-bit id for a name, so a programme's draws do not depend on its position.
uint64_t name_id(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h & 0x7FFFFFFFFFFFFFFFull;  // never kPlaceId
}
}  // namespace

Programmes::Programmes(const InterventionsParams& p, size_t events, const Geography& g, const Clock& c,
                       const Streams& s)
    : p_(p), g_(g), clock_(c) {
  const size_t K = p.list.size();
  const size_t T = static_cast<size_t>(target::event(static_cast<int>(events)));
  mask_.assign(T, 0);
  by_target_.assign(T, {});
  records_.assign(K, {});
  carry_.assign(K, 0.0);
  risk_ids_.assign(K, {});
  risk_of_.assign(K, {});
  drawn_.assign(K, {});
  drawn_gp_capacity_.assign(K, 1.0);
  drawn_virtual_share_.assign(K, 1.0);
  for (size_t k = 0; k < K; ++k) {
    const auto& x = p.list[k];
    enrolments_.push_back(&records_[k]);
    for (size_t e = 0; e < x.effects.size(); ++e) {
      const double u = s.uniform(name_id(x.name + "/" + x.effects[e].target_name), kInitStep, Purpose::Intervention);
      const double m = x.effects[e].multiplier.draw(u);
      drawn_[k].push_back(m);
      const auto t = static_cast<size_t>(x.effects[e].target);
      mask_[t] |= uint32_t{1} << k;
      by_target_[t].push_back({static_cast<int>(k), m, x.decay_half_life_years * kDaysPerYear});
    }
    drawn_gp_capacity_[k] = x.gp_capacity.draw(s.uniform(name_id(x.name + "/gp_capacity"), kInitStep, Purpose::Intervention));
    drawn_virtual_share_[k] = x.virtual_share.draw(s.uniform(name_id(x.name + "/virtual_share"), kInitStep, Purpose::Intervention));
  }
}

double Programmes::ramp(size_t k, int32_t day) const {
  const auto& x = p_.list[k];
  const double year = clock_.start_year + static_cast<double>(day) / kDaysPerYear;
  if (year < x.start_year || year >= x.end_year) return 0.0;
  if (x.ramp_up_years <= 0) return 1.0;
  return std::min(1.0, (year - x.start_year) / x.ramp_up_years);
}

void Programmes::state(archive::Io& io) {
  // records_ is read into its vectors in place: Modifiers points at each of them.
  io.expect(static_cast<uint64_t>(records_.size()), "the number of programmes");
  for (auto& r : records_) io(r);
  io(drawn_, drawn_gp_capacity_, drawn_virtual_share_, carry_, risk_ids_, risk_of_, next_refresh_);
}

PlaceEffects Programmes::place_effects(int32_t day) const {
  PlaceEffects e;
  for (size_t k = 0; k < p_.list.size(); ++k) {
    e.gp_capacity *= 1.0 + (drawn_gp_capacity_[k] - 1.0) * ramp(k, day);
    e.virtual_share *= 1.0 + (drawn_virtual_share_[k] - 1.0) * ramp(k, day);
  }
  return e;
}

size_t Programmes::deliverer(const People& people, size_t i, size_t k, const ProviderLayout& L) const {
  switch (p_.list[k].delivered_by) {
    case ProviderKind::Gp: return L.group(ProviderKind::Gp, p_.list[k].practice >= 0 ? static_cast<size_t>(p_.list[k].practice) : people.practice[i]);
    case ProviderKind::Acute: return L.group(ProviderKind::Acute, g_.practices[people.practice[i]].trust);
    case ProviderKind::SocialCare: return L.group(ProviderKind::SocialCare, g_.neighbourhoods[people.neighbourhood[i]].local_authority);
    case ProviderKind::ThirdSector: return L.group(ProviderKind::ThirdSector, static_cast<size_t>(p_.list[k].service));
    default: break;  // read_delivery accepts only the kinds above
  }
  return 0;
}

void Programmes::refresh_risk(const People& people, int32_t day) {
  // A logistic risk score, log-odds = X beta, over age, risk factors and a recent
  // emergency admission, for everyone in the community; then each risk-targeted
  // programme keeps the ids at or above its (100 - x)th percentile.
  const auto& rp = p_.risk;
  constexpr int F = kFactorCount + 3;  // intercept, age in decades, recent admission, factors
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(F);
  beta[0] = rp.intercept;
  beta[1] = rp.per_decade_of_age;
  beta[2] = rp.recent_admission;
  for (const auto& [f, b] : rp.factors) beta[3 + f] += b;
  const size_t n = people.size();
  std::vector<float> score(n, -1.0f);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 4096), [&](const tbb::blocked_range<size_t>& r) {
    Eigen::MatrixXd X = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(r.size()), F);
    for (size_t i = r.begin(); i != r.end(); ++i) {
      const auto row = static_cast<Eigen::Index>(i - r.begin());
      X(row, 0) = 1.0;
      X(row, 1) = people.age_years(i, day) / 10.0;
      // Recent emergency admission: discharged within the last year (electives too: a
      // simplification, the register does not keep the cause of past stays).
      X(row, 2) = people.last_discharge_day[i] != kNoDay && day - people.last_discharge_day[i] <= p_.risk.recent_admission_days ? 1.0 : 0.0;
      // What the register sees: conditions only where they are diagnosed.
      const uint64_t f = people.recorded_factors(i);
      for (int b = 0; b < kFactorCount; ++b) X(row, 3 + b) = static_cast<double>(f >> b & 1);
    }
    const Eigen::VectorXd logit = X * beta;
    for (size_t i = r.begin(); i != r.end(); ++i) {
      if (!people.alive(i) || people.setting[i] == static_cast<uint8_t>(Setting::Hospital)) continue;
      score[i] = static_cast<float>(1.0 / (1.0 + std::exp(-logit[static_cast<Eigen::Index>(i - r.begin())])));
    }
  });
  std::vector<float> valid;
  valid.reserve(n);
  for (float x : score)
    if (x >= 0) valid.push_back(x);
  // The whole population's register (over every part, when the people are split).
  std::vector<int64_t> n_valid{static_cast<int64_t>(valid.size())};
  if (people.parts) people.parts->sum(n_valid);
  const auto all_valid = static_cast<size_t>(n_valid[0]);
  for (size_t k = 0; k < p_.list.size(); ++k) {
    const double pct = p_.list[k].eligible.risk_top_percent;
    risk_ids_[k].clear();
    risk_of_[k].clear();
    if (pct <= 0 || all_valid == 0) continue;
    const auto nth = std::min(static_cast<size_t>(std::floor((1.0 - pct / 100.0) * static_cast<double>(all_valid))), all_valid - 1);
    float threshold;
    if (people.parts) {
      threshold = people.nth_over_parts(valid, nth);
    } else {
      std::vector<float> v = valid;
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(nth), v.end());
      threshold = v[nth];
    }
    for (size_t i = 0; i < n; ++i)
      if (score[i] >= threshold) {
        risk_ids_[k].push_back(people.id[i]);
        risk_of_[k].push_back(score[i]);
      }
  }
}

namespace {
// Slot of person `id` (slots are in id order), or people.size().
size_t slot_of(const People& people, uint64_t id) {
  auto it = std::lower_bound(people.id.begin(), people.id.end(), id);
  return it != people.id.end() && *it == id ? static_cast<size_t>(it - people.id.begin()) : people.size();
}
}  // namespace

void Programmes::charge(const EnrolStep& e, size_t k, size_t group, uint8_t q, int64_t pence) const {
  if (pence == 0) return;
  const auto& L = e.L;
  e.t.add(sector_cost(p_.list[k].delivered_by), q, pence);
  e.t.add(InterventionCounter::CostInterventionsPence, q, pence);
  e.prov[L.provider_cost(group)] += pence;
  e.prov[L.programme_cost(group)] += pence;
  e.prov[L.programme(k, ProgrammeCounter::CostPence)] += pence;
}

void Programmes::enrol(People& people, const Streams& s, uint32_t step, int32_t day, int32_t day_end,
                       const DeliveryContext& ctx, const ProviderLayout& L, Tally& t, std::vector<int64_t>& prov) {
  if (p_.list.empty()) return;
  const EnrolStep e{s, step, day, day_end, static_cast<double>(day_end - day), ctx, L, t, prov};
  if (people.counts_shared()) charge_fixed_costs(e);  // once, when the people are split over processes
  end_and_charge_members(people, e);
  std::vector<int64_t> cap = places(e);
  if (std::none_of(cap.begin(), cap.end(), [](int64_t c) { return c > 0; })) return;
  auto candidates = find_candidates(people, e, cap);
  for (size_t k = 0; k < p_.list.size(); ++k)
    if (cap[k] > 0) offer(people, e, k, cap[k], candidates);
}

// Fixed running costs, split evenly over the providers of the delivering kind.
void Programmes::charge_fixed_costs(const EnrolStep& e) const {
  const size_t K = p_.list.size();
  const int32_t day = e.day;
  const double step_days = e.step_days;
  const auto& L = e.L;
  for (size_t k = 0; k < K; ++k) {
    const auto& x = p_.list[k];
    const double rmp = ramp(k, day);
    if (x.fixed_per_year_pence > 0 && rmp > 0) {
      // (a programme of the third sector is delivered by its one service)
      const bool third = x.delivered_by == ProviderKind::ThirdSector;
      const size_t first = third ? L.group(ProviderKind::ThirdSector, static_cast<size_t>(x.service)) : L.first(x.delivered_by);
      const size_t count = third ? 1 : L.count(x.delivered_by);
      const int64_t total = std::llround(static_cast<double>(x.fixed_per_year_pence) * step_days / kDaysPerYear);
      for (size_t j = 0; j < count; ++j)
        charge(e, k, first + j, 0, total / static_cast<int64_t>(count) + (static_cast<int64_t>(j) < total % static_cast<int64_t>(count)));
    }
  }

}

// 1-2. Members who leave (programme over, ended, provider withdrawn, died or left), the
// ongoing cost of those who stay, and effects that end after leaving.
void Programmes::end_and_charge_members(People& people, const EnrolStep& e) {
  const size_t K = p_.list.size();
  const int32_t day = e.day;
  const double step_days = e.step_days;
  const auto& L = e.L;
  const auto& ctx = e.ctx;
  Tally& t = e.t;
  auto& prov = e.prov;
  for (size_t k = 0; k < K; ++k) {
    const auto& x = p_.list[k];
    const double year = clock_.start_year + static_cast<double>(day) / kDaysPerYear;
    const bool running = year >= x.start_year && year < x.end_year;
    const auto duration_days = static_cast<double>(x.duration_years * kDaysPerYear);
    const double half = x.decay_half_life_years * kDaysPerYear;
    const int64_t per_step = std::llround(static_cast<double>(x.per_year_pence) * step_days / kDaysPerYear);
    int64_t members = 0;
    for (Enrolment& r : records_[k]) {
      if (r.enrolled == kNoDay) continue;
      const size_t i = slot_of(people, r.id);
      const bool alive = i < people.size() && people.alive(i);
      if (r.left == kNoDay) {
        const size_t group = alive ? deliverer(people, i, k, L) : 0;
        const bool withdrawn = alive && group < ctx.withdrawn.size() && ctx.withdrawn[group];
        if (!alive || !running || withdrawn || static_cast<double>(day - r.enrolled) >= duration_days) r.left = day;
      }
      if (r.left == kNoDay) {
        ++members;
        charge(e, k, deliverer(people, i, k, L), people.quintile[i], per_step);
        t.add(InterventionCounter::InterventionMembers, people.quintile[i]);
      } else if (r.effect_on && (half <= 0 || day - r.left > 7 * half || !alive)) {
        r.effect_on = 0;
        if (alive) people.programmes[i] &= ~(uint32_t{1} << k);
      }
    }
    prov[L.programme(k, ProgrammeCounter::Members)] += members;
  }

}

// 3. Places this step per programme (whole places; the fraction is carried).
std::vector<int64_t> Programmes::places(const EnrolStep& e) {
  const size_t K = p_.list.size();
  const int32_t day = e.day;
  const double step_days = e.step_days;
  const auto& L = e.L;
  const auto& ctx = e.ctx;
  std::vector<int64_t> cap(K, 0);
  for (size_t k = 0; k < K; ++k) {
    const auto& x = p_.list[k];
    const double rmp = ramp(k, day);
    if (rmp <= 0 || x.capacity_per_year <= 0) continue;
    // The delivering kind's mean propensity to fund prevention (providers that withdrew
    // deliver nothing; their share of places is lost).
    double prop = 0;
    size_t groups = 0;
    for (size_t g = 0; g < ctx.prevention.size(); ++g) {
      const bool of_kind = L.kind_of(g) == x.delivered_by &&
                           (x.delivered_by != ProviderKind::ThirdSector || L.index_in_kind(g) == static_cast<size_t>(x.service));
      if (!of_kind) continue;
      ++groups;
      prop += ctx.withdrawn[g] ? 0.0 : ctx.prevention[g];
    }
    if (groups > 0) prop /= static_cast<double>(groups);
    else prop = 1.0;
    carry_[k] += x.capacity_per_year * rmp * prop * step_days / kDaysPerYear;
    cap[k] = static_cast<int64_t>(std::floor(carry_[k] + 1e-9));
    carry_[k] -= static_cast<double>(cap[k]);
  }
  return cap;
}

// 4. Candidates: a parallel pass; each thread collects (programme, slot, priority); then
// per programme in a total order (highest risk first, then the hashed key, then slot),
// so the result does not depend on threads.
std::vector<std::vector<Programmes::Candidate>> Programmes::find_candidates(People& people, const EnrolStep& e,
                                                                            const std::vector<int64_t>& cap) {
  const size_t K = p_.list.size();
  const int32_t day = e.day;
  const auto& L = e.L;
  const auto& ctx = e.ctx;
  const Streams& s = e.s;
  const uint32_t step = e.step;
  bool risk_used = false;
  for (size_t k = 0; k < K; ++k) risk_used = risk_used || (cap[k] > 0 && p_.list[k].eligible.risk_top_percent > 0);
  if (risk_used && day >= next_refresh_) {
    refresh_risk(people, day);
    next_refresh_ = day + static_cast<int32_t>(std::lround(p_.risk.refresh_days));
  }
  using Lists = std::vector<std::vector<Candidate>>;
  tbb::enumerable_thread_specific<Lists> local([&] { return Lists(K); });
  tbb::parallel_for(tbb::blocked_range<size_t>(0, people.size(), 4096), [&](const tbb::blocked_range<size_t>& r) {
    Lists& out = local.local();
    for (size_t i = r.begin(); i != r.end(); ++i) {
      if (!people.alive(i)) continue;
      uint64_t f = 0;
      bool have_f = false;
      for (size_t k = 0; k < K; ++k) {
        if (cap[k] <= 0) continue;
        const auto& x = p_.list[k];
        if (!have_f) {
          f = people.recorded_factors(i);  // a programme finds people by their recorded conditions
          have_f = true;
        }
        if (!x.eligible.matches(people, i, day, f)) continue;
        float risk = 0;
        if (x.eligible.risk_top_percent > 0) {
          auto it = std::lower_bound(risk_ids_[k].begin(), risk_ids_[k].end(), people.id[i]);
          if (it == risk_ids_[k].end() || *it != people.id[i]) continue;
          risk = risk_of_[k][static_cast<size_t>(it - risk_ids_[k].begin())];
        }
        if (const Enrolment* rec = find_record(records_[k], people.id[i])) {
          if (rec->enrolled != kNoDay && rec->left == kNoDay) continue;  // in it now
          if (day - rec->offered < x.reoffer_after_years * kDaysPerYear) continue;
        }
        const size_t g = deliverer(people, i, k, L);
        if (g < ctx.withdrawn.size() && ctx.withdrawn[g]) continue;
        out[k].push_back({static_cast<uint32_t>(i), s.tiebreak(people.id[i], step, kProgrammeTiebreak[static_cast<int>(k)]), risk});
      }
    }
  });
  std::vector<std::vector<Candidate>> out(K);
  for (size_t k = 0; k < K; ++k) {
    if (cap[k] <= 0) continue;
    std::vector<Candidate>& c = out[k];
    for (auto& l : local) c.insert(c.end(), l[k].begin(), l[k].end());
    std::sort(c.begin(), c.end(), [](const Candidate& a, const Candidate& b) {
      if (a.risk != b.risk) return a.risk > b.risk;
      if (a.key != b.key) return a.key < b.key;
      return a.slot < b.slot;
    });
  }
  return out;
}

// 5 (people split over processes). The offers of programme k in the order of every
// part's candidates together, each using a place (1) or part of one (declined): every
// part takes turns sending its next candidates (risk, key, id, the share of a place the
// offer would use) and all merge them alike; a candidate is decided once no part that
// has more to send could still put one ahead of it. Returns how many of `c` (this part's,
// in order) are offered, and leaves `left` as the whole population's offers leave it.
size_t Programmes::offered_over_parts(const People& people, const EnrolStep& es, size_t k, double& left,
                                     const std::vector<Candidate>& c) const {
  struct Sent {
    float risk;
    uint32_t key;
    uint64_t id;
    double uses;
    uint32_t part;
  };
  const auto ahead = [](const Sent& a, const Sent& b) {  // the candidates' total order (slot order is id order)
    if (a.risk != b.risk) return a.risk > b.risk;
    if (a.key != b.key) return a.key < b.key;
    return a.id < b.id;
  };
  const auto& x = p_.list[k];
  const double uptake = std::min(1.0, x.uptake * p_.community_engagement);
  const size_t chunk = std::max<size_t>(64, 2 * static_cast<size_t>(std::max(0.0, left)));
  size_t mine = 0;  // this part's candidates decided so far (all offered)
  size_t offered = 0;
  for (bool more = true; more;) {
    // This part's next candidates, and whether it has others after them.
    std::vector<uint8_t> out;
    const size_t end = std::min(c.size(), mine + chunk);
    const uint8_t after = end < c.size();
    out.push_back(after);
    for (size_t j = mine; j < end; ++j) {
      const size_t i = c[j].slot;
      Lanes u(es.s, people.id[i], es.step, Purpose::Intervention, static_cast<uint16_t>(k));
      const Sent sent{c[j].risk, c[j].key, people.id[i], u[kUptakeLane] < uptake ? 1.0 : x.declined_offer_place, 0};
      const size_t at = out.size();
      out.resize(at + sizeof sent);
      std::memcpy(out.data() + at, &sent, sizeof sent);
    }
    const auto all = people.parts->all_gather(out);
    std::vector<Sent> merged;
    std::vector<uint8_t> has_more(all.size(), 0);
    for (size_t part = 0; part < all.size(); ++part) {
      has_more[part] = all[part][0];
      for (size_t at = 1; at < all[part].size(); at += sizeof(Sent)) {
        Sent sent;
        std::memcpy(&sent, all[part].data() + at, sizeof sent);
        sent.part = static_cast<uint32_t>(part);
        merged.push_back(sent);
      }
    }
    std::sort(merged.begin(), merged.end(), ahead);
    // A candidate is safe to decide when no part with more to send could rank one ahead of
    // it: it is not behind any such part's last candidate sent.
    std::vector<const Sent*> last(all.size(), nullptr);
    for (const Sent& m : merged) last[m.part] = &m;
    more = false;
    for (const Sent& m : merged) {
      if (left < 1.0) break;
      bool safe = true;
      for (size_t part = 0; part < all.size(); ++part)
        if (has_more[part] && last[part] && ahead(*last[part], m)) safe = false;
      if (!safe) {
        more = true;
        break;
      }
      left -= m.uses;
      if (m.part == people.parts->index()) ++offered;
    }
    // A part that sent nothing new but has more (all its sent ones decided) goes on too.
    if (left >= 1.0)
      for (size_t part = 0; part < all.size(); ++part) more = more || has_more[part];
    mine = offered;
  }
  return offered;
}

// 5. Offers in candidate order until the places run out: uptake, adherence, states
// resolved at enrolment, effects switched on.
void Programmes::offer(People& people, const EnrolStep& es, size_t k, int64_t& places,
                       const std::vector<std::vector<Candidate>>& candidates) {
  const int32_t day = es.day;
  const auto& L = es.L;
  const Streams& s = es.s;
  const uint32_t step = es.step;
  Tally& t = es.t;
  auto& prov = es.prov;
  const std::vector<Candidate>& c = candidates[k];
  const double engage = p_.community_engagement;
  const auto& x = p_.list[k];
  const double uptake = std::min(1.0, x.uptake * engage), adherence = std::min(1.0, x.adherence * engage);
  std::vector<Enrolment> fresh;
  // Places left, in fractions: a declined offer can use part of one (outreach time).
  double left = static_cast<double>(places);
  // The people split over processes: which of the candidates here are offered a place,
  // in the order of every part's candidates together (offered_here: how many, a prefix).
  size_t offered_here = c.size();
  if (people.parts) offered_here = offered_over_parts(people, es, k, left, c);
  for (size_t j = 0; j < offered_here; ++j) {
    const Candidate& cd = c[j];
    if (!people.parts && left < 1.0) break;
    const size_t i = cd.slot;
    const uint8_t q = people.quintile[i];
    Lanes u(s, people.id[i], step, Purpose::Intervention, static_cast<uint16_t>(k));
    prov[L.programme(k, ProgrammeCounter::Offers)] += 1;
    const bool takes = u[kUptakeLane] < uptake;
    Enrolment* rec = find_record(records_[k], people.id[i]);
    Enrolment e{people.id[i], day, kNoDay, kNoDay, 0, 0};
    if (!takes && !people.parts) left -= x.declined_offer_place;
    if (takes) {
      if (!people.parts) left -= 1.0;
      e.enrolled = day;
      e.adherent = u[kAdherenceLane] < adherence;
      t.add(InterventionCounter::InterventionEnrolments, q);
      prov[L.programme(k, ProgrammeCounter::Enrolments)] += 1;
      charge(es, k, deliverer(people, i, k, L), q, x.per_enrolment_pence);
      // A resolved state ends with the states that require it (the registry's rule).
      for (size_t j = 0; j < x.resolves.size(); ++j)
        if (u[kFirstResolveLane + static_cast<int>(j)] < x.resolves[j].second)
          people.states[i] = states::without(people.states[i], x.resolves[j].first);
      people.diagnosed[i] &= people.states[i];
      if (e.adherent && !x.effects.empty()) {
        e.effect_on = 1;
        people.programmes[i] |= uint32_t{1} << k;
      }
    }
    if (rec) *rec = e;
    else fresh.push_back(e);
  }
  places = static_cast<int64_t>(std::floor(left));
  if (!fresh.empty()) {
    std::sort(fresh.begin(), fresh.end(), [](const Enrolment& a, const Enrolment& b) { return a.id < b.id; });
    std::vector<Enrolment> merged;
    merged.reserve(records_[k].size() + fresh.size());
    std::merge(records_[k].begin(), records_[k].end(), fresh.begin(), fresh.end(), std::back_inserter(merged),
               [](const Enrolment& a, const Enrolment& b) { return a.id < b.id; });
    records_[k] = std::move(merged);
  }
}

}  // namespace hscsim
