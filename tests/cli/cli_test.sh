#!/usr/bin/env bash
# The command line as a user types it: good and bad configs, exit codes, messages,
# files written or not, determinism across threads and --from reproduction.
# Usage: cli_test.sh HSCSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/lib.sh"

TINY=$SRC/configs/tests/tiny.yaml

expect_exit 0 "info" -- "$BIN" info
expect_text "$TMP/out" "git commit" "info shows the commit"
expect_exit 0 "info --metrics" -- "$BIN" info --metrics
expect_text "$TMP/out" '| `prevalence_copd` |' "metric dictionary"

expect_exit 0 "check default" -- "$BIN" check "$SRC/configs/default.yaml"
expect_text "$TMP/out" "size: 100000" "check prints the resolved config"

expect_exit 0 "run tiny, 1 thread" -- "$BIN" run "$TINY" -o "$TMP/a.h5" --threads 1 --quiet
[ -f "$TMP/a.h5" ] && ok || bad "run wrote no file"
[ -z "$(ls "$TMP" | grep tmp-)" ] && ok || bad "temporary file left behind"
[ ! -s "$TMP/out" ] && ok || bad "--quiet printed something"
expect_exit 0 "run tiny, 2 threads" -- "$BIN" run "$TINY" -o "$TMP/b.h5" --threads 2
expect_text "$TMP/out" "Results: $TMP/b.h5" "summary names the results file"
expect_text "$TMP/out" "emergency_admissions (total over run)" "short summary table"
expect_text "$TMP/out" "--summary full for all" "the short summary says how to see everything"
expect_text "$TMP/err" "100%  104/104 steps  elapsed" "off a terminal, progress lines with elapsed time"
expect_exit 0 "run tiny, full summary" -- "$BIN" run "$TINY" -o "$TMP/b2.h5" --summary full
expect_text "$TMP/out" "prevalence_diabetes" "full summary table"
if command -v h5diff >/dev/null; then
  expect_exit 0 "datasets identical at 1 and 2 threads" -- h5diff "$TMP/a.h5" "$TMP/b.h5" /scenarios /scenarios
  expect_exit 0 "--from reproduces the run" -- "$BIN" run --from "$TMP/a.h5" -o "$TMP/c.h5" --threads 2 --quiet
  expect_exit 0 "--from output identical" -- h5diff "$TMP/a.h5" "$TMP/c.h5" /scenarios /scenarios
  expect_exit 0 "a different seed" -- "$BIN" run "$TINY" -o "$TMP/d.h5" --seed 5 --quiet
  expect_exit 1 "a different seed gives different results" -- h5diff -q "$TMP/a.h5" "$TMP/d.h5" /scenarios /scenarios
else
  bad "h5diff not installed (hdf5-tools)"
fi
if command -v h5dump >/dev/null; then
  h5dump -A "$TMP/a.h5" >"$TMP/attrs" 2>&1
  for a in format schema_version hscsim_version git_commit config_yaml seed threads ranks created_utc; do
    expect_text "$TMP/attrs" "ATTRIBUTE \"$a\"" "root attribute $a"
  done
  h5dump -H -d /scenarios/baseline/timeseries/population "$TMP/a.h5" >"$TMP/shape" 2>&1
  expect_text "$TMP/shape" "SIMPLE { ( 2, 52 )" "population is [replicates, steps]"
  h5dump -H -d /scenarios/baseline/by_quintile/deaths "$TMP/a.h5" >"$TMP/shape" 2>&1
  expect_text "$TMP/shape" "SIMPLE { ( 2, 52, 5 )" "by_quintile is [replicates, steps, 5]"
fi

# Scenarios: one command, paired comparisons in the file and on the terminal.
printf 'extends: %s\nscenarios:\n  - name: more_beds\n    set: {acute_trusts.0.general_acute_beds: 400}\n' "$TINY" >"$TMP/scen.yaml"
expect_exit 0 "run scenarios" -- "$BIN" run "$TMP/scen.yaml" -o "$TMP/scen.h5"
expect_text "$TMP/out" "Scenario 'more_beds' minus 'baseline'" "comparison table"
if command -v h5dump >/dev/null; then
  h5dump -H -d /comparisons/more_beds/bed_days/cumulative "$TMP/scen.h5" >"$TMP/shape" 2>&1
  expect_text "$TMP/shape" "SIMPLE { ( 3, 52 )" "comparison dataset is [3, steps]"
fi

# An existing results file is replaced only with --force.
expect_exit 2 "run over an existing results file" -- "$BIN" run "$TINY" -o "$TMP/b.h5" --quiet
expect_text "$TMP/err" "exists; give --force to replace it, or another -o" "refuses to replace a results file"
expect_exit 0 "run --force replaces it" -- "$BIN" run "$TINY" -o "$TMP/b.h5" --quiet --force

# The command line's conventions.
expect_exit 0 "--version" -- "$BIN" --version
expect_text "$TMP/out" "hscsim 0.1" "--version prints the version"
expect_exit 2 "misspelt command" -- "$BIN" expor x
expect_text "$TMP/err" "unknown command 'expor'; did you mean 'export'?" "misspelt command suggestion"
expect_exit 0 "--help" -- "$BIN" --help
expect_text "$TMP/out" "Exit codes: 0 success" "--help lists the exit codes"

# Export: tidy CSV files and a README, never over existing files without --force.
mkdir -p "$TMP/csv"
expect_exit 0 "export to CSV" -- "$BIN" export "$TMP/scen.h5" --csv "$TMP/csv"
for f in timeseries by_quintile providers comparisons comparisons_by_quintile comparisons_by_cause comparisons_finance; do
  [ -s "$TMP/csv/$f.csv" ] && ok || bad "export wrote no $f.csv"
done
head -1 "$TMP/csv/timeseries.csv" >"$TMP/head"
expect_text "$TMP/head" "scenario,replicate,step,year,metric,value" "timeseries.csv header"
expect_text "$TMP/csv/README.txt" "emergency_admissions" "export README lists the metrics"
expect_exit 2 "export over existing files" -- "$BIN" export "$TMP/scen.h5" --csv "$TMP/csv"
expect_text "$TMP/err" "exists; give --force to replace it" "export refuses to overwrite"
expect_exit 0 "export --force" -- "$BIN" export "$TMP/scen.h5" --csv "$TMP/csv" --force
expect_exit 2 "export to a missing folder" -- "$BIN" export "$TMP/scen.h5" --csv "$TMP/no/such"
expect_text "$TMP/err" "does not exist (create it first)" "missing export folder message"
expect_exit 2 "export a config, not results" -- "$BIN" export "$TINY" --csv "$TMP/csv"
expect_text "$TMP/err" "is not an HDF5 file" "export of a non-results file"

# Bad input: exit 2, a message that names the place, and no file.
printf 'extends: %s\npopulation:\n  sise: 10\n' "$SRC/configs/default.yaml" >"$TMP/typo.yaml"
expect_exit 2 "misspelt key" -- "$BIN" run "$TMP/typo.yaml" -o "$TMP/typo.h5"
expect_text "$TMP/err" "$TMP/typo.yaml:3:3: error: population.sise: unknown key 'sise'; did you mean 'size'?" "misspelt key message"
[ ! -e "$TMP/typo.h5" ] && ok || bad "a file was written for a bad config"
expect_exit 2 "check a bad config" -- "$BIN" check "$TMP/typo.yaml"
expect_exit 2 "bad --set value" -- "$BIN" run "$TINY" --set time.step=fortnight -o "$TMP/x.h5"
expect_text "$TMP/err" "--set time.step=fortnight: error: time.step: 'fortnight' is not accepted" "bad --set message"
expect_exit 2 "missing config file" -- "$BIN" run "$TMP/nope.yaml"
expect_text "$TMP/err" "cannot open config file" "missing file message"
expect_exit 2 "output folder missing" -- "$BIN" run "$TINY" -o "$TMP/no/such/dir/x.h5"
expect_text "$TMP/err" "folder '$TMP/no/such/dir' does not exist" "missing folder message"
expect_exit 2 "unknown option" -- "$BIN" run "$TINY" --thread 2
expect_exit 2 "bad thread count" -- "$BIN" run "$TINY" --threads 0
expect_exit 2 "--from a non-results file" -- "$BIN" run --from "$TMP/typo.yaml"
expect_exit 2 "no subcommand" -- "$BIN"

# Default output path: output/<config name>.h5 under the current folder.
mkdir -p "$TMP/cwd" && cp "$TINY" "$TMP/cwd/mini.yaml" && sed -i "s|extends: ../default.yaml|extends: $SRC/configs/default.yaml|" "$TMP/cwd/mini.yaml"
(cd "$TMP/cwd" && "$BIN" run mini.yaml --quiet --replicates 1) && [ -f "$TMP/cwd/output/mini.h5" ] && ok || bad "default output path"

# Validation: table printed, CSV and /validation written; exit 0 even when targets fail,
# 3 with --strict; a bad targets file is exit 2 with nothing written.
ENG=$SRC/configs/england/baseline.yaml
SMALL=(--set place.one_in=20000 --set time.years=2 --replicates 2)
expect_exit 0 "validate England (small)" -- "$BIN" validate "$ENG" "${SMALL[@]}" -o "$TMP/v.h5"
expect_text "$TMP/out" "life_expectancy_male" "validation table printed"
expect_text "$TMP/out" "targets within tolerance" "validation summary line"
[ -s "$TMP/v_validation.csv" ] && ok || bad "validate wrote no CSV"
expect_text "$TMP/v_validation.csv" "target,description,computation,model_mean" "CSV header"
if command -v h5ls >/dev/null; then
  h5ls "$TMP/v.h5/validation" >"$TMP/ls" 2>&1
  expect_text "$TMP/ls" "model_mean" "HDF5 /validation table"
fi
expect_exit 3 "validate --strict with failing targets" -- "$BIN" validate "$ENG" "${SMALL[@]}" -o "$TMP/v2.h5" --strict --quiet
cat >"$TMP/badtargets.yaml" <<'YAML'
targets:
  - {name: x, description: x, compute: per_1000_per_year, metrics: [emergency_admisions], value: 1, tolerance: 1, units: x, source: x}
YAML
expect_exit 2 "validate with a misspelt metric" -- "$BIN" validate "$ENG" "${SMALL[@]}" --targets "$TMP/badtargets.yaml" -o "$TMP/v3.h5"
expect_text "$TMP/err" "did you mean 'emergency_admissions'" "targets error suggests the metric"
[ ! -e "$TMP/v3.h5" ] && [ ! -e "$TMP/v3_validation.csv" ] && ok || bad "files written despite a bad targets file"

# Calibration: a tiny budget runs end to end and writes an overlay that a config can use.
cat >"$TMP/params.yaml" <<'YAML'
max_evaluations: 3
targets: [deaths_per_1000]
parameters:
  - {key: care.hospital.post_discharge_event_rr, lower: 1, upper: 15}
YAML
expect_exit 0 "calibrate (3 evaluations)" -- "$BIN" calibrate "$ENG" "${SMALL[@]}" --targets "$SRC/configs/england/targets.yaml" \
  --params "$TMP/params.yaml" -o "$TMP/overlay.yaml"
expect_text "$TMP/overlay.yaml" "post_discharge_event_rr:" "overlay holds the fitted key"
expect_text "$TMP/overlay_fit.yaml" "evaluations:" "fit record lists evaluations"
expect_text "$TMP/overlay_fit.yaml" "residuals:" "fit record lists residuals"
printf 'extends: [%s, %s]\n' "$ENG" "$TMP/overlay.yaml" >"$TMP/withfit.yaml"
expect_exit 0 "overlay merges into a config" -- "$BIN" check "$TMP/withfit.yaml"
fitted=$(grep -v '^#' "$TMP/overlay.yaml" | grep -oP 'post_discharge_event_rr: \K[0-9.e+-]+')
[ -n "$fitted" ] && grep -qF "post_discharge_event_rr: ${fitted}" "$TMP/out" && ok || bad "fitted value ($fitted) not in the resolved config"
cat >"$TMP/badparams.yaml" <<'YAML'
parameters:
  - {key: care.hospital.post_discharge_event_rx, lower: 1, upper: 15}
YAML
expect_exit 2 "calibrate an unknown key" -- "$BIN" calibrate "$ENG" "${SMALL[@]}" --targets "$SRC/configs/england/targets.yaml" \
  --params "$TMP/badparams.yaml" -o "$TMP/overlay2.yaml"
expect_text "$TMP/err" "not a key of the config" "calibration names the bad key"
expect_text "$TMP/err" "badparams.yaml:2:" "calibration gives the bad key's line"
cat >"$TMP/badtarget.yaml" <<'YAML'
targets: [deaths_per_100]
parameters:
  - {key: care.hospital.post_discharge_event_rr, lower: 1, upper: 15}
YAML
expect_exit 2 "calibrate an unknown target" -- "$BIN" calibrate "$ENG" "${SMALL[@]}" --targets "$SRC/configs/england/targets.yaml" \
  --params "$TMP/badtarget.yaml" -o "$TMP/overlay3.yaml"
expect_text "$TMP/err" "badtarget.yaml:1:" "calibration gives the unknown target's line"
expect_text "$TMP/err" "deaths_per_1000" "and suggests the near name"

# Sensitivity analysis: a run, its file, a second run refused without --force, mistakes exit 2.
cat >"$TMP/sa.yaml" <<'YAML'
trajectories: 2
parameters:
  - {key: unit_costs.gp_appointment_gbp, lower: 20, upper: 40}
outputs:
  - {metric: cost_primary_care_gbp}
YAML
expect_exit 0 "sensitivity (Morris)" -- "$BIN" sensitivity "$TINY" --params "$TMP/sa.yaml" --replicates 1 -o "$TMP/sa.h5"
expect_text "$TMP/out" "cost_primary_care_gbp (baseline) [GBP]: Morris" "sensitivity prints the indices"
expect_text "$TMP/out" "Results: $TMP/sa.h5" "sensitivity names its file"
expect_exit 2 "sensitivity will not replace a file" -- "$BIN" sensitivity "$TINY" --params "$TMP/sa.yaml" -o "$TMP/sa.h5"
expect_text "$TMP/err" "give --force" "and says how"
expect_exit 2 "sensitivity: an unknown method" -- "$BIN" sensitivity "$TINY" --params "$TMP/sa.yaml" --method sobel -o "$TMP/sa2.h5"
cat >"$TMP/sabad.yaml" <<'YAML'
parameters:
  - {key: unit_costs.gp_appointment_gbp, lower: 20, upper: 40}
outputs:
  - {metric: cost_primary_care, scenario: baseline}
YAML
expect_exit 2 "sensitivity: an unknown metric" -- "$BIN" sensitivity "$TINY" --params "$TMP/sabad.yaml" -o "$TMP/sa3.h5"
expect_text "$TMP/err" "sabad.yaml:4:" "sensitivity gives the bad output's line"
expect_text "$TMP/err" "hscsim info --metrics" "and says where the metrics are listed"
[ ! -e "$TMP/sa3.h5" ] && [ -z "$(ls "$TMP" | grep 'sa3.h5.tmp')" ] && ok || bad "a refused sensitivity run left a file"

# Parameter uncertainty: the draws are exported and reproduced by --from.
printf 'extends: %s\nuncertainty:\n  parameters:\n    - {key: unit_costs.gp_appointment_gbp, distribution: gamma, mean: 28, sd: 3}\n' "$TINY" >"$TMP/psa.yaml"
expect_exit 0 "a run with parameter uncertainty" -- "$BIN" run "$TMP/psa.yaml" -o "$TMP/psa.h5" --quiet
expect_exit 0 "--from reproduces it" -- "$BIN" run --from "$TMP/psa.h5" -o "$TMP/psa2.h5" --quiet
expect_exit 0 "with the same draws" -- h5diff "$TMP/psa.h5" "$TMP/psa2.h5" /uncertainty /uncertainty
mkdir -p "$TMP/psacsv"
expect_exit 0 "export with draws" -- "$BIN" export "$TMP/psa.h5" --csv "$TMP/psacsv"
expect_text "$TMP/psacsv/uncertainty.csv" "1,unit_costs.gp_appointment_gbp,\"gamma(" "the draws as CSV"

# Job arrays: parts of a run merge into the file one run writes, bit for bit.
PAIRED=$SRC/configs/scenarios/pay_for_happiness.yaml   # scenarios, burn-in, outcome payments against the baseline run
PSMALL=(--set population.size=2000 --set time.years=1 --replicates 5 --quiet)
expect_exit 0 "the whole run" -- "$BIN" run "$PAIRED" "${PSMALL[@]}" -o "$TMP/whole.h5"
for k in 0 1 2; do
  expect_exit 0 "part $k of 3" -- "$BIN" run "$PAIRED" "${PSMALL[@]}" --part $k/3 -o "$TMP/part$k.h5"
done
expect_exit 0 "merge the parts" -- "$BIN" merge "$TMP/part2.h5" "$TMP/part0.h5" "$TMP/part1.h5" -o "$TMP/merged.h5" --quiet
expect_exit 0 "merged scenarios identical" -- h5diff "$TMP/whole.h5" "$TMP/merged.h5" /scenarios /scenarios
expect_exit 0 "merged comparisons identical" -- h5diff "$TMP/whole.h5" "$TMP/merged.h5" /comparisons /comparisons
expect_exit 2 "merge with a part missing" -- "$BIN" merge "$TMP/part0.h5" "$TMP/part2.h5" -o "$TMP/m2.h5"
expect_text "$TMP/err" "part(s) 1 of 3 missing" "merge names the missing part"
expect_exit 2 "merge with a part twice" -- "$BIN" merge "$TMP/part0.h5" "$TMP/part0.h5" "$TMP/part1.h5" "$TMP/part2.h5" -o "$TMP/m3.h5"
expect_exit 2 "merge a results file" -- "$BIN" merge "$TMP/whole.h5" -o "$TMP/m4.h5"
expect_text "$TMP/err" "not an hscsim part file" "merge says what it needs"
expect_exit 0 "a part of another run" -- "$BIN" run "$PAIRED" "${PSMALL[@]}" --seed 9 --part 1/3 -o "$TMP/other1.h5"
expect_exit 2 "merge parts of different runs" -- "$BIN" merge "$TMP/part0.h5" "$TMP/other1.h5" "$TMP/part2.h5" -o "$TMP/m5.h5"
expect_text "$TMP/err" "parts of different runs" "merge says the runs differ"
# The SLURM array script, as each task runs it (SLURM's variables set by hand), then merge.
for k in 0 1; do
  expect_exit 0 "slurm part script, task $k of 2" -- env SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=2 SLURM_CPUS_PER_TASK=2 \
    HSCSIM="$BIN" bash "$SRC/scripts/slurm/hscsim-part.sbatch" "$PAIRED" "$TMP/slurm" "${PSMALL[@]}"
done
expect_exit 0 "a resubmitted task keeps its finished part" -- env SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 \
  HSCSIM="$BIN" bash "$SRC/scripts/slurm/hscsim-part.sbatch" "$PAIRED" "$TMP/slurm" "${PSMALL[@]}"
expect_text "$TMP/out" "already done" "and says so"
# A task stopped by SLURM's early SIGUSR1 (#SBATCH --signal) saves a checkpoint (exit 75);
# resubmitted, it resumes from it, and the array still merges into the one run's file.
# (HSCSIM_TEST_SLOW_RANK=0: 20 ms more a step, so that the signal 0.8 s in comes mid-run.)
env SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2 HSCSIM="$BIN" HSCSIM_TEST_SLOW_RANK=0 \
  bash "$SRC/scripts/slurm/hscsim-part.sbatch" "$PAIRED" "$TMP/slurm2" "${PSMALL[@]}" >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 0.8
kill -USR1 $pid
wait $pid
got=$?
[ "$got" = 75 ] && ok || bad "slurm task stopped by SIGUSR1: exit $got, expected 75"
[ -f "$TMP/slurm2/pay_for_happiness_part0of2.checkpoint.h5" ] && ok || bad "slurm task stopped: no checkpoint"
for k in 0 1; do
  expect_exit 0 "slurm task $k after the stop" -- env SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=2 HSCSIM="$BIN" \
    bash "$SRC/scripts/slurm/hscsim-part.sbatch" "$PAIRED" "$TMP/slurm2" "${PSMALL[@]}"
done
expect_exit 0 "merge the stopped array's parts" -- "$BIN" merge "$TMP"/slurm2/pay_for_happiness_part*of2.h5 -o "$TMP/slurm2.h5" --quiet
expect_exit 0 "the stopped and resumed array equals one run" -- h5diff "$TMP/whole.h5" "$TMP/slurm2.h5" /scenarios /scenarios
[ -z "$(ls "$TMP/slurm2" | grep checkpoint)" ] && ok || bad "a finished part left its checkpoint"
expect_exit 0 "merge the array's parts" -- "$BIN" merge "$TMP"/slurm/pay_for_happiness_part*of2.h5 -o "$TMP/slurm.h5" --quiet
expect_exit 0 "the array's result equals one run" -- h5diff "$TMP/whole.h5" "$TMP/slurm.h5" /scenarios /scenarios
expect_exit 2 "a bad --part" -- "$BIN" run "$TINY" --part 3/3 -o "$TMP/p.h5"
[ -z "$(ls "$TMP" | grep -E '^m[2-5]\.h5|^p\.h5')" ] && ok || bad "a refused merge or part left a file"

# The Python reader and plot, as the demo uses them.
if "$SRC/scripts/py" -c "import h5py" 2>/dev/null; then
  expect_exit 0 "plot script" -- "$SRC/scripts/py" "$SRC/scripts/plot_results.py" "$TMP/a.h5" -o "$TMP/a.png"
  [ -s "$TMP/a.png" ] && ok || bad "no PNG written"
  expect_exit 0 "python reader" -- "$SRC/scripts/py" -c "
import sys; sys.path.insert(0, '$SRC/python')
import hscsim
r = hscsim.open('$TMP/a.h5')
assert r.scenarios == ['baseline'], r.scenarios
assert r.metric('baseline', 'population').shape == (2, 52)
assert r.units('population') == 'persons' and r.kind('births') == 'flow'
f = r.frame()
assert len(f) == 104 and 'prevalence_copd' in f.columns
assert len(r.timeseries(metrics='population')) == 104
"
  expect_exit 0 "validation plot" -- "$SRC/scripts/py" "$SRC/scripts/plot_validation.py" "$TMP/v_validation.csv" -o "$TMP/v.png"
  [ -s "$TMP/v.png" ] && ok || bad "no validation PNG written"
  expect_exit 1 "validation plot rejects a non-table" -- "$SRC/scripts/py" "$SRC/scripts/plot_validation.py" "$TMP/badtargets.yaml"
  expect_exit 1 "python reader rejects a non-results file" -- "$SRC/scripts/py" -c "
import sys; sys.path.insert(0, '$SRC/python')
import hscsim
hscsim.open('$TMP/typo.yaml')"
else
  bad "no Python with h5py (scripts/py)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
