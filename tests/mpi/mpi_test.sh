#!/usr/bin/env bash
# MPI ensemble mode (built with -DHSCSIM_MPI=ON): runs at 1 and 2 ranks give the same
# datasets as one process, bit for bit, however the replicates are shared out (with scenarios, a shared burn-in and outcome
# payments against the baseline run); a config error is reported once and every rank
# exits 2; a failing rank ends the job non-zero with its message and leaves no file.
# Usage: mpi_test.sh HSCSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/tests/cli/lib.sh"
# As root on a 2-core machine: allow root, and more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun --oversubscribe -np)
TINY=$SRC/configs/tests/tiny.yaml
PAIRED=$SRC/configs/scenarios/pay_for_happiness.yaml   # scenarios, burn-in, outcome payments vs the baseline run
SMALL=(--set population.size=2000 --set time.years=1 --replicates 3 --threads 1)

expect_exit 0 "info says MPI is built" -- "$BIN" info
expect_text "$TMP/out" "MPI             yes" "info: MPI yes"

expect_exit 0 "one process" -- "$BIN" run "$TINY" -o "$TMP/serial.h5" --quiet --threads 1
for np in 1 2; do
  expect_exit 0 "tiny at $np rank(s)" -- "${MPIRUN[@]}" $np "$BIN" run "$TINY" -o "$TMP/tiny_$np.h5" --threads 1
  [ $np = 2 ] && expect_text "$TMP/out" "MPI: 2 ranks" "the run says it uses 2 ranks"
  expect_exit 0 "tiny at $np rank(s) equals one process" -- h5diff "$TMP/serial.h5" "$TMP/tiny_$np.h5" /scenarios /scenarios
done
h5dump -a /ranks "$TMP/tiny_2.h5" | grep -q "(0): 2" && ok || bad "the file does not record 2 ranks"

expect_exit 0 "paired scenarios, one process" -- "$BIN" run "$PAIRED" "${SMALL[@]}" -o "$TMP/paired.h5" --quiet
expect_exit 0 "paired scenarios at 2 ranks" -- "${MPIRUN[@]}" 2 "$BIN" run "$PAIRED" "${SMALL[@]}" -o "$TMP/paired_2.h5" --quiet
expect_exit 0 "paired scenarios: scenarios identical" -- h5diff "$TMP/paired.h5" "$TMP/paired_2.h5" /scenarios /scenarios
expect_exit 0 "paired scenarios: comparisons identical" -- h5diff "$TMP/paired.h5" "$TMP/paired_2.h5" /comparisons /comparisons
expect_exit 0 "3 ranks, 3 replicates" -- "${MPIRUN[@]}" 3 "$BIN" run "$PAIRED" "${SMALL[@]}" -o "$TMP/paired_3.h5" --quiet
expect_exit 0 "3 ranks: identical" -- h5diff "$TMP/paired.h5" "$TMP/paired_3.h5" /scenarios /scenarios

# Dynamic load balancing: ranks ask rank 0 for replicates, so a slow rank (20 ms more per
# step, HSCSIM_TEST_SLOW_RANK) runs fewer of them; the results are still those of one
# process, bit for bit.
expect_exit 0 "tiny, 6 replicates, one process" -- "$BIN" run "$TINY" --replicates 6 -o "$TMP/six.h5" --quiet --threads 1
expect_exit 0 "tiny, 6 replicates, 2 ranks, rank 1 slow" -- env HSCSIM_TEST_SLOW_RANK=1 "${MPIRUN[@]}" 2 "$BIN" run "$TINY" \
  --replicates 6 -o "$TMP/six_2.h5" --threads 1
line=$(grep "MPI: replicates run by" "$TMP/out")
expect_exit 0 "a slow rank: identical results" -- h5diff "$TMP/six.h5" "$TMP/six_2.h5" /scenarios /scenarios
echo "  $line"
slow=$(echo "$line" | sed 's/.*rank 1: //' | tr ',' '\n' | grep -c '[0-9]')
[ -n "$line" ] && [ "$slow" -le 2 ] && ok || bad "the slow rank ran $slow of 6 replicates (expected at most 2: $line)"

# A job array's part run across ranks, merged with the other part run as one process.
expect_exit 0 "part 0 of 2 at 2 ranks" -- "${MPIRUN[@]}" 2 "$BIN" run "$PAIRED" "${SMALL[@]}" --part 0/2 -o "$TMP/part0.h5" --quiet
expect_exit 0 "part 1 of 2 as one process" -- "$BIN" run "$PAIRED" "${SMALL[@]}" --part 1/2 -o "$TMP/part1.h5" --quiet
expect_exit 0 "merge" -- "$BIN" merge "$TMP/part0.h5" "$TMP/part1.h5" -o "$TMP/merged.h5" --quiet
expect_exit 0 "merged parts equal one process" -- h5diff "$TMP/paired.h5" "$TMP/merged.h5" /scenarios /scenarios

# A config error: reported once (by rank 0), every rank exits 2, nothing written.
printf 'extends: %s\npopulation: {size: -5}\n' "$TINY" >"$TMP/bad.yaml"
expect_exit 2 "config error at 2 ranks" -- "${MPIRUN[@]}" 2 "$BIN" run "$TMP/bad.yaml" -o "$TMP/bad.h5"
[ "$(grep -c 'bad.yaml:2' "$TMP/err")" = 1 ] && ok || bad "the config error is not printed exactly once: $(cat "$TMP/err")"
[ ! -e "$TMP/bad.h5" ] && ok || bad "a refused run wrote a file"

# A rank that fails mid-job ends the job non-zero with that rank's message; no file.
HSCSIM_TEST_FAIL_RANK=1 timeout 300 "${MPIRUN[@]}" 2 "$BIN" run "$TINY" -o "$TMP/fail.h5" --quiet >"$TMP/out" 2>"$TMP/err"
code=$?
[ "$code" != 0 ] && ok || bad "a failing rank: exit 0"
expect_text "$TMP/err" "rank 1 of 2: error: HSCSIM_TEST_FAIL_RANK" "the failing rank's message"
sleep 1  # mpirun may return before the last rank is reaped
[ -z "$(ls "$TMP" | grep 'fail.h5')" ] && ok || bad "a failed job left a file: $(ls "$TMP")"

# Other commands refuse to run across ranks.
expect_exit 2 "validate at 2 ranks is refused" -- "${MPIRUN[@]}" 2 "$BIN" validate "$TINY" -o "$TMP/v.h5"
expect_text "$TMP/err" "only \`hscsim run\` and \`hscsim sensitivity\` run across MPI ranks" "and says why"

# A sensitivity analysis across ranks equals one process's.
cat >"$TMP/sa.yaml" <<'YAML'
trajectories: 3
parameters:
  - {key: unit_costs.gp_appointment_gbp, lower: 20, upper: 40}
  - {key: care.hospital.post_discharge_event_rr, lower: 3, upper: 7}
outputs:
  - {metric: emergency_admissions}
  - {metric: cost_total_gbp}
YAML
expect_exit 0 "sensitivity, one process" -- "$BIN" sensitivity "$TINY" --params "$TMP/sa.yaml" -o "$TMP/sa1.h5" --quiet --threads 1
expect_exit 0 "sensitivity at 2 ranks" -- "${MPIRUN[@]}" 2 "$BIN" sensitivity "$TINY" --params "$TMP/sa.yaml" -o "$TMP/sa2.h5" --threads 1
expect_text "$TMP/out" "across 2 MPI ranks" "the sensitivity run says it uses 2 ranks"
expect_exit 0 "sensitivity: identical" -- h5diff "$TMP/sa1.h5" "$TMP/sa2.h5" /sensitivity /sensitivity

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
