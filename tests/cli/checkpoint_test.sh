#!/usr/bin/env bash
# Checkpoint and restart at the command line (issue 18): a run stopped by a signal at
# several points saves its state (exit 75) and, resumed, writes the file the uninterrupted
# run writes (h5diff of every dataset); periodic checkpoints survive a kill -9; a second
# signal stops at once and leaves nothing that looks complete; resuming is refused for
# another config, another build, another part, a damaged file or a file that is not a
# checkpoint.
# Usage: checkpoint_test.sh HSCSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$(dirname "$0")/lib.sh"
same_results() {  # same_results A.h5 B.h5 DESCRIPTION: every scenario and comparison dataset equal
  local g
  for g in /scenarios /comparisons; do
    if h5ls "$1/$g" >/dev/null 2>&1 || h5ls "$2/$g" >/dev/null 2>&1; then
      if h5diff "$1" "$2" $g $g >"$TMP/diff" 2>&1; then ok; else bad "$3: $g differs"; head -5 "$TMP/diff"; fi
    fi
  done
}
cd "$TMP"

# A study with a shared burn-in, two scenarios and two replicates: about 4 s uninterrupted.
CONFIG=$SRC/configs/scenarios/social_care_capacity.yaml
SETS=(--set population.size=20000 --set time.years=3 --replicates 2)
expect_exit 0 "uninterrupted run" -- "$BIN" run "$CONFIG" "${SETS[@]}" -o "$TMP/whole.h5" --quiet
expect_exit 0 "uninterrupted run on 1 thread" -- "$BIN" run "$CONFIG" "${SETS[@]}" -o "$TMP/whole1.h5" --threads 1 --quiet
same_results whole.h5 whole1.h5 "1 and 2 threads"

# Stopped by a signal (SIGTERM, SIGINT; SIGUSR1, which mpirun passes on) at several points
# (in the burn-in, in the scenarios): exit 75, the command to resume printed, no results
# file; resumed (on another thread count), the same file as the uninterrupted run, and the
# checkpoint removed.
k=0
for at in 0.3:TERM 0.3:INT 0.8:TERM 0.8:INT 1.4:TERM 1.4:INT 1.4:USR1; do
  pause=${at%:*}
  sig=${at#*:}
  {
    k=$((k + 1))
    "$BIN" run "$CONFIG" "${SETS[@]}" -o "$TMP/s$k.h5" --quiet >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    sleep $pause
    kill -s $sig $pid
    wait $pid
    got=$?
    [ "$got" = 75 ] && ok || { bad "SIG$sig after ${pause}s: exit $got, expected 75"; sed 's/^/  | /' "$TMP/err" | head -5; }
    expect_text "$TMP/err" "interrupted by SIG$sig; the run's state after" "SIG$sig message"
    expect_text "$TMP/err" "Resume with: hscsim run $CONFIG --set population.size=20000 --set time.years=3 --replicates 2 --resume $TMP/s$k.checkpoint.h5" "resume command"
    no_leftovers "$TMP/s$k.h5" "SIG$sig: results file"
    no_leftovers "$TMP/s$k*.tmp" "SIG$sig: temporary files"
    [ -f "$TMP/s$k.checkpoint.h5" ] && ok || bad "SIG$sig after ${pause}s: no checkpoint"
    grep -o "after [0-9,]* of [0-9,]* steps" "$TMP/err" | sed "s/^/  stopped $sig at ${pause}s: /"
    expect_exit 0 "resume after SIG$sig at ${pause}s" -- "$BIN" run "$CONFIG" "${SETS[@]}" --resume "$TMP/s$k.checkpoint.h5" --threads 1 --quiet
    same_results whole.h5 "s$k.h5" "resumed after SIG$sig at ${pause}s"
    no_leftovers "$TMP/s$k.checkpoint.h5" "checkpoint after the resumed run"
  }
done

# A checkpoint resumed by itself (no CONFIG: its own config, output and part).
"$BIN" run "$CONFIG" "${SETS[@]}" -o "$TMP/alone.h5" --quiet >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
[ $? = 75 ] && ok || bad "SIGTERM (alone): not exit 75"
cp "$TMP/alone.checkpoint.h5" "$TMP/kept.checkpoint.h5"
expect_exit 0 "--resume alone" -- "$BIN" run --resume "$TMP/alone.checkpoint.h5"
expect_text "$TMP/out" "Resuming $TMP/alone.checkpoint.h5" "resume message"
same_results whole.h5 alone.h5 "--resume alone"

# Refused (exit 2, nothing run): another config, --set changing it, another part, options
# that would change the config of a checkpoint resumed alone.
expect_exit 2 "resume with another config" -- "$BIN" run "$CONFIG" --set population.size=20001 --set time.years=3 --replicates 2 --resume "$TMP/kept.checkpoint.h5" -o "$TMP/x.h5"
expect_text "$TMP/err" "belongs to a run of another config: the resolved configs differ at line" "another config message"
expect_text "$TMP/err" "20001" "another config: the line"
expect_exit 2 "resume alone with --set" -- "$BIN" run --resume "$TMP/kept.checkpoint.h5" --set population.size=5 -o "$TMP/x.h5"
expect_exit 2 "resume with another part" -- "$BIN" run "$CONFIG" "${SETS[@]}" --resume "$TMP/kept.checkpoint.h5" --part 0/2 -o "$TMP/x.h5"
expect_text "$TMP/err" "is the whole run, not --part 0/2" "part message"
expect_exit 2 "resume a results file" -- "$BIN" run "$CONFIG" "${SETS[@]}" --resume "$TMP/whole.h5" -o "$TMP/x.h5"
expect_text "$TMP/err" "is not an hscsim checkpoint (its format is 'hscsim-results'" "results-file message"
expect_exit 2 "resume a missing file" -- "$BIN" run "$CONFIG" --resume "$TMP/none.h5" -o "$TMP/x.h5"
expect_text "$TMP/err" "no such file" "missing-file message"
expect_exit 2 "bad --checkpoint-every" -- "$BIN" run "$CONFIG" --checkpoint-every 10 -o "$TMP/x.h5"
expect_text "$TMP/err" "expected a wall time (90s, 30min, 2h) or a simulated time" "duration message"
expect_exit 2 "--no-checkpoint with --checkpoint-every" -- "$BIN" run "$CONFIG" --checkpoint-every 1y --no-checkpoint -o "$TMP/x.h5"
expect_exit 2 "checkpoint to a folder" -- "$BIN" run "$CONFIG" --checkpoint "$TMP" -o "$TMP/x.h5"
no_leftovers "$TMP/x.h5*" "refused resumes"
# Another build, and a damaged state.
cp "$TMP/kept.checkpoint.h5" "$TMP/build.checkpoint.h5"
cp "$TMP/kept.checkpoint.h5" "$TMP/damaged.checkpoint.h5"
if "$SRC/scripts/py" -c "import h5py" 2>/dev/null; then
  "$SRC/scripts/py" -c "
import h5py
with h5py.File('$TMP/build.checkpoint.h5', 'r+') as f:
    f.attrs['git_commit'] = 'someotherbuild'"
  expect_exit 2 "resume with another build" -- "$BIN" run --resume "$TMP/build.checkpoint.h5" -o "$TMP/x.h5"
  expect_text "$TMP/err" "only the build that wrote it can resume it" "another build message"
fi
size=$(stat -c %s "$TMP/damaged.checkpoint.h5")
printf '\xde\xad\xbe\xef\xde\xad\xbe\xef' | dd of="$TMP/damaged.checkpoint.h5" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect_exit 2 "resume a damaged checkpoint" -- "$BIN" run --resume "$TMP/damaged.checkpoint.h5" -o "$TMP/x.h5"
expect_text "$TMP/err" "is damaged" "damaged message"
no_leftovers "$TMP/x.h5*" "refused resumes"

# Periodic checkpoints: a run checkpointing every 40 steps of the run equals the whole run
# and removes its checkpoint at the end; killed outright (kill -9, as at a wall-time
# limit without a signal) after a checkpoint, it resumes from the last one.
expect_exit 0 "--checkpoint-every 40steps" -- "$BIN" run "$CONFIG" "${SETS[@]}" -o "$TMP/every.h5" --checkpoint-every 40steps
expect_text "$TMP/err" "checkpoint: " "checkpoint lines"
same_results whole.h5 every.h5 "periodic checkpoints"
no_leftovers "$TMP/every.checkpoint.h5" "checkpoint after a complete run"
"$BIN" run "$CONFIG" "${SETS[@]}" -o "$TMP/killed.h5" --checkpoint-every 1y --checkpoint "$TMP/k.ck.h5" --quiet >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 100); do [ -f "$TMP/k.ck.h5" ] && break; sleep 0.1; done
sleep 0.3
kill -KILL $pid
wait $pid 2>/dev/null
[ -f "$TMP/k.ck.h5" ] && ok || bad "kill -9: no checkpoint left"
no_leftovers "$TMP/killed.h5" "kill -9: results"
expect_exit 0 "resume after kill -9" -- "$BIN" run "$CONFIG" "${SETS[@]}" -o "$TMP/killed.h5" --resume "$TMP/k.ck.h5" --quiet
same_results whole.h5 killed.h5 "resumed after kill -9"

# A second signal stops at once: exit 128 + signal, no results, no temporary file (a
# checkpoint, if the first signal's was already complete, is whole and resumable).
"$BIN" run "$CONFIG" "${SETS[@]}" -o "$TMP/twice.h5" --quiet >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1.5
kill -TERM $pid
sleep 0.02
kill -TERM $pid 2>/dev/null
wait $pid
got=$?
[ "$got" = 143 ] || [ "$got" = 75 ] && ok || bad "second SIGTERM: exit $got"
no_leftovers "$TMP/twice.h5" "second signal: results"
no_leftovers "$TMP/twice*.tmp" "second signal: temporary files"
if [ -f "$TMP/twice.checkpoint.h5" ]; then
  expect_exit 0 "resume after a second signal" -- "$BIN" run "$CONFIG" "${SETS[@]}" --resume "$TMP/twice.checkpoint.h5" --quiet
  same_results whole.h5 twice.h5 "resumed after a second signal"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
