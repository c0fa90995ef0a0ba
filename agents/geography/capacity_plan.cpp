#include "agents/geography/capacity_plan.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "agents/geography/geography.hpp"

namespace hscsim {
namespace {

double clamp_capacity(double v) { return std::clamp(v, 0.0, config::kMaxCapacity); }
int64_t whole(double v) { return std::llround(clamp_capacity(v)); }

}  // namespace

CapacityPlan CapacityPlan::read(config::Reader& root, const Geography& g, int start_year) {
  CapacityPlan plan;
  plan.start_year_ = start_year;
  auto r = root.optional_child("capacity_plan");
  if (!r) return plan;
  for (size_t k = 0; k < kCapacityKinds; ++k) {
    auto c = r->optional_child(kCapacityNames[k]);
    if (!c) continue;
    CapacityTrend& t = plan.trend_[k];
    // Growth beyond +-50% a year for decades would overflow nothing (capacities are
    // clamped) but is no plan anyone means.
    t.growth_per_year = c->real("growth_per_year", {-0.5, 0.5}, 0.0);
    if (auto f = c->optional_child("follow_demand")) {
      if (static_cast<CapacityKind>(k) == CapacityKind::EscalationBeds)
        throw c->error("follow_demand", "escalation beds open under pressure by themselves; give the rule to "
                                        "general_acute_beds instead");
      t.follow.on = true;
      t.follow.target_use = f->real("target_use", {0.05, 2.0}, 0.9);  // above 1: capacity set below demand (rationing)
      t.follow.review_every_years = f->real("review_every_years", {0.05, 10.0}, 1.0);
      // Below 1, so that a capacity never reaches 0 and could not grow again.
      t.follow.max_change_per_review = f->real("max_change_per_review", {0.0, 0.9}, 0.05);
      f->finish();
    }
    if (c->has("changes")) {
      const auto names = g.providers_of(static_cast<CapacityKind>(k));
      for (auto ch : c->list("changes")) {
        CapacityChange x;
        x.year = static_cast<int>(ch.integer("year", {static_cast<double>(start_year), start_year + 1000.0}));
        x.by = ch.real("by", {-1.0, 10.0});
        x.providers.assign(names.size(), 1);
        if (const config::Node* list = ch.node().find("providers")) {
          if (!list->is_seq() || list->seq.empty())
            throw ch.error("providers", fmt::format("expected a list of names of the providers it applies to ({})",
                                                    fmt::join(names, ", ")));
          std::fill(x.providers.begin(), x.providers.end(), 0);
          for (const auto& item : list->seq) {
            const auto it = std::find(names.begin(), names.end(), item.scalar);
            if (it == names.end())
              throw ch.error(item, ch.key_path("providers"),
                             fmt::format("no provider of this capacity is named '{}'{} Known: {}", item.scalar,
                                         config::did_you_mean(item.scalar, names, "."), fmt::join(names, ", ")));
            x.providers[static_cast<size_t>(it - names.begin())] = 1;
          }
          ch.skip("providers");
        }
        ch.finish();
        t.changes.push_back(std::move(x));
      }
    }
    c->finish();
  }
  r->finish();
  return plan;
}

bool CapacityPlan::same(const CapacityPlan& o, CapacityKind k, size_t index) const {
  const CapacityTrend &a = trend_[static_cast<size_t>(k)], &b = o.trend_[static_cast<size_t>(k)];
  auto applying = [&](const CapacityTrend& t) {
    std::vector<std::pair<int, double>> out;
    for (const auto& c : t.changes)
      if (c.providers[index]) out.emplace_back(c.year, c.by);
    return out;
  };
  return start_year_ == o.start_year_ && a.growth_per_year == b.growth_per_year && applying(a) == applying(b) &&
         a.follow.on == b.follow.on &&
         (!a.follow.on || (a.follow.target_use == b.follow.target_use && a.follow.review_every_years == b.follow.review_every_years &&
                           a.follow.max_change_per_review == b.follow.max_change_per_review));
}

bool CapacityPlan::empty() const {
  return std::all_of(trend_.begin(), trend_.end(), [](const CapacityTrend& t) { return t.empty(); });
}

double CapacityPlan::multiplier(CapacityKind k, size_t index, double years) const {
  const CapacityTrend& t = trend_[static_cast<size_t>(k)];
  double m = t.growth_per_year != 0 ? std::pow(1.0 + t.growth_per_year, years) : 1.0;
  for (const auto& c : t.changes)
    if (c.providers[index] && years >= static_cast<double>(c.year - start_year_) - 1e-9) m *= 1.0 + c.by;
  return m;
}

double CapacityPlan::review(CapacityKind k, double demand, double planned, double factor) const {
  const FollowDemand& f = follow(k);
  if (!f.on || planned <= 0) return factor;
  const double wanted = demand / f.target_use / planned;
  return std::clamp(wanted, factor * (1.0 - f.max_change_per_review), factor * (1.0 + f.max_change_per_review));
}

void CapacityPlan::apply(const Geography& base, double years, const CapacityFactors& follow, Geography& now) const {
  using K = CapacityKind;
  const auto multiplier = [&](K k, size_t index, double y) {
    const auto& f = follow[static_cast<size_t>(k)];
    return this->multiplier(k, index, y) * (f.empty() ? 1.0 : f[index]);
  };
  for (size_t p = 0; p < base.practices.size(); ++p)
    now.practices[p].appointments_per_week =
        clamp_capacity(base.practices[p].appointments_per_week * multiplier(K::GpAppointments, p, years));
  for (size_t t = 0; t < base.trusts.size(); ++t) {
    const auto& b = base.trusts[t];
    auto& n = now.trusts[t];
    n.general_acute_beds = whole(static_cast<double>(b.general_acute_beds) * multiplier(K::GeneralAcuteBeds, t, years));
    n.escalation_beds = whole(static_cast<double>(b.escalation_beds) * multiplier(K::EscalationBeds, t, years));
    n.elective_admissions_per_week = clamp_capacity(b.elective_admissions_per_week * multiplier(K::Electives, t, years));
  }
  for (size_t a = 0; a < base.authorities.size(); ++a) {
    const auto& b = base.authorities[a];
    auto& n = now.authorities[a];
    n.home_care_hours_per_week = clamp_capacity(b.home_care_hours_per_week * multiplier(K::HomeCareHours, a, years));
    n.reablement_places = whole(static_cast<double>(b.reablement_places) * multiplier(K::ReablementPlaces, a, years));
    n.care_home_places = whole(static_cast<double>(b.care_home_places) * multiplier(K::CareHomePlaces, a, years));
  }
  for (size_t s = 0; s < base.intermediate_care.size(); ++s) {
    const auto& b = base.intermediate_care[s];
    auto& n = now.intermediate_care[s];
    n.community_beds = whole(static_cast<double>(b.community_beds) * multiplier(K::IntermediateBeds, s, years));
    n.home_places = whole(static_cast<double>(b.home_places) * multiplier(K::IntermediateHomePlaces, s, years));
  }
}

}  // namespace hscsim
