// Conditions in balance: the single-year prevalence curve keeps every band's value, the
// derived incidence holds a cohort's prevalence (the DisMod equation integrated forward),
// `balanced` is refused where it cannot apply, and a stationary population keeps every
// balanced condition's prevalence by age band and sex over 10 years.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <sstream>

#include "agents/states/balance.hpp"
#include "helpers.hpp"
#include "model/sim/world.hpp"

using namespace hscsim;
using namespace hscsim::test;
using config::AgeTable;

namespace {

AgeTable table(std::vector<double> from, std::vector<double> values) {
  AgeTable t;
  t.from_age_years = std::move(from);
  t.columns = {"value"};
  t.values = {std::move(values)};
  t.index();
  return t;
}

// Average of `curve` over the whole years [from, to).
double band_mean(const balance::Curve& curve, int from, int to) {
  double s = 0;
  for (int a = from; a < to; ++a) s += curve[static_cast<size_t>(a)];
  return s / (to - from);
}

}  // namespace

TEST_CASE("the single-year prevalence curve keeps each band's value and stays within [0, 1]") {
  // Dementia-like: zero to 55, then doubling about every 5 years; the open band 90+.
  const auto t = table({0, 55, 65, 70, 75, 80, 85, 90}, {0, 0.0015, 0.016, 0.03, 0.06, 0.11, 0.18, 0.32});
  const auto c = balance::smooth_band_values(t, 0);
  for (size_t k = 0; k + 1 < t.rows(); ++k)
    CHECK(band_mean(c, static_cast<int>(t.from_age_years[k]), static_cast<int>(t.from_age_years[k + 1])) ==
          Approx(t.values[0][k]).epsilon(1e-9).margin(1e-12));
  // The open band is flat at its value.
  for (int a = 90; a <= AgeTable::kMaxAge; ++a) CHECK(c[static_cast<size_t>(a)] == Approx(0.32));
  for (double v : c) CHECK((v >= 0 && v <= 1));
  // A band of zeros before a band of zeros stays exactly zero; the curve rises with age.
  for (int a = 0; a < 55; ++a) CHECK(c[static_cast<size_t>(a)] == 0.0);
  for (int a = 56; a < 100; ++a) CHECK(c[static_cast<size_t>(a)] >= c[static_cast<size_t>(a - 1)] - 1e-12);
  // One number: the same at every age.
  const auto flat = balance::smooth_band_values(table({0}, {0.35}), 0);
  for (double v : flat) CHECK(v == Approx(0.35));
}

TEST_CASE("the derived incidence holds a cohort's prevalence (DisMod equation integrated forward)") {
  // Prevalence rising with age, remission, and excess mortality growing with age: follow
  // one cohort from 40 to 100 with small steps of dP/da = i(1-P) - rP - P(1-P) dmu.
  const auto t = table({0, 40, 50, 60, 70, 80, 90}, {0, 0.02, 0.05, 0.10, 0.18, 0.28, 0.35});
  const auto P = balance::smooth_band_values(t, 0);
  balance::Curve dmu{};
  for (int a = 0; a <= AgeTable::kMaxAge; ++a) dmu[static_cast<size_t>(a)] = 0.5 * 0.0002 * std::exp(0.09 * a);
  const double r = 0.05;
  int shortfall = -1;
  const auto inc = balance::incidence(P, r, dmu, &shortfall);
  CHECK(shortfall == 0);
  // The curve holds year averages; the cohort is at the middle of two years' values at
  // each whole birthday (the centred difference the incidence is built from).
  auto at_birthday = [&](int a) { return (P[static_cast<size_t>(a - 1)] + P[static_cast<size_t>(a)]) / 2; };
  double p = at_birthday(42);
  const int sub = 100;
  for (int a = 42; a < 100; ++a) {
    for (int k = 0; k < sub; ++k) {
      const double i = inc[static_cast<size_t>(a)];
      p += (i * (1 - p) - r * p - p * (1 - p) * dmu[static_cast<size_t>(a)]) / sub;
    }
    INFO("age " << a + 1 << ": cohort " << p << ", curve " << at_birthday(a + 1));
    // Within 2% of the curve (or 0.001): the one-year centred difference is the only error.
    CHECK(std::fabs(p - at_birthday(a + 1)) < 0.02 * at_birthday(a + 1) + 0.001);
  }
  // No onset where the prevalence is 0 (below 40 here).
  for (int a = 0; a < 40; ++a) CHECK(inc[static_cast<size_t>(a)] == 0.0);
  // Without remission or excess deaths the incidence is only the rise; with them, more.
  const auto bare = balance::incidence(P, 0, balance::Curve{});
  for (int a = 45; a < 95; ++a) CHECK(inc[static_cast<size_t>(a)] > bare[static_cast<size_t>(a)]);
  // Falling prevalence that remission cannot explain: onset 0 there, and it is counted.
  const auto falling = balance::smooth_band_values(table({0, 20, 40}, {0.2, 0.1, 0.05}), 0);
  balance::incidence(falling, 0, balance::Curve{}, &shortfall);
  CHECK(shortfall > 0);
}

TEST_CASE("the derived upward rates hold a cohort's shares of an ordinal state (frailty), with moves down") {
  // Four levels; the shares above the lowest rise with age from 50; each level has its
  // own excess mortality and the levels above the lowest move down at fixed hazards.
  const std::vector<double> from = {0, 50, 65, 75, 85};
  const auto mild = balance::smooth_band_values(table(from, {0, 0.15, 0.33, 0.40, 0.41}), 0);
  const auto moderate = balance::smooth_band_values(table(from, {0, 0.03, 0.10, 0.16, 0.24}), 0);
  const auto severe = balance::smooth_band_values(table(from, {0, 0.005, 0.022, 0.05, 0.10}), 0);
  std::vector<balance::Curve> S(4, balance::Curve{}), excess(4, balance::Curve{});
  const std::vector<double> rr = {1.0, 1.9, 3.1, 4.5}, down = {0, 0.08, 0.135, 0.135};
  for (size_t a = 0; a <= AgeTable::kMaxAge; ++a) {
    S[1][a] = mild[a];
    S[2][a] = moderate[a];
    S[3][a] = severe[a];
    S[0][a] = 1 - mild[a] - moderate[a] - severe[a];
    const double mu = 0.0002 * std::exp(0.09 * static_cast<double>(a));
    double mean = 0;
    for (size_t l = 0; l < 4; ++l) mean += S[l][a] * rr[l];
    for (size_t l = 0; l < 4; ++l) excess[l][a] = mu * (rr[l] - mean) / mean;
  }
  int shortfall = -1;
  const auto up = balance::upward_rates(S, down, excess, &shortfall);
  CHECK(shortfall == 0);
  for (size_t a = 0; a < 49; ++a) CHECK(up[0][a] == 0.0);  // nobody is frail before 50
  // Follow a cohort from 52 to 100 in small steps of the four-level equations.
  auto at_birthday = [&](size_t l, size_t a) { return (S[l][a - 1] + S[l][a]) / 2; };
  std::array<double, 4> x{};
  for (size_t l = 0; l < 4; ++l) x[l] = at_birthday(l, 52);
  const int sub = 200;
  for (size_t a = 52; a < 100; ++a) {
    for (int k = 0; k < sub; ++k) {
      std::array<double, 4> flow_up{}, dx{};
      for (size_t l = 0; l < 3; ++l) flow_up[l] = up[l][a] * x[l] - down[l + 1] * x[l + 1];
      double mean_excess = 0;
      for (size_t l = 0; l < 4; ++l) mean_excess += x[l] * excess[l][a];
      for (size_t l = 0; l < 4; ++l)
        dx[l] = (l > 0 ? flow_up[l - 1] : 0.0) - (l < 3 ? flow_up[l] : 0.0) - x[l] * (excess[l][a] - mean_excess);
      for (size_t l = 0; l < 4; ++l) x[l] += dx[l] / sub;
    }
    for (size_t l = 1; l < 4; ++l) {
      INFO("age " << a + 1 << " level " << l << ": cohort " << x[l] << ", curve " << at_birthday(l, a + 1));
      CHECK(std::fabs(x[l] - at_birthday(l, a + 1)) < 0.03 * at_birthday(l, a + 1) + 0.002);
    }
  }
  // Moves down need more moves up to hold the same shares.
  const auto no_down = balance::upward_rates(S, {0, 0, 0, 0}, excess);
  for (size_t a = 55; a < 95; ++a) CHECK(up[0][a] > no_down[0][a]);
}

TEST_CASE("'balanced' onset is refused for determinants and dependent states, and a misspelling is named") {
  auto err = [](const std::string& set) {
    auto root = default_config({set});
    return config_error([&] { (void)Params::read(root); });
  };
  CHECK_THAT(err("determinants.damp_home.onset_per_year=balanced"),
             Catch::Contains("determinant") && Catch::Contains("damp_home.onset_per_year"));
  CHECK_THAT(err("conditions.diabetes_uncontrolled.onset_per_year=balanced"),
             Catch::Contains("only to people with 'diabetes'"));
  CHECK_THAT(err("conditions.dementia.onset_per_year=balance"),
             Catch::Contains("'balance' is neither a number nor 'balanced'") && Catch::Contains("onset_per_year=balance:"));
  CHECK(err("conditions.dementia.onset_per_year=balanced").empty());
}

namespace {

// The conditions that can be balanced: every condition except those that need another
// state and the consequences of events (amputation, sight loss).
std::vector<int> balanceable() {
  std::vector<int> out;
  for (int s = 0; s < kStateCount; ++s) {
    const auto& info = kStateInfo[static_cast<size_t>(s)];
    if (info.group == StateGroup::Condition && states::required(s) < 0 && s != static_cast<int>(State::Amputation) &&
        s != static_cast<int>(State::SightLoss))
      out.push_back(s);
  }
  return out;
}

// Overrides for a stationary population from the config's own life table: the age
// structure and sex split of its survivors (l(x) by single year, summed by 5-year band up
// to 100), births per year = population / life expectancy from fertility at ages 20-39,
// and no migration.
std::vector<std::string> stationary(const Params& p, double n) {
  const auto& h = p.demography.death_hazard;
  std::array<std::array<double, 101>, 2> l{};
  double e0 = 0, women_20_39 = 0, total = 0;
  for (int sex = 0; sex < 2; ++sex) {
    double surv = 1;
    for (int a = 0; a <= 100; ++a) {
      const double mu = h.values[static_cast<size_t>(sex)][h.row(a)];
      l[static_cast<size_t>(sex)][static_cast<size_t>(a)] = surv * std::exp(-mu / 2);  // mid-year survivors
      surv *= std::exp(-mu);
    }
  }
  const double male_births = 0.512;
  for (int a = 0; a <= 100; ++a) {
    const double m = male_births * l[0][static_cast<size_t>(a)], f = (1 - male_births) * l[1][static_cast<size_t>(a)];
    total += m + f;
    if (a >= 20 && a < 40) women_20_39 += f;
  }
  e0 = total;  // person-years lived per birth
  std::ostringstream ages;
  ages << "[";
  for (int from = 0; from <= 90; from += 5) {
    const int to = from == 90 ? 101 : from + 5;
    double m = 0, f = 0;
    for (int a = from; a < to; ++a) {
      m += male_births * l[0][static_cast<size_t>(a)];
      f += (1 - male_births) * l[1][static_cast<size_t>(a)];
    }
    ages << (from ? "," : "") << "{from_age_years: " << from << ", share: " << (m + f) / total
         << ", male_share: " << m / (m + f) << "}";
  }
  ages << "]";
  // Births per woman-year at 20-39 so that births = n / e0 a year.
  const double rate = (n / e0) / (n * women_20_39 / total);
  std::ostringstream fert;
  fert << "[{from_age_years: 0, rate: 0}, {from_age_years: 20, rate: " << rate << "}, {from_age_years: 40, rate: 0}]";
  return {"population.age_structure=" + ages.str(), "population.max_age_years=100",
          "demography.fertility.births_per_woman_year=" + fert.str(), "demography.fertility.male_birth_share=0.512",
          "demography.migration.immigration_per_year=0", "demography.migration.emigration_per_year=0"};
}

struct BandShare {
  double with = 0, n = 0;
};

// Share with state s by prevalence band and sex among the living at `day`.
std::vector<std::array<BandShare, 2>> shares(const People& people, const AgeTable& bands, int s, int32_t day) {
  std::vector<std::array<BandShare, 2>> out(bands.rows());
  for (size_t i = 0; i < people.size(); ++i) {
    if (!people.alive(i)) continue;
    auto& c = out[bands.row(people.age_years(i, day))][people.sex[i]];
    c.n += 1;
    c.with += (people.states[i] >> s) & 1;
  }
  return out;
}

// Share at each frailty level by band and sex among the living at `day`.
std::vector<std::array<std::array<BandShare, 4>, 2>> frailty_shares(const People& people, const AgeTable& bands, int32_t day) {
  std::vector<std::array<std::array<BandShare, 4>, 2>> out(bands.rows());
  for (size_t i = 0; i < people.size(); ++i) {
    if (!people.alive(i)) continue;
    auto& c = out[bands.row(people.age_years(i, day))][people.sex[i]];
    for (size_t l = 0; l < 4; ++l) {
      c[l].n += 1;
      c[l].with += people.frailty[i] == l;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("a stationary population keeps every balanced condition's prevalence and the frailty levels by age and sex over 10 years", "[long]") {
  const double n = 100000;
  std::vector<std::string> sets = {"population.size=100000", "time.years=10", "run.replicates=1"};
  for (int s : balanceable()) sets.push_back("conditions." + std::string(kStateInfo[static_cast<size_t>(s)].name) +
                                             ".onset_per_year=balanced");
  sets.push_back("frailty.up_per_year=balanced");
  const auto base = stationary(Params::read(default_config(sets)), n);
  sets.insert(sets.end(), base.begin(), base.end());
  Params p = Params::read(default_config(sets));
  World w(p, 0);
  std::vector<std::vector<std::array<BandShare, 2>>> start;
  for (int s : balanceable()) start.push_back(shares(w.people(), p.states.binary[static_cast<size_t>(s)].prevalence, s, 0));
  const auto& fb = p.states.frailty.initial;
  const auto frail0 = frailty_shares(w.people(), fb, 0);
  const double alive0 = static_cast<double>(w.alive());
  for (uint32_t s = 0; s < p.clock.steps; ++s) w.step(s);
  const int32_t day = p.clock.day_at_start(p.clock.steps);
  // Stationary: the population ends within 3% of where it started.
  CHECK(static_cast<double>(w.alive()) == Approx(alive0).epsilon(0.03));
  int checked = 0;
  for (size_t k = 0; k < balanceable().size(); ++k) {
    const int s = balanceable()[k];
    const auto& bands = p.states.binary[static_cast<size_t>(s)].prevalence;
    const auto end = shares(w.people(), bands, s, day);
    for (size_t b = 0; b < bands.rows(); ++b)
      for (int sex = 0; sex < 2; ++sex) {
        const auto& a0 = start[k][b][static_cast<size_t>(sex)];
        const auto& a1 = end[b][static_cast<size_t>(sex)];
        if (a0.n < 200 || a1.n < 200) continue;
        const double p0 = a0.with / a0.n, p1 = a1.with / a1.n, pm = (a0.with + a1.with) / (a0.n + a1.n);
        if (pm == 0) continue;
        // The two are not independent (the same people, 10 years on): the SE of a
        // difference of independent shares is an upper bound when cohorts overlap.
        const double se = std::sqrt(pm * (1 - pm) * (1 / a0.n + 1 / a1.n));
        INFO(kStateInfo[static_cast<size_t>(s)].name << " from " << bands.from_age_years[b] << (sex ? " women" : " men")
                                                     << ": start " << p0 << " (n " << a0.n << "), year 10 " << p1
                                                     << " (n " << a1.n << "), " << (p1 - p0) / se << " SE");
        CHECK(std::fabs(p1 - p0) < 4 * se);
        ++checked;
      }
  }
  CHECK(checked > 80);
  // Diagnosis: the diagnosed share of the cases stays where it starts (England's shares:
  // hypertension, diabetes, COPD and dementia), in every band and sex. Known bias: in the
  // first band with any prevalence every case is recent and arose undiagnosed, while the
  // diagnosis hazard is the steady state's, so that band runs below the configured share
  // (hypertension, men from 16: 0.61-0.64 against 0.70 over seeds 1-3 and the default
  // seed, -2.8 to -4.4 SE); it is allowed 0.1 below, and checked within 4 SE above.
  int diag_checked = 0;
  for (int s : balanceable()) {
    const double d = p.states.binary[static_cast<size_t>(s)].diagnosed_share;
    if (d >= 1) continue;
    const auto& bands = p.states.binary[static_cast<size_t>(s)].prevalence;
    std::vector<std::array<BandShare, 2>> cases(bands.rows());
    for (size_t i = 0; i < w.people().size(); ++i) {
      const auto& pp = w.people();
      if (!pp.alive(i) || !(pp.states[i] >> s & 1)) continue;
      auto& c = cases[bands.row(pp.age_years(i, day))][pp.sex[i]];
      c.n += 1;
      c.with += pp.diagnosed[i] >> s & 1;
    }
    for (size_t b = 0; b < bands.rows(); ++b)
      for (int sex = 0; sex < 2; ++sex) {
        const auto& c = cases[b][static_cast<size_t>(sex)];
        if (c.n < 100) continue;
        const double got = c.with / c.n, se = std::sqrt(d * (1 - d) / c.n);
        INFO(kStateInfo[static_cast<size_t>(s)].name << " from " << bands.from_age_years[b] << (sex ? " women" : " men")
                                                     << ": diagnosed share " << got << " of " << c.n << " cases, configured "
                                                     << d << " (" << (got - d) / se << " SE)");
        const bool first_band = b == 0 || bands.values[static_cast<size_t>(sex)][b - 1] == 0;
        if (first_band) CHECK((got - d > -0.1 && got - d < 4 * se));
        else CHECK(std::fabs(got - d) < 4 * se);
        ++diag_checked;
      }
  }
  CHECK(diag_checked >= 20);
  // Frailty: the share moderate or severe (the care-need levels), by band and sex. The
  // mild share is not held as well: people with high risks of moving up leave mild
  // sooner than the initial draw assumed, so mild fills with people who rarely move on
  // (measured: 85+ men 0.38 -> 0.48 in 10 years); it is shown, not checked.
  const auto frail1 = frailty_shares(w.people(), fb, day);
  int frail_checked = 0;
  for (size_t b = 0; b < fb.rows(); ++b)
    for (int sex = 0; sex < 2; ++sex) {
      auto moderate_or_severe = [&](const std::array<BandShare, 4>& c) {
        return BandShare{c[2].with + c[3].with, c[2].n};
      };
      const auto a0 = moderate_or_severe(frail0[b][static_cast<size_t>(sex)]);
      const auto a1 = moderate_or_severe(frail1[b][static_cast<size_t>(sex)]);
      const double mild0 = frail0[b][static_cast<size_t>(sex)][1].with / std::max(1.0, a0.n);
      const double mild1 = frail1[b][static_cast<size_t>(sex)][1].with / std::max(1.0, a1.n);
      if (a0.n < 200 || a1.n < 200) continue;
      const double p0 = a0.with / a0.n, p1 = a1.with / a1.n, pm = (a0.with + a1.with) / (a0.n + a1.n);
      if (pm == 0) continue;
      const double se = std::sqrt(pm * (1 - pm) * (1 / a0.n + 1 / a1.n));
      INFO("frailty moderate or severe from " << fb.from_age_years[b] << (sex ? " women" : " men") << ": start " << p0
                                              << ", year 10 " << p1 << ", " << (p1 - p0) / se << " SE (mild " << mild0
                                              << " -> " << mild1 << ")");
      CHECK(std::fabs(p1 - p0) < 4 * se);
      ++frail_checked;
    }
  CHECK(frail_checked >= 6);
}

TEST_CASE("diagnosis: the diagnosed share starts as configured, reviews follow it, and case finding raises it", "[long]") {
  const int hyp = static_cast<int>(State::Hypertension), chd = static_cast<int>(State::Chd);
  auto run = [](const std::vector<std::string>& extra, int years) {
    std::vector<std::string> sets = {"population.size=30000", "time.years=" + std::to_string(years), "run.replicates=1"};
    sets.insert(sets.end(), extra.begin(), extra.end());
    Params p = Params::read(default_config(sets));
    auto w = std::make_unique<World>(p, 0);
    int64_t gp = 0;
    for (uint32_t s = 0; s < p.clock.steps; ++s) gp += w->step(s).get(CareCounter::GpAppointments) + 0;
    return std::make_pair(std::move(w), gp);
  };
  // At the start: a share d of the cases is diagnosed; a condition recorded in full
  // (CHD, share 1) is diagnosed in everyone who has it.
  {
    Params p = Params::read(default_config({"population.size=30000", "time.years=0.1", "run.replicates=1"}));
    World w(p, 0);
    const auto& pp = w.people();
    double cases = 0, diagnosed = 0;
    for (size_t i = 0; i < pp.size(); ++i) {
      if (!pp.alive(i)) continue;
      CHECK((pp.diagnosed[i] & ~pp.states[i]) == 0u);
      if (pp.states[i] >> chd & 1) CHECK((pp.diagnosed[i] >> chd & 1) == 1u);
      if (pp.states[i] >> hyp & 1) {
        cases += 1;
        diagnosed += pp.diagnosed[i] >> hyp & 1;
      }
    }
    const double d = p.states.binary[static_cast<size_t>(hyp)].diagnosed_share;
    REQUIRE(d < 1);
    CHECK(std::fabs(diagnosed / cases - d) < 4 * std::sqrt(d * (1 - d) / cases));
    CHECK(w.initial_census().get(diagnosed_counter(hyp)) == static_cast<int64_t>(diagnosed));
  }
  // Reviews are for diagnosed conditions only: with almost nobody's hypertension
  // diagnosed, fewer GP appointments are asked for and used.
  const auto [w_all, gp_all] = run({"conditions.hypertension.diagnosed_share=1"}, 1);
  const auto [w_few, gp_few] = run({"conditions.hypertension.diagnosed_share=0.01"}, 1);
  CHECK(gp_few < gp_all);
  // Case finding: a programme that multiplies diagnosis by 20 for everyone 40+ raises the
  // diagnosed share of hypertension above its configured 0.70 within two years.
  const std::string programme =
      "interventions.case_finding={description: case finding, delivered_by: gp, start_year: 2025, "
      "eligible: {age_min_years: 40}, capacity_per_year: 100000, uptake: 1, adherence: 1, duration_years: 5, "
      "effects: [{target: diagnosis, multiplier: 20, source: test}], cost: {per_member_per_year_gbp: 0}}";
  auto share = [&](const World& w) {
    const auto& pp = w.people();
    double cases = 0, diagnosed = 0;
    for (size_t i = 0; i < pp.size(); ++i)
      if (pp.alive(i) && (pp.states[i] >> hyp & 1)) {
        cases += 1;
        diagnosed += pp.diagnosed[i] >> hyp & 1;
      }
    return diagnosed / cases;
  };
  const auto [w_base, gp_base] = run({}, 2);
  const auto [w_cf, gp_cf] = run({programme}, 2);
  INFO("diagnosed share of hypertension after 2 years: " << share(*w_base) << " without, " << share(*w_cf) << " with case finding");
  CHECK(share(*w_base) == Approx(0.70).margin(0.03));
  CHECK(share(*w_cf) > share(*w_base) + 0.1);
}
