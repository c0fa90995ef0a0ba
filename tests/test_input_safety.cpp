// Hostile and careless configs: each case reproduces a defect found by fuzzing (issue 13)
// and checks that it now ends in a ConfigError with a location, not a crash, a hang, a
// read of freed memory or a silently wrong result.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "helpers.hpp"
#include "model/core/config/reader.hpp"

using namespace hscsim;
using namespace hscsim::test;
namespace fs = std::filesystem;

namespace {
std::string load_error(const std::string& path) {
  return config_error([&] { Experiment::from_config(config::load(path), "x"); });
}
bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("include: as the last key of a scenario resolves (it was read after being freed)") {
  // configs/scenarios/virtual_consultations.yaml and three others end a scenario with
  // `include:`; its origin used to be read after std::erase_if destroyed the entry.
  auto overlay = write_temp("inc_overlay.yaml", "population: {size: 1234}\n");
  (void)overlay;
  auto path = write_temp("inc_last.yaml", "extends: " + source_path("configs/tests/tiny.yaml") +
                                              "\nscenarios:\n  - name: more\n    include: inc_overlay.yaml\n");
  config::Node root = config::load(path);
  const config::Node* sc = root.find("scenarios");
  REQUIRE(sc);
  REQUIRE(sc->seq.size() == 1);
  const config::Node* ov = sc->seq[0].find("overlay");
  REQUIRE(ov);
  CHECK(ov->origin.line == 4);
  CHECK(ov->origin.column == 14);
  auto e = Experiment::from_config(root, "x");
  CHECK(e.scenarios[1].params.population.size == 1234);
}

TEST_CASE("every shipped scenario file loads (the sanitizer build reads every one)") {
  for (const auto& entry : fs::directory_iterator(source_path("configs/scenarios"))) {
    INFO(entry.path().string());
    CHECK(load_error(entry.path().string()).empty());
  }
}

TEST_CASE("recursive and exploding YAML aliases are refused before they are expanded") {
  auto rec = write_temp("alias_rec.yaml", "description: &s [*s]\n");
  CHECK(starts_with(load_error(rec), rec + ":1:14: error: YAML alias refers to a node that contains it"));
  auto rec_map = write_temp("alias_rec_map.yaml", "a: &m {b: *m}\n");
  CHECK(contains(load_error(rec_map), "recursive alias"));
  // Billion laughs: nine levels of ten aliases each.
  std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int k = 1; k < 9; ++k) {
    laughs += fmt::format("a{}: &a{} [", k, k);
    for (int j = 0; j < 10; ++j) laughs += fmt::format("{}*a{}", j ? ", " : "", k - 1);
    laughs += "]\n";
  }
  auto bomb = write_temp("alias_bomb.yaml", laughs);
  CHECK(contains(load_error(bomb), "expands to more than"));
  CHECK(starts_with(load_error(bomb), bomb + ":"));
  // A --set value is YAML too, and a stored config (run --from) is parsed the same way.
  CHECK(contains(config_error([] { config::parse("a: &s [*s]", "--set"); }), "recursive alias"));
}

TEST_CASE("deep nesting is refused before the YAML parser recurses") {
  auto flow = write_temp("deep_flow.yaml", "a: " + std::string(100000, '[') + std::string(100000, ']') + "\n");
  CHECK(load_error(flow) == flow + ":1:1: error: values nested more than 64 levels deep");
  std::string block = "a:\n";
  for (int k = 1; k < 200; ++k) block += std::string(2 * static_cast<size_t>(k), ' ') + "- \n";
  auto deep = write_temp("deep_block.yaml", block);
  CHECK(contains(load_error(deep), "nested more than 64 levels"));
}

TEST_CASE("only regular files are read: folders, FIFOs, devices, loops, long names") {
  const fs::path dir = temp_dir();
  fs::create_directories(dir / "a_folder");
  auto folder = write_temp("ext_dir.yaml", "extends: a_folder\n");
  CHECK(load_error(folder) == folder + ":1:10: error: extends: file 'a_folder' is a folder; a config must be a regular file");
  const fs::path fifo = dir / "a_fifo";
  fs::remove(fifo);
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  auto via_fifo = write_temp("ext_fifo.yaml", "extends: a_fifo\n");
  CHECK(contains(load_error(via_fifo), "is a named pipe (FIFO); a config must be a regular file"));
  auto zero = write_temp("ext_zero.yaml", "extends: /dev/zero\n");
  CHECK(load_error(zero) == zero + ":1:10: error: extends: file '/dev/zero' is a character device; a config must be a regular file");
  fs::remove(dir / "loop_a");
  fs::remove(dir / "loop_b");
  fs::create_symlink("loop_b", dir / "loop_a");
  fs::create_symlink("loop_a", dir / "loop_b");
  auto loop = write_temp("ext_loop.yaml", "extends: loop_a\n");
  CHECK(starts_with(load_error(loop), loop + ":1:10: error: extends: file 'loop_a' cannot be read: Too many levels of symbolic links"));
  auto longname = write_temp("ext_long.yaml", "extends: " + std::string(300, 'a') + "\n");
  CHECK(contains(load_error(longname), "cannot be read: File name too long"));
  CHECK(starts_with(load_error(longname), longname + ":1:10: error: extends:"));
  auto inc_dir = write_temp("inc_dir.yaml", "extends: " + source_path("configs/tests/tiny.yaml") +
                                                "\nscenarios:\n  - name: s\n    include: a_folder\n");
  CHECK(load_error(inc_dir) == inc_dir + ":4:14: error: include: file 'a_folder' is a folder; a config must be a regular file");
  // Too big to be a config.
  auto big = write_temp("big.yaml", "# " + std::string(config::limits::kMaxFileBytes, 'x') + "\n");
  auto ext_big = write_temp("ext_big.yaml", "extends: big.yaml\n");
  CHECK(contains(load_error(ext_big), "a config file may hold at most 4 MiB"));
}

TEST_CASE("extends and include cycles name every step with its line") {
  auto a = write_temp("cyc_a.yaml", "extends: cyc_b.yaml\n");
  auto b = write_temp("cyc_b.yaml", "run: {seed: 1}\nextends: cyc_a.yaml\n");
  const std::string d = fs::path(a).parent_path().string();
  CHECK(load_error(a) == b + ":2:10: error: extends: cycle: '" + a + "' extends '" + d + "/cyc_b.yaml' at " + a +
                             ":1:10, which '" + d + "/cyc_b.yaml' extends '" + d + "/cyc_a.yaml' at " + b + ":2:10");
  auto self_inc = write_temp("cyc_inc.yaml", "extends: " + source_path("configs/tests/tiny.yaml") +
                                                 "\nscenarios:\n  - name: s\n    include: cyc_inc.yaml\n");
  const std::string msg = load_error(self_inc);
  CHECK(starts_with(msg, self_inc + ":4:14: error: include: cycle:"));
  CHECK(contains(msg, "include '"));
  CHECK(!contains(msg, "extends '"));
}

TEST_CASE("a second YAML document is refused") {
  auto two = write_temp("two_docs.yaml", "run: {seed: 1}\n---\nrun: {seed: 2}\n");
  CHECK(load_error(two) == two + ":3:1: error: a second YAML document (after '---'); a config file holds exactly one document");
}

TEST_CASE("key paths given to --set: empty, spaced, signed and trailing segments are refused") {
  for (const char* s : {"population.size.=1", "neighbourhoods. 0.name=x", "neighbourhoods.+0.name=x", ".population.size=1",
                        "population..size=1", "neighbourhoods.-1.name=x"}) {
    INFO(s);
    const std::string msg = config_error([&] { default_config({s}); });
    CHECK(starts_with(msg, std::string("--set ") + s + ": error: "));
  }
  CHECK(config_error([] { default_config({"population.size.=1"}); }) ==
        "--set population.size.=1: error: key path 'population.size.': empty segment ''; a path is key names (letters, "
        "digits, _ and -) and list indices joined by '.', such as neighbourhoods.0.name");
  CHECK(config_error([] { default_config({"neighbourhoods.-1.name=x"}); }) ==
        "--set neighbourhoods.-1.name=x: error: 'neighbourhoods' is a list of 6 items; index it with 0 to 5");
}

TEST_CASE("names: empty and over-long names are refused") {
  CHECK(config_error([] { Params::read(default_config({"neighbourhoods.0.name="})); }) ==
        "--set neighbourhoods.0.name=: error: neighbourhoods[0].name: '' is not accepted as a name; a name is 1 to 64 "
        "letters, digits, _ or - (no spaces)");
  auto long_scenario = write_temp("long_scenario.yaml", "extends: " + source_path("configs/tests/tiny.yaml") +
                                                            "\nscenarios:\n  - name: " + std::string(5000, 'a') + "\n");
  CHECK(contains(load_error(long_scenario), "a scenario name is 1 to 64 of a-z, 0-9 and _"));
}

TEST_CASE("population size: zero is refused, more people than memory holds is refused in check") {
  CHECK(contains(config_error([] { Params::read(default_config({"population.size=0"})); }),
                 "population.size: 0 is out of range; expected a whole number in [1, 4e+09]"));
  const std::string big = config_error([] { Experiment::from_config(default_config({"population.size=4e9"}), "x"); });
  CHECK(starts_with(big, "--set population.size=4e9: error: population.size: this run needs about"));
  CHECK(contains(big, "but this machine has"));
  // The memory check, with a machine of 1 GiB: 100,000 people x 2 replicates fit, 10M do not.
  auto e = Experiment::from_config(default_config(), "x");
  CHECK_NOTHROW(check_resources(e, default_config(), double(1ull << 30)));
  auto root = default_config({"population.size=10000000"});
  auto e10 = Experiment::from_config(root, "x");
  CHECK(contains(config_error([&] { check_resources(e10, root, double(1ull << 30)); }), "population.size: this run needs"));
}

TEST_CASE("capacities have an upper bound that integer arithmetic holds") {
  // 2^63 - 1 beds used to overflow int64 in the allocation and behave like zero beds;
  // 1e308 appointments or electives served nobody.
  CHECK(config_error([] { Params::read(default_config({"acute_trusts.0.general_acute_beds=9223372036854775807"})); }) ==
        "--set acute_trusts.0.general_acute_beds=9223372036854775807: error: acute_trusts[0].general_acute_beds: "
        "9223372036854775807 is out of range; expected a whole number in [0, 1e+09]");
  for (const char* s : {"gp_practices.0.appointments_per_week=1e308", "acute_trusts.0.elective_admissions_per_week=1e308",
                        "local_authorities.0.care_home_places=1e10", "local_authorities.0.home_care_hours_per_week=2e9"}) {
    INFO(s);
    CHECK(contains(config_error([&] { Params::read(default_config({s})); }), "is out of range; expected a"));
  }
  // A whole number beyond 2^53 where the range is open: refused, not cast.
  CHECK(contains(config_error([] { Params::read(default_config({"run.seed=1e300"})); }), "run.seed"));
}

TEST_CASE("capacities at the bound run without overflow, and as many as everyone needs serve everyone") {
  // At the limit, every request is served: as good as unlimited, never as zero.
  auto at_limit = small_config({"acute_trusts.0.general_acute_beds=1000000000", "acute_trusts.0.escalation_beds=1000000000",
                                "acute_trusts.0.elective_admissions_per_week=1000000000",
                                "gp_practices.0.appointments_per_week=1000000000"});
  auto generous = small_config({"acute_trusts.0.general_acute_beds=100000", "acute_trusts.0.escalation_beds=100000",
                                "acute_trusts.0.elective_admissions_per_week=100000",
                                "gp_practices.0.appointments_per_week=100000"});
  auto a = run_experiment(Experiment::from_config(at_limit, "a"), 2);
  auto b = run_experiment(Experiment::from_config(generous, "b"), 2);
  CHECK(total(a, CareCounter::TrolleyWaits) == 0);
  CHECK(total(a, CareCounter::ElectiveAdmissions) == total(b, CareCounter::ElectiveAdmissions));
  CHECK(total(a, CareCounter::EmergencyAdmissions) == total(b, CareCounter::EmergencyAdmissions));
  CHECK(total(a, CareCounter::GpAppointments) == total(b, CareCounter::GpAppointments));
  CHECK(total(a, CareCounter::EmergencyAdmissions) > 0);
}

TEST_CASE("the range message shows the bound exactly when it reads like the value") {
  CHECK(config_error([] { Params::read(default_config({"time.years=0.00273785"})); }) ==
        "--set time.years=0.00273785: error: time.years: 0.00273785 is out of range; expected a number in "
        "[0.0027378507871321013, 200]");
  CHECK(config_error([] { Params::read(default_config({"time.years=201"})); }) ==
        "--set time.years=201: error: time.years: 201 is out of range; expected a number in [0.00273785, 200]");
}

TEST_CASE("scenarios x replicates have a limit") {
  CHECK(contains(config_error([] { Experiment::from_config(default_config({"run.replicates=2000000"}), "x"); }),
                 "run.replicates"));
  std::string many = "extends: " + source_path("configs/tests/tiny.yaml") + "\nscenarios:\n";
  for (int k = 0; k < 300; ++k) many += fmt::format("  - name: s{}\n", k);
  auto path = write_temp("many_scenarios.yaml", many);
  CHECK(contains(load_error(path), "300 scenarios; at most 256"));
}

TEST_CASE("intermediate care services: unknown and doubly served councils, and councils without one, are refused") {
  const std::string base = "extends: " + source_path("configs/default.yaml") + "\n";
  const std::string unknown = load_error(write_temp(
      "ic_unknown.yaml", base + "intermediate_care:\n  - {name: a, community_beds: 5, home_places: 5, local_authorities: [riverside]}\n"));
  CHECK(contains(unknown, "ic_unknown.yaml:3:"));
  CHECK(contains(unknown, "no local authority is named 'riverside'. Known: riverside_council"));
  const std::string twice = load_error(write_temp(
      "ic_twice.yaml", base + "intermediate_care:\n  - {name: a, community_beds: 5, home_places: 5}\n"
                              "  - {name: b, community_beds: 5, home_places: 5, local_authorities: [riverside_council]}\n"));
  CHECK(contains(twice, "local authority 'riverside_council' already has an intermediate care service"));
  // No service, but the discharge mix sends patients to one: refused with what to do.
  const std::string none = load_error(write_temp("ic_none.yaml", base + "intermediate_care: []\n"));
  CHECK(contains(none, "local authority 'riverside_council' has no intermediate care service, but care.hospital.discharge_mix "
                       "sends patients to intermediate care; list it in an intermediate_care service's local_authorities"));
  const std::string two_councils = load_error(write_temp(
      "ic_two.yaml", base + "local_authorities:\n"
                            "  - {name: riverside_council, home_care_hours_per_week: 100, reablement_places: 5, care_home_places: 50}\n"
                            "  - {name: hill_council, home_care_hours_per_week: 100, reablement_places: 5, care_home_places: 50}\n"
                            "intermediate_care:\n  - {name: a, community_beds: 5, home_places: 5, local_authorities: [riverside_council]}\n"
                            "neighbourhoods:\n"
                            "  - {name: n1, imd_quintile: 1, population_share: 0.5, local_authority: riverside_council, practices: {riverside_surgery: 1}}\n"
                            "  - {name: n2, imd_quintile: 5, population_share: 0.5, local_authority: hill_council, practices: {hillside_medical: 1}}\n"));
  CHECK(contains(two_councils, "local authority 'hill_council' has no intermediate care service"));
  // A place without intermediate care is fine when nobody is sent there.
  CHECK_NOTHROW(Experiment::from_config(
      config::load(write_temp("ic_off.yaml", base + "care: {hospital: {discharge_mix: {intermediate_care_home: 0, intermediate_care_bed: 0, "
                                                    "reablement: 0.55, home_care: 0.37, care_home: 0.08}}}\n"
                                                    "intermediate_care: []\n")),
      "x"));
}
