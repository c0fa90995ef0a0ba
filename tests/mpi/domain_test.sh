#!/usr/bin/env bash
# MPI domain decomposition (built with -DHSCSIM_MPI=ON; `hscsim run --decompose`): each
# replicate's people split over the ranks by GP practice give the same datasets as one
# process, bit for bit, at 1, 2 and 4 ranks (and 2 threads per rank); with a shared
# burn-in, England's elective lists and capacity plan, and several scenarios; each rank
# holds about its share of the people; intervention programmes (offers within capacity
# over every rank, a risk register's percentile, their effects on the shared providers)
# give the same bits, as do outcome payments against the baseline run; a decomposed run
# checkpoints a file per rank and resumes from them to the same bits, after a job killed
# (also while writing a checkpoint) or stopped by SIGUSR1 (all its ranks at the same step).
# Usage: domain_test.sh HSCSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/tests/cli/lib.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun --oversubscribe -np)
DEFAULT=(run "$SRC/configs/default.yaml" --set population.size=12000 --set time.years=2 --replicates 2)
ENGLAND=(run "$SRC/configs/england/baseline.yaml" --set place.one_in=1000 --set time.years=2 --replicates 1)
SCENARIOS=(run "$SRC/configs/scenarios/social_care_capacity.yaml" --set population.size=6000 --set time.years=1 --replicates 1)

same() {  # same NAME FILE_A FILE_B: the results datasets are identical
  expect_exit 0 "$1" -- h5diff "$2" "$3" /scenarios /scenarios
}

# The default place (one authority, 10 practices), two replicates with a shared burn-in.
expect_exit 0 "default, one process" -- "$BIN" "${DEFAULT[@]}" -o "$TMP/d.h5" --quiet --threads 1
for np in 1 2 4; do
  expect_exit 0 "default at $np rank(s), decomposed" -- "${MPIRUN[@]}" $np "$BIN" "${DEFAULT[@]}" --decompose --threads 1 -o "$TMP/d_$np.h5"
  cp "$TMP/out" "$TMP/out_$np"
  same "default at $np rank(s) equals one process" "$TMP/d.h5" "$TMP/d_$np.h5"
done
expect_text "$TMP/out_4" "each replicate's people split over the ranks by GP practice" "the run says how it uses the ranks"
# Each of the 4 ranks holds about a quarter of the people (whole practices).
line=$(grep "MPI: people per rank" "$TMP/out_4")
echo "  $line"
counts=$(echo "$line" | grep -o 'rank [0-9]: [0-9,]*' | sed 's/.*: //; s/,//g')
total=0; lo=999999999; hi=0
for c in $counts; do total=$((total + c)); [ "$c" -lt "$lo" ] && lo=$c; [ "$c" -gt "$hi" ] && hi=$c; done
[ "$(echo "$counts" | wc -w)" = 4 ] && [ "$total" = 12000 ] && ok || bad "4 ranks should hold 12,000 people between them: $line"
[ "$hi" -le 4500 ] && [ "$lo" -ge 1500 ] && ok || bad "ranks far from a quarter of the people each: $line"
expect_exit 0 "default at 2 ranks x 2 threads" -- "${MPIRUN[@]}" 2 "$BIN" "${DEFAULT[@]}" --decompose --threads 2 -o "$TMP/d_2x2.h5" --quiet
same "2 ranks x 2 threads equals one process" "$TMP/d.h5" "$TMP/d_2x2.h5"

# England at 1:1000 (56,490 people, 106 practices): elective lists with priorities,
# capacity that follows demand, care-home residents; 3 ranks (an odd split).
expect_exit 0 "England, one process" -- "$BIN" "${ENGLAND[@]}" -o "$TMP/e.h5" --quiet --threads 2
for np in 2 3; do
  expect_exit 0 "England at $np ranks" -- "${MPIRUN[@]}" $np "$BIN" "${ENGLAND[@]}" --decompose --threads 1 -o "$TMP/e_$np.h5" --quiet
  same "England at $np ranks equals one process" "$TMP/e.h5" "$TMP/e_$np.h5"
done

# Several scenarios, each taking over the shared burn-in's people on every rank.
expect_exit 0 "scenarios, one process" -- "$BIN" "${SCENARIOS[@]}" -o "$TMP/s.h5" --quiet --threads 1
expect_exit 0 "scenarios at 2 ranks" -- "${MPIRUN[@]}" 2 "$BIN" "${SCENARIOS[@]}" --decompose --threads 1 -o "$TMP/s_2.h5" --quiet
same "scenarios at 2 ranks equal one process" "$TMP/s.h5" "$TMP/s_2.h5"
expect_exit 0 "scenarios: comparisons identical" -- h5diff "$TMP/s.h5" "$TMP/s_2.h5" /comparisons /comparisons

# Intervention programmes: every programme of the library (one scenario each; case
# management takes the top 2% of a risk register), and one whose offers are mostly
# declined, so that each step's offers run over several rounds of candidates from every rank.
LIBRARY=(run "$SRC/configs/scenarios/intervention_library.yaml" --set population.size=5000 --set time.years=1 --replicates 1)
expect_exit 0 "intervention library, one process" -- "$BIN" "${LIBRARY[@]}" -o "$TMP/l.h5" --quiet --threads 1
expect_exit 0 "intervention library at 3 ranks" -- "${MPIRUN[@]}" 3 "$BIN" "${LIBRARY[@]}" --decompose --threads 1 -o "$TMP/l_3.h5" --quiet
same "intervention library at 3 ranks equals one process" "$TMP/l.h5" "$TMP/l_3.h5"
cat >"$TMP/offers.yaml" <<YAML
extends: $SRC/configs/default.yaml
population: {size: 5000}
time: {years: 1}
run: {replicates: 1}
scenarios:
  - name: baseline
  - name: many_offers
    include: $SRC/configs/interventions/telehealth.yaml
    set:
      interventions.telehealth.uptake: 0.02
      interventions.telehealth.capacity_per_year: 3000
      interventions.telehealth.declined_offer_place: 0.01
      interventions.telehealth.eligible: {any: [copd, heart_failure, diabetes, hypertension]}
YAML
expect_exit 0 "mostly declined offers, one process" -- "$BIN" run "$TMP/offers.yaml" -o "$TMP/o.h5" --quiet --threads 1
expect_exit 0 "mostly declined offers at 4 ranks" -- "${MPIRUN[@]}" 4 "$BIN" run "$TMP/offers.yaml" --decompose --threads 1 -o "$TMP/o_4.h5" --quiet
same "mostly declined offers at 4 ranks equal one process" "$TMP/o.h5" "$TMP/o_4.h5"

# Checkpoints: every rank saves its own file at the same step; the job killed right after
# its first checkpoint (HSCSIM_TEST_KILL_AFTER_CHECKPOINT) resumes from them to the same
# bits; resuming with another number of ranks is refused.
CK=(run "$SRC/configs/default.yaml" --set population.size=8000 --set time.years=2 --replicates 2 --threads 1)
expect_exit 0 "checkpointed config, one process" -- "$BIN" "${CK[@]}" -o "$TMP/c_serial.h5" --quiet
HSCSIM_TEST_KILL_AFTER_CHECKPOINT=1 timeout 300 "${MPIRUN[@]}" 2 "$BIN" "${CK[@]}" --decompose --checkpoint-every 60steps \
  -o "$TMP/c.h5" --quiet >"$TMP/out" 2>"$TMP/err"
[ $? != 0 ] && ok || bad "the job told to stop after its checkpoint exited 0"
[ -f "$TMP/c.checkpoint.h5" ] && [ -f "$TMP/c.checkpoint.h5.rank1" ] && ok || bad "no checkpoint file per rank: $(ls "$TMP")"
expect_exit 2 "resume at 3 ranks refused" -- "${MPIRUN[@]}" 3 "$BIN" run --resume "$TMP/c.checkpoint.h5" --decompose --quiet
expect_text "$TMP/err" "resume it with mpirun -np 2" "and says how to resume"
expect_exit 0 "resumed at 2 ranks" -- "${MPIRUN[@]}" 2 "$BIN" run --resume "$TMP/c.checkpoint.h5" --decompose
expect_text "$TMP/out" "60 of 312 steps done" "the resumed run says where it starts"
same "resumed equals one process" "$TMP/c_serial.h5" "$TMP/c.h5"
[ ! -e "$TMP/c.checkpoint.h5" ] && [ ! -e "$TMP/c.checkpoint.h5.rank1" ] && ok || bad "checkpoint files left after the run completed"
# A job killed while its ranks wrote their second checkpoint (the last rank's new file
# lost, HSCSIM_TEST_KILL_IN_CHECKPOINT): the set of the step before is still there (each
# rank's previous file kept as .prev until every rank's new one is whole), and the job
# resumes from it to the same bits.
HSCSIM_TEST_KILL_IN_CHECKPOINT=2 timeout 300 "${MPIRUN[@]}" 2 "$BIN" "${CK[@]}" --decompose --checkpoint-every 60steps \
  -o "$TMP/h.h5" --quiet >"$TMP/out" 2>"$TMP/err"
[ $? != 0 ] && ok || bad "the job told to stop in its second checkpoint exited 0"
[ -f "$TMP/h.checkpoint.h5" ] && [ -f "$TMP/h.checkpoint.h5.prev" ] && [ -f "$TMP/h.checkpoint.h5.rank1.prev" ] &&
  [ ! -e "$TMP/h.checkpoint.h5.rank1" ] && ok || bad "a half-written set: expected rank 0's new and previous files and rank 1's previous: $(ls "$TMP")"
expect_exit 0 "a half-written set resumed" -- "${MPIRUN[@]}" 2 "$BIN" run --resume "$TMP/h.checkpoint.h5" --decompose
expect_text "$TMP/out" "60 of 312 steps done" "from the step every rank has"
same "resumed from a half-written set equals one process" "$TMP/c_serial.h5" "$TMP/h.h5"
ls "$TMP"/h.checkpoint* >/dev/null 2>&1 && bad "checkpoint files left: $(ls "$TMP"/h.checkpoint*)" || ok
expect_exit 2 "checkpoints across ranks without --decompose are refused" -- "${MPIRUN[@]}" 2 "$BIN" "${CK[@]}" \
  --checkpoint-every 60steps -o "$TMP/c2.h5" --quiet

# Signals: mpirun passes SIGUSR1 on to every rank (SIGTERM it follows with SIGKILL). The
# ranks of a decomposed run agree to stop at the same step, each saves its file, the job
# exits 75 with the command to resume, and the resumed run is the one process's, bit for
# bit. A second signal stops at once (exit 128 + signal), leaving no temporary file; so does one
# signal with --no-checkpoint, or to an ensemble across ranks (no checkpoints there).
# (HSCSIM_TEST_SLOW_RANK: rank 1, and so the job, takes 20 ms more a step, so that a
# signal 3 s in comes mid-run on any machine; results are not changed by it.)
SIG=(run "$SRC/configs/default.yaml" --set population.size=12000 --set time.years=5 --replicates 1 --threads 1)
expect_exit 0 "signalled config, one process" -- "$BIN" "${SIG[@]}" -o "$TMP/g_serial.h5" --quiet
stop_with() {  # stop_with SIGNALS OUTPUT [options...]: signals 3 s in; the job's exit code in $got
  local sigs=$1 out=$2
  shift 2
  HSCSIM_TEST_SLOW_RANK=1 "${MPIRUN[@]}" 2 "$BIN" "${SIG[@]}" -o "$out" "$@" >"$TMP/out" 2>"$TMP/err" &
  local pid=$!
  sleep 3
  for s in $sigs; do kill -s "$s" $pid; done
  wait $pid
  got=$?
}
stop_with USR1 "$TMP/g.h5" --decompose
[ "$got" = 75 ] && ok || { bad "SIGUSR1 to a decomposed job: exit $got, expected 75"; sed 's/^/  | /' "$TMP/err" | head -8; }
expect_text "$TMP/err" "interrupted by SIGUSR1; the run's state after" "it says where the state is"
expect_text "$TMP/err" "Resume with: mpirun -np 2 hscsim run $SRC/configs/default.yaml --set population.size=12000 --set time.years=5 --replicates 1 --resume $TMP/g.checkpoint.h5 --decompose" "and how to resume"
grep -o "after [0-9,]* of [0-9,]* steps" "$TMP/err" | sed "s/^/  stopped by SIGUSR1: /"
[ -f "$TMP/g.checkpoint.h5" ] && [ -f "$TMP/g.checkpoint.h5.rank1" ] && [ ! -e "$TMP/g.h5" ] && ok ||
  bad "SIGUSR1: expected a checkpoint per rank and no results: $(ls "$TMP")"
expect_exit 0 "resumed after SIGUSR1" -- "${MPIRUN[@]}" 2 "$BIN" run --resume "$TMP/g.checkpoint.h5" --decompose --quiet
same "resumed after SIGUSR1 equals one process" "$TMP/g_serial.h5" "$TMP/g.h5"
# (Two of one signal sent at once may arrive as one: SIGUSR1 then SIGUSR2.)
stop_with "USR1 USR2" "$TMP/g2.h5" --decompose
[ "$got" = 138 ] || [ "$got" = 140 ] && ok || bad "a second signal: exit $got, expected 138 or 140 (128 + SIGUSR1 or SIGUSR2)"
ls "$TMP"/g2*.tmp >/dev/null 2>&1 && bad "a second signal left temporary files" || ok
[ ! -e "$TMP/g2.h5" ] && ok || bad "a second signal left a results file"
stop_with USR1 "$TMP/g3.h5" --decompose --no-checkpoint
[ "$got" = 138 ] && ok || bad "SIGUSR1 with --no-checkpoint: exit $got, expected 138"
ls "$TMP"/g3* >/dev/null 2>&1 && bad "SIGUSR1 with --no-checkpoint left files: $(ls "$TMP"/g3*)" || ok
SIG[7]=2  # --replicates 2: one each, the slow rank's still running at 3 s
stop_with USR1 "$TMP/g4.h5"
[ "$got" = 138 ] && ok || bad "SIGUSR1 to an ensemble across ranks: exit $got, expected 138"

# Outcome payments against the baseline run: an outcome contract measured person by
# person, an alliance paid for its wellbeing gain.
for f in chec_outcome_contract pay_for_happiness; do
  OUT=(run "$SRC/configs/scenarios/$f.yaml" --set population.size=4000 --set time.years=2 --replicates 1)
  expect_exit 0 "$f, one process" -- "$BIN" "${OUT[@]}" -o "$TMP/$f.h5" --quiet --threads 1
  expect_exit 0 "$f at 3 ranks" -- "${MPIRUN[@]}" 3 "$BIN" "${OUT[@]}" --decompose --threads 1 -o "$TMP/${f}_3.h5" --quiet
  same "$f at 3 ranks equals one process" "$TMP/$f.h5" "$TMP/${f}_3.h5"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
