#!/usr/bin/env python3
"""Follows the recipes of docs/architecture.md on a scratch copy of the sources, builds
it, runs it, and checks that each addition shows up where the recipe says it will.

    follow_recipes.py SOURCE_DIR SCRATCH_DIR

Each recipe is a list of (file, anchor, replacement) edits: the anchor must occur exactly
once, so when the code the recipe describes changes, this test fails and the recipe (and
docs/architecture.md) must be brought up to date. Only the standard library and the
HDF5 command-line tools (h5ls) are used.
"""
import os
import re
import shutil
import subprocess
import sys

SOURCE, SCRATCH = (os.path.abspath(a) for a in sys.argv[1:3])

COPY = ["CMakeLists.txt", "cmake", "model", "agents", "configs", "tests"]


def edit(path, anchor, replacement):
    full = os.path.join(SCRATCH, path)
    text = open(full).read()
    n = text.count(anchor)
    if n != 1:
        sys.exit(f"recipe out of date: {path}: the anchor occurs {n} times, not once:\n{anchor}")
    open(full, "w").write(text.replace(anchor, replacement))


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r.stdout


# ---- Recipe 1: a binary state (agents/people/state_registry.hpp + config) -------------
RECIPE_STATE = [
    ("agents/people/state_registry.hpp", "  Amputation, SightLoss,                                     // lasting consequences of events\n",
     "  Amputation, SightLoss,                                     // lasting consequences of events\n  FoodInsecure,\n"),
    ("agents/people/state_registry.hpp",
     '    {"sight_loss", StateGroup::Condition, "", "sight loss (severe visual impairment)", false},\n',
     '    {"sight_loss", StateGroup::Condition, "", "sight loss (severe visual impairment)", false},\n'
     '    {"food_insecure", StateGroup::Social, "", "lives in a food-insecure household"},\n'),
]
STATE_CONFIG = """
determinants:
  food_insecure:
    prevalence:
      - {from_age_years: 0, male: 0.10, female: 0.12}
    rr_deprivation_quintile: [2.0, 1.4, 1.0, 0.7, 0.5]
    onset_per_year: 0.02
    recovery_per_year: 0.3
"""

# ---- Recipe 2: an intervention effect target (interventions + the owning module) ------
RECIPE_TARGET = [
    ("agents/interventions/modifiers.hpp", "  Diagnosis,                //!< hazard of an undiagnosed condition being diagnosed (case finding)\n",
     "  Diagnosis,                //!< hazard of an undiagnosed condition being diagnosed (case finding)\n"
     "  OutpatientReferral,       //!< GP referral to outpatients only\n"),
    ("agents/interventions/modifiers.hpp", '"frailty_progression", "alcohol_progression", "alcohol_recovery", "diagnosis"};',
     '"frailty_progression", "alcohol_progression", "alcohol_recovery", "diagnosis", "outpatient_referral"};'),
    ("agents/care/care.hpp", "    if (a[care_lane::kGpOutpatient] < p_.outpatient_referral_probability * referral) need |= kNeedOutpatient;",
     "    if (a[care_lane::kGpOutpatient] < p_.outpatient_referral_probability * referral *\n"
     "                                        (*mod_)(p, i, target::OutpatientReferral, day))\n"
     "      need |= kNeedOutpatient;"),
]
TARGET_CONFIG = """
interventions:
  no_outpatients:
    delivered_by: gp
    start_year: 2025
    capacity_per_year: 100000
    effects:
      - {target: outpatient_referral, multiplier: 0}
"""

# ---- Recipe 3: a contract type (agents/finance/contracts.*) ---------------------------
RECIPE_CONTRACT = [
    ("agents/finance/contracts.hpp", "enum class ContractType : uint8_t { FeeForService, Block, Capitation, OutcomeBased, Count };",
     "enum class ContractType : uint8_t { FeeForService, Block, Capitation, OutcomeBased, CostPlus, Count };"),
    ("agents/finance/contracts.hpp", '"outcome_based"};', '"outcome_based", "cost_plus"};'),
    ("agents/finance/contracts.hpp", "  bool risk_adjusted = false;           //!< capitation weighted by age and conditions\n",
     "  bool risk_adjusted = false;           //!< capitation weighted by age and conditions\n"
     "  double margin_share = 0;              //!< cost plus: margin on activity cost\n"),
    ("agents/finance/contracts.cpp", "}};\n\nContract read_contract(",
     "    // Cost plus: activity at unit costs plus a margin.\n"
     "    {kContractNames[4], [](config::Reader& c, Contract& k) { k.margin_share = c.real(\"margin_share\", {0, 1}, 0); },\n"
     "     [](const Contract& k, const IncomeBasis& b) -> int64_t {\n"
     "       return std::llround((1 + k.margin_share) * static_cast<double>(b.activity_pence)); }},\n"
     "}};\n\nContract read_contract("),
]
# Config maps merge key by key, so the contract run swaps the acute contract line of a
# copy of the England finance file (the base run keeps fee-for-service at tariff 1).
CONTRACT_FINANCE = [
    ("    acute: {type: fee_for_service, tariff_ratio: 1.0, billing_cost_gbp_per_transaction: 2}",
     "    acute: {type: cost_plus, margin_share: 0.25}"),
    ("    outcome_based: {admission: 1, referral: 1, prevention: 1}",
     "    outcome_based: {admission: 1, referral: 1, prevention: 1}\n    cost_plus: {admission: 1, referral: 1, prevention: 1}"),
]

# ---- Recipe 4: a metric (one declaration in the module's metrics.cpp) -----------------
RECIPE_METRIC = [
    ("agents/care/metrics.cpp", "void declare_care_metrics(MetricRegistry& m) {\n",
     "void declare_care_metrics(MetricRegistry& m) {\n"
     '  m.add({"ae_admission_share", "fraction", "mean", "emergency admissions per A&E attendance", false,\n'
     "         [](const Tally& t, int q) { return metric_ratio(t.get(CareCounter::EmergencyAdmissions, q), t.get(CareCounter::AeAttendances, q)); }});\n"),
]

# ---- Recipe 5: a provider kind (one folder plus its registration) --------------------
# The folder is tests/recipes/provider_kind/agents/pharmacy, copied into agents/.
RECIPE_PROVIDER = [
    ("agents/geography/providers.hpp", "enum class ProviderKind : uint8_t { Gp, Acute, SocialCare, ThirdSector, IntermediateCare };",
     "enum class ProviderKind : uint8_t { Gp, Acute, SocialCare, ThirdSector, IntermediateCare, Pharmacy };"),
    ("agents/geography/providers.hpp", '    {"intermediate_care", "intermediate_care_service"},\n',
     '    {"intermediate_care", "intermediate_care_service"},\n    {"pharmacy", "community_pharmacy"},\n'),
    ("model/core/rng.hpp", "//!< with a name-hashed id at kInitStep: a replicate's effect sizes\n",
     "//!< with a name-hashed id at kInitStep: a replicate's effect sizes\n  Pharmacy = 16,  //!< community pharmacy consultations\n"),
    ("model/sim/params.hpp", '#include "agents/wellbeing/wellbeing.hpp"\n',
     '#include "agents/wellbeing/wellbeing.hpp"\n#include "agents/pharmacy/pharmacy.hpp"\n'),
    ("model/sim/params.hpp", "  WellbeingParams wellbeing;\n", "  WellbeingParams wellbeing;\n  PharmacyParams pharmacy;\n"),
    ("model/sim/params.cpp", "  p.providers = provider_layout(p);\n",
     "  p.pharmacy = PharmacyParams::read(r);\n  p.providers = provider_layout(p);\n"),
    ("model/sim/providers.cpp", "  L.add(kinds[4], names_of(g.intermediate_care));\n",
     "  L.add(kinds[4], names_of(g.intermediate_care));\n  L.add(pharmacy_kind(), names_of(p.pharmacy.pharmacies));\n"),
    ("model/sim/world.hpp", "  WellbeingModel wellbeing_;\n", "  WellbeingModel wellbeing_;\n  Pharmacies pharmacy_;\n"),
    ("model/sim/world.cpp", "      wellbeing_(p.wellbeing) {\n",
     "      wellbeing_(p.wellbeing),\n      pharmacy_(p.pharmacy, p.providers, p.clock) {\n"),
    ("model/sim/world.cpp", "  died_in_hospital_ += books[2];\n",
     "  died_in_hospital_ += books[2];\n"
     "  pharmacy_.serve(people_, streams_, s, day, flows, provider);\n"),
    ("model/sim/metrics.cpp", '#include "agents/wellbeing/metrics.hpp"\n',
     '#include "agents/wellbeing/metrics.hpp"\n#include "agents/pharmacy/pharmacy.hpp"\n'),
    ("model/sim/metrics.cpp", "    declare_wellbeing_metrics(r);\n", "    declare_wellbeing_metrics(r);\n    declare_pharmacy_metrics(r);\n"),
]
PROVIDER_CONFIG = """
pharmacy:
  pharmacies:
    - {name: high_street, consultations_per_week: 40}
    - {name: village, consultations_per_week: 2}
  consultations_per_person_year: 2
  cost_per_consultation_gbp: 15
finance:
  commissioners:
    icb: {pays: [gp, acute, third_sector, intermediate_care, pharmacy]}
"""


def main():
    if os.path.exists(SCRATCH):
        shutil.rmtree(SCRATCH)
    os.makedirs(SCRATCH)
    for item in COPY:
        src = os.path.join(SOURCE, item)
        (shutil.copytree if os.path.isdir(src) else shutil.copy2)(src, os.path.join(SCRATCH, item))
    shutil.copytree(os.path.join(SOURCE, "tests/recipes/provider_kind/agents/pharmacy"), os.path.join(SCRATCH, "agents/pharmacy"))
    for path, anchor, new in RECIPE_STATE + RECIPE_TARGET + RECIPE_CONTRACT + RECIPE_METRIC + RECIPE_PROVIDER:
        edit(path, anchor, new)
    build = os.path.join(SCRATCH, "build")
    # Unoptimised (-O0, no debug info): it compiles in well under half the time of a
    # Release build, and the recipes' runs are small.
    run(["cmake", "-S", SCRATCH, "-B", build, "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_CXX_FLAGS_DEBUG=-O0", "-DHSCSIM_BUILD_TESTS=OFF"])
    run(["cmake", "--build", build, "--target", "hscsim", "-j2"])
    exe = os.path.join(build, "hscsim")
    tiny = os.path.join(SCRATCH, "configs/tests/tiny.yaml")
    out = {}
    finance = open(os.path.join(SCRATCH, "configs/england/finance.yaml")).read()
    for anchor, replacement in CONTRACT_FINANCE:
        if finance.count(anchor) != 1:
            sys.exit(f"recipe out of date: configs/england/finance.yaml: no single line {anchor!r}")
        finance = finance.replace(anchor, replacement)
    open(os.path.join(SCRATCH, "configs/england/finance_cost_plus.yaml"), "w").write(finance)
    default = open(os.path.join(SCRATCH, "configs/default.yaml")).read()
    open(os.path.join(SCRATCH, "configs/default_cost_plus.yaml"), "w").write(
        default.replace("england/finance.yaml", "england/finance_cost_plus.yaml"))
    tiny_settings = "run: {replicates: 2}\ntime: {years: 1}\npopulation: {size: 2000}\n"
    cost_plus = os.path.join(SCRATCH, "configs/default_cost_plus.yaml")
    for name, head, extra in [("base", f"extends: {tiny}\n", STATE_CONFIG), ("target", f"extends: {tiny}\n", STATE_CONFIG + TARGET_CONFIG),
                              ("contract", f"extends: {cost_plus}\n" + tiny_settings, STATE_CONFIG),
                              ("provider", f"extends: {tiny}\n", STATE_CONFIG + PROVIDER_CONFIG)]:
        cfg = os.path.join(SCRATCH, f"recipe_{name}.yaml")
        open(cfg, "w").write(head + extra)
        h5 = os.path.join(SCRATCH, f"recipe_{name}.h5")
        run([exe, "run", cfg, "-o", h5, "--quiet", "--threads", "2"])
        out[name] = h5

    def series(h5, path):
        text = run(["h5dump", "-d", path, "-w", "0", h5])
        body = text[text.index("DATA {") + 6:]
        body = body[:body.index("}")]
        return [float(x) for x in re.findall(r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|nan", re.sub(r"\(\d+,\d+\):", " ", body))]

    failures = []
    # 1. The new state is drawn, counted and published (people_<name>), with a deprivation gradient.
    listing = run(["h5ls", "-r", out["base"]])
    if "/scenarios/baseline/timeseries/people_food_insecure" not in listing:
        failures.append("recipe 1: people_food_insecure is not in the output")
    else:
        v = series(out["base"], "/scenarios/baseline/timeseries/people_food_insecure")
        pop = series(out["base"], "/scenarios/baseline/timeseries/population")
        share = sum(v) / sum(pop)
        if not 0.05 < share < 0.2:
            failures.append(f"recipe 1: food insecurity share {share:.3f}, configured about 0.11")
    # 2. The new target takes outpatient referrals to zero once the programme runs.
    op_base = sum(series(out["base"], "/scenarios/baseline/timeseries/outpatient_attendances"))
    op_target = sum(series(out["target"], "/scenarios/baseline/timeseries/outpatient_attendances"))
    if not (op_base > 0 and op_target < 0.5 * op_base):
        failures.append(f"recipe 2: outpatient attendances {op_target} with the target at 0 vs {op_base} without")
    # 3. Cost plus pays acute trusts more than fee-for-service at tariff 1 (a 25% margin on activity).
    contract_listing = run(["h5ls", "-r", out["contract"]])
    trusts = sorted({l.split()[0].split("/")[4] for l in contract_listing.splitlines() if "/finance/acute_" in l})
    if not trusts:
        failures.append("recipe 3: no acute trust ledgers in the output")
    for t0 in trusts:
        a = sum(series(out["base"], f"/scenarios/baseline/finance/{t0}/income_gbp"))
        b = sum(series(out["contract"], f"/scenarios/baseline/finance/{t0}/income_gbp"))
        if not b > 1.1 * a > 0:
            failures.append(f"recipe 3: {t0} income under cost plus {b}, under fee-for-service {a}")
    # 4. The new metric is in the output and in the metric dictionary.
    if "/scenarios/baseline/timeseries/ae_admission_share" not in listing:
        failures.append("recipe 4: ae_admission_share is not in the output")
    if "ae_admission_share" not in run([exe, "info", "--metrics"]):
        failures.append("recipe 4: ae_admission_share is not in `hscsim info --metrics`")
    # 5. The new kind is published per provider, in its sector cost and the total, is paid
    # under its contract, and changes no other draw (everything else equals the base run).
    ts = "/scenarios/baseline/timeseries/"
    prov = "/scenarios/baseline/providers/"
    seen = {k: sum(series(out["provider"], f"{prov}pharmacy_{k}/consultations")) for k in ("high_street", "village")}
    unmet = sum(series(out["provider"], f"{prov}pharmacy_village/unmet"))
    if not (seen["high_street"] > seen["village"] > 0 and unmet > 0):
        failures.append(f"recipe 5: consultations {seen}, unmet at the small pharmacy {unmet}")
    sector = sum(series(out["provider"], ts + "cost_pharmacy_gbp"))
    per_provider = sum(sum(series(out["provider"], f"{prov}pharmacy_{k}/cost_gbp")) for k in ("high_street", "village"))
    extra = sum(series(out["provider"], ts + "cost_total_gbp")) - sum(series(out["base"], ts + "cost_total_gbp"))
    if not (sector > 0 and abs(sector - per_provider) < 0.01 and abs(extra - sector) < 0.01):
        failures.append(f"recipe 5: pharmacy cost {sector} (sector), {per_provider} (providers), total rose by {extra}")
    if series(out["provider"], ts + "emergency_admissions") != series(out["base"], ts + "emergency_admissions"):
        failures.append("recipe 5: the new kind changed emergency admissions (another draw moved)")
    if not sum(series(out["provider"], "/scenarios/baseline/finance/pharmacy_high_street/income_gbp")) > 0:
        failures.append("recipe 5: the pharmacy's fee-for-service ledger has no income")
    if failures:
        sys.exit("\n".join(failures))
    print("recipes followed: binary state, intervention target, contract type, metric, provider kind")


main()
