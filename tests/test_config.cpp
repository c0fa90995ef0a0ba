// Config loading, composition, overrides and the exact text of validation errors.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "model/core/config/reader.hpp"

using namespace hscsim;
using namespace hscsim::test;

namespace {
// A config that extends the default one, with extra YAML; returns its path.
std::string child(const std::string& name, const std::string& yaml) {
  return write_temp(name, "extends: " + source_path("configs/default.yaml") + "\n" + yaml);
}
std::string error_of_file(const std::string& path) {
  return config_error([&] { Params::read(config::load(path)); });
}
}  // namespace

TEST_CASE("the shipped default config is valid and resolves extends") {
  auto root = default_config();
  Params p = Params::read(root);
  CHECK(p.population.size == 100000);
  CHECK(p.clock.step == "week");
  CHECK(p.clock.steps == 522);  // round(10 years / (7 / 365.25))
  CHECK(p.geography.neighbourhoods.size() == 6);
  CHECK(p.geography.practices.size() == 4);
  CHECK(p.population.age_structure.rows() == 19);  // from england/people.yaml
}

TEST_CASE("overrides (--set) change values, create keys and index lists") {
  auto root = default_config({"population.size=1234", "time.step=month", "neighbourhoods.0.imd_quintile=2"});
  Params p = Params::read(root);
  CHECK(p.population.size == 1234);
  CHECK(p.clock.step == "month");
  CHECK(p.clock.steps == 120);
  CHECK(p.geography.neighbourhoods[0].quintile == 2);
  CHECK(config_error([] { default_config({"population.size"}); }) ==
        "--set population.size: error: expected key.path=value");
  CHECK(config_error([] { default_config({"neighbourhoods.9.name=x"}); }) ==
        "--set neighbourhoods.9.name=x: error: 'neighbourhoods' is a list of 6 items; index it with 0 to 5");
}

TEST_CASE("an unknown key is rejected with a suggestion and the accepted keys") {
  auto path = child("typo.yaml", "population:\n  sise: 10\n");
  CHECK(error_of_file(path) ==
        path + ":3:3: error: population.sise: unknown key 'sise'; did you mean 'size'? Accepted keys here: size, "
               "max_age_years, age_structure, age_structure_by_quintile, tenure_by_quintile");
}

TEST_CASE("a misspelt key from --set names --set as its origin") {
  auto msg = config_error([] { Params::read(default_config({"time.yers=3"})); });
  CHECK(msg == "--set time.yers=3: error: time.yers: unknown key 'yers'; did you mean 'years'? Accepted keys here: "
               "start_year, years, step, burn_in_years");
}

TEST_CASE("wrong types and out-of-range values name the value and what is accepted") {
  auto neg = child("neg.yaml", "population:\n  size: -5\n");
  CHECK(error_of_file(neg) ==
        neg + ":3:9: error: population.size: -5 is out of range; expected a whole number in [1, 4e+09]");
  auto word = child("word.yaml", "time:\n  years: ten\n");
  CHECK(error_of_file(word) == word + ":3:10: error: time.years: 'ten' is not a number; expected a number in [0.00273785, 200]");
  auto prob = child("prob.yaml", "determinants:\n  damp_home:\n    prevalence: 1.5\n");
  CHECK(error_of_file(prob) ==
        prob + ":4:17: error: determinants.damp_home.prevalence: 1.5 is out of range; expected a number in [0, 1]");
  auto frac = child("frac.yaml", "population:\n  size: 10.5\n");
  CHECK(error_of_file(frac) == frac + ":3:9: error: population.size: 10.5 is not a whole number; expected a whole number in [1, 4e+09]");
  auto step = child("step.yaml", "time:\n  step: fortnight\n");
  CHECK(error_of_file(step) ==
        step + ":3:9: error: time.step: 'fortnight' is not accepted; expected one of: day, week, month");
  auto stp = child("stp.yaml", "time:\n  step: wek\n");
  CHECK(error_of_file(stp) ==
        stp + ":3:9: error: time.step: 'wek' is not accepted (did you mean 'week'?); expected one of: day, week, month");
  auto flag = child("flag.yaml", "demography:\n  closed_population: maybe\n");
  CHECK(error_of_file(flag) ==
        flag + ":3:22: error: demography.closed_population: 'maybe' is not accepted; expected true or false");
  auto map = child("map.yaml", "time: 5\n");
  CHECK(error_of_file(map) == map + ":2:7: error: time: expected a map of keys, got a single value");
}

TEST_CASE("age tables must start at 0 and increase") {
  auto unordered = child("unordered.yaml",
                         "demography:\n  fertility:\n    births_per_woman_year:\n"
                         "      - {from_age_years: 0, rate: 0}\n"
                         "      - {from_age_years: 30, rate: 0.1}\n"
                         "      - {from_age_years: 20, rate: 0.05}\n");
  CHECK(error_of_file(unordered) ==
        unordered + ":7:9: error: demography.fertility.births_per_woman_year[2].from_age_years: 20 does not follow the "
                    "previous row's 30; rows must be in increasing age order");
  auto late = child("late.yaml",
                    "demography:\n  fertility:\n    births_per_woman_year:\n"
                    "      - {from_age_years: 15, rate: 0.05}\n");
  CHECK(error_of_file(late) ==
        late + ":5:9: error: demography.fertility.births_per_woman_year[0].from_age_years: the first row starts at age "
               "15; an age table must start at 0");
  auto missing = child("missingcol.yaml",
                       "demography:\n  fertility:\n    births_per_woman_year:\n"
                       "      - {from_age_years: 0}\n");
  CHECK(error_of_file(missing) ==
        missing + ":5:9: error: demography.fertility.births_per_woman_year[0].rate: required key is missing (expected "
                  "a number in [0, 1])");
}

TEST_CASE("shares must sum to 1") {
  auto hoods = child("hoods.yaml", "neighbourhoods:\n  - {name: a, imd_quintile: 1, population_share: 0.5, practices: {hillside_medical: 1}}\n"
                                   "  - {name: b, imd_quintile: 5, population_share: 0.3, practices: {hillside_medical: 1}}\n");
  CHECK(error_of_file(hoods) ==
        hoods + ":3:3: error: neighbourhoods[*].population_share: shares sum to 0.8; they must sum to 1 (within 0.001)");
  auto tenure = child("tenure.yaml", "population:\n  tenure_by_quintile:\n"
                                     "    - {owner: 0.5, social_rent: 0.5, private_rent: 0.5}\n"
                                     "    - {owner: 0.5, social_rent: 0.3, private_rent: 0.2}\n"
                                     "    - {owner: 0.5, social_rent: 0.3, private_rent: 0.2}\n"
                                     "    - {owner: 0.5, social_rent: 0.3, private_rent: 0.2}\n"
                                     "    - {owner: 0.5, social_rent: 0.3, private_rent: 0.2}\n");
  CHECK(error_of_file(tenure) ==
        tenure + ":4:7: error: population.tenure_by_quintile[0]: shares sum to 1.5; they must sum to 1 (within 0.001)");
}

TEST_CASE("names that refer to other things are checked") {
  auto practice = child("practice.yaml", "neighbourhoods:\n  - {name: a, imd_quintile: 1, population_share: 1, practices: {hilside_medical: 1}}\n");
  CHECK(error_of_file(practice) ==
        practice + ":3:82: error: neighbourhoods[0].practices.hilside_medical: no GP practice is named 'hilside_medical'; "
                   "did you mean 'hillside_medical'? Known: riverside_surgery, northfield_health_centre, "
                   "market_street_practice, hillside_medical");
  auto factor = child("factor.yaml", "conditions:\n  copd:\n    rr: {smokr: 2}\n");
  std::string msg = error_of_file(factor);
  CHECK(msg.rfind(factor + ":4:10: error: conditions.copd.rr.smokr: unknown risk factor 'smokr'; did you mean 'smoker'? Risk factors: overcrowded,", 0) == 0);
  auto order = child("order.yaml", "conditions:\n  copd:\n    rr: {dementia: 2}\n");
  CHECK(error_of_file(order).rfind(order + ":4:20: error: conditions.copd.rr.dementia: 'dementia' cannot be a relative "
                                           "risk for 'copd': it is drawn after 'copd' when the population is built", 0) == 0);
}

TEST_CASE("extends: missing files, cycles and YAML syntax errors") {
  auto missing = write_temp("missing.yaml", "extends: nowhere.yaml\n");
  CHECK(error_of_file(missing) == missing + ":1:10: error: extends: file 'nowhere.yaml' not found (looked for " +
                                      std::filesystem::path(missing).parent_path().string() + "/nowhere.yaml; paths are relative to the file that names them)");
  auto a = write_temp("cycle_a.yaml", "extends: cycle_b.yaml\n");
  write_temp("cycle_b.yaml", "extends: cycle_a.yaml\n");
  CHECK(error_of_file(a).find("extends: cycle") != std::string::npos);
  auto bad = write_temp("syntax.yaml", "run:\n  seed: [1, 2\n");
  CHECK(error_of_file(bad).rfind(bad + ":", 0) == 0);
  CHECK(error_of_file(bad).find("error: YAML syntax") != std::string::npos);
  CHECK(error_of_file(write_temp("nofile.yaml", "extends: [1, {a: b}]\n")).find("extends: expected a file path") !=
        std::string::npos);
}

TEST_CASE("a missing required section is named") {
  auto root = config::parse("run: {seed: 1}\n", "tiny.yaml");
  CHECK(config_error([&] { Params::read(root); }) == "tiny.yaml:1:1: error: time: required key is missing (expected a map of keys)");
}

TEST_CASE("did-you-mean only suggests close words") {
  CHECK(config::closest("sise", {"size", "closed"}) == "size");
  CHECK(config::closest("population", {"size", "closed"}) == "");
  CHECK(config::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("the resolved config round-trips through emit and parse") {
  auto root = default_config({"population.size=777"});
  auto again = config::parse(config::emit(root), "emitted");
  Params a = Params::read(root), b = Params::read(again);
  CHECK(b.population.size == 777);
  CHECK(config::emit(again) == config::emit(root));
  CHECK(a.demography.death_hazard.values == b.demography.death_hazard.values);
}
