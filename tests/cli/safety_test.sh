#!/usr/bin/env bash
# Input and output safety at the command line (issue 13), each case the command that once
# crashed, hung, clobbered a file or exited with the wrong code:
# special files as configs or outputs, signals, two runs to one file, damaged results
# files for --from, a full disk.
# Usage: safety_test.sh HSCSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
FULL=""
cleanup() {
  [ -n "$FULL" ] && umount "$FULL" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"

TINY=$SRC/configs/tests/tiny.yaml
DEFAULT=$SRC/configs/default.yaml
cd "$TMP"

# Config files that are not regular files: exit 2 at the extends: entry, no hang.
mkfifo "$TMP/fifo"
printf 'extends: fifo\n' >"$TMP/fifo.yaml"
expect_exit 2 "extends a FIFO" -- "$BIN" check "$TMP/fifo.yaml"
expect_text "$TMP/err" "$TMP/fifo.yaml:1:10: error: extends: file 'fifo' is a named pipe (FIFO)" "FIFO message"
printf 'extends: /dev/zero\n' >"$TMP/zero.yaml"
expect_exit 2 "extends /dev/zero" -- "$BIN" check "$TMP/zero.yaml"
expect_text "$TMP/err" "is a character device; a config must be a regular file" "device message"
expect_exit 2 "a FIFO as the config" -- "$BIN" run "$TMP/fifo" -o "$TMP/x.h5"
printf 'description: &s [*s]\n' >"$TMP/alias.yaml"
expect_exit 2 "recursive alias (check)" -- "$BIN" check "$TMP/alias.yaml"
expect_text "$TMP/err" "$TMP/alias.yaml:1:14: error: YAML alias refers to a node that contains it" "alias message"
expect_exit 2 "recursive alias (run)" -- "$BIN" run "$TMP/alias.yaml" -o "$TMP/x.h5"
expect_exit 2 "recursive alias in --set" -- "$BIN" check "$TINY" --set 'description=&s [*s]'

# Outputs that are not regular files are refused before the run, and left alone.
expect_exit 2 "-o /dev/null" -- "$BIN" run "$TINY" -o /dev/null --quiet
expect_text "$TMP/err" "cannot write '/dev/null': it is a character device" "device output message"
[ -c /dev/null ] && ok || bad "/dev/null is no longer a character device"
ln -s /dev/null "$TMP/link.h5"
expect_exit 2 "-o a symlink to a device" -- "$BIN" run "$TINY" -o "$TMP/link.h5" --quiet
expect_exit 2 "-o a FIFO" -- "$BIN" run "$TINY" -o "$TMP/fifo" --quiet
if [ -e /proc/version ]; then
  start=$(date +%s)
  expect_exit 2 "-o /proc/version fails before the run" -- "$BIN" run "$DEFAULT" -o /proc/version --quiet
  [ $(($(date +%s) - start)) -lt 5 ] && ok || bad "-o /proc/version ran the simulation first"
fi
expect_exit 2 "-o a folder" -- "$BIN" run "$TINY" -o "$TMP" --quiet

# Signals with --no-checkpoint: exit 128 + signal, a message, no results and no temporary
# file. (Without it a signal saves a checkpoint: tests/cli/checkpoint_test.sh.)
for sig in TERM INT HUP; do
  "$BIN" run "$DEFAULT" -o "$TMP/sig.h5" --quiet --no-checkpoint >"$TMP/out" 2>"$TMP/err" &
  pid=$!
  sleep 1.5
  kill -s $sig $pid
  wait $pid
  got=$?
  case $sig in TERM) want=143 ;; INT) want=130 ;; HUP) want=129 ;; esac
  [ "$got" = "$want" ] && ok || bad "SIG$sig: exit $got, expected $want"
  expect_text "$TMP/err" "interrupted by SIG$sig" "SIG$sig message"
  no_leftovers "$TMP/sig.h5*" "SIG$sig"
done
# A second signal stops at once, still removing the temporary file.
"$BIN" run "$DEFAULT" -o "$TMP/sig2.h5" --quiet --no-checkpoint >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1.5
kill -TERM $pid
sleep 0.05
kill -TERM $pid 2>/dev/null
wait $pid
got=$?
[ "$got" = 143 ] && ok || bad "second SIGTERM: exit $got, expected 143"
no_leftovers "$TMP/sig2.h5*" "second signal"

# Two runs to one output file: the second fails at once, the first is unharmed.
# (HSCSIM_TEST_SLOW_RANK=0: 20 ms more a step, about 4 s in any build, sanitizers too.)
HSCSIM_TEST_SLOW_RANK=0 "$BIN" run "$TINY" --set time.years=4 -o "$TMP/two.h5" --quiet &
first=$!
sleep 1
expect_exit 2 "a second run to the same file" -- "$BIN" run "$TINY" -o "$TMP/two.h5" --quiet
expect_text "$TMP/err" "another hscsim run is writing it" "lock message"
wait $first && ok || bad "the first run failed"
[ -f "$TMP/two.h5" ] && ok || bad "the first run wrote no file"
no_leftovers "$TMP/two.h5.tmp" "two runs"
# A temporary file left by a killed run (kill -9) does not block the next run.
"$BIN" run "$DEFAULT" -o "$TMP/stale.h5" --quiet &
pid=$!
sleep 1
kill -KILL $pid
wait $pid 2>/dev/null
expect_exit 0 "a run after a killed one" -- "$BIN" run "$TINY" -o "$TMP/stale.h5" --quiet
no_leftovers "$TMP/stale.h5.tmp" "after a killed run"

# --from checks the file: damaged header, damaged or edited data, wrong schema type.
expect_exit 0 "run tiny" -- "$BIN" run "$TINY" -o "$TMP/good.h5" --quiet
expect_exit 0 "--from an intact file" -- "$BIN" run --from "$TMP/good.h5" -o "$TMP/again.h5"
expect_text "$TMP/out" "intact" "--from says the file is intact"
cp "$TMP/good.h5" "$TMP/header.h5"
printf '\377\377\377\377' | dd of="$TMP/header.h5" bs=1 seek=0 conv=notrunc 2>/dev/null
expect_exit 2 "--from a damaged header" -- "$BIN" run --from "$TMP/header.h5" -o "$TMP/x.h5" --quiet
# Damage the stored values of one dataset: at its data's address (h5ls -va), not at a
# fixed share of the file, which can fall in unused space as the layout changes.
addr=$(h5ls -va "$TMP/good.h5/scenarios/baseline/timeseries/deaths" | sed -n 's/^ *Address: *\([0-9]*\).*/\1/p')
[ -n "$addr" ] && ok || bad "h5ls gave no data address for timeseries/deaths"
size=$(stat -c %s "$TMP/good.h5")
cp "$TMP/good.h5" "$TMP/data.h5"
printf 'UUUUUUUU' | dd of="$TMP/data.h5" bs=1 seek=$((addr + 16)) conv=notrunc 2>/dev/null
expect_exit 2 "--from damaged data" -- "$BIN" run --from "$TMP/data.h5" -o "$TMP/x.h5" --quiet
head -c $((size / 4)) "$TMP/good.h5" >"$TMP/cut.h5"
expect_exit 2 "--from a truncated file" -- "$BIN" run --from "$TMP/cut.h5" -o "$TMP/x.h5" --quiet
expect_exit 2 "--from a FIFO" -- "$BIN" run --from "$TMP/fifo" -o "$TMP/x.h5" --quiet
if "$SRC/scripts/py" -c "import h5py" 2>/dev/null; then
  cp "$TMP/good.h5" "$TMP/edited.h5"
  "$SRC/scripts/py" -c "
import h5py
with h5py.File('$TMP/edited.h5', 'r+') as f:
    d = f['scenarios/baseline/timeseries/population']; d[0, 0] = d[0, 0] + 1"
  expect_exit 2 "--from an edited file" -- "$BIN" run --from "$TMP/edited.h5" -o "$TMP/x.h5" --quiet
  expect_text "$TMP/err" "do not match the checksum" "checksum message"
  cp "$TMP/good.h5" "$TMP/schema.h5"
  "$SRC/scripts/py" -c "
import h5py
with h5py.File('$TMP/schema.h5', 'r+') as f:
    del f.attrs['schema_version']; f.attrs['schema_version'] = 'one'"
  expect_exit 2 "--from a text schema_version" -- "$BIN" run --from "$TMP/schema.h5" -o "$TMP/x.h5" --quiet
  expect_text "$TMP/err" "schema_version is not a whole number" "schema message"
fi

# A full disk: exit 1 with the system's message, no crash at exit, nothing left behind.
if [ "$(id -u)" = 0 ] && mkdir -p "$TMP/full" && mount -t tmpfs -o size=200k tmpfs "$TMP/full" 2>/dev/null; then
  FULL=$TMP/full
  expect_exit 1 "a full disk" -- "$BIN" run "$TINY" -o "$FULL/x.h5" --quiet
  expect_text "$TMP/err" "No space left on device" "full-disk message"
  no_leftovers "$FULL/x.h5*" "full disk"
  # A checkpoint that does not fit: a warning, the run goes on and writes its results.
  expect_exit 0 "periodic checkpoints to a full disk" -- "$BIN" run "$TINY" -o "$TMP/ck_full.h5" --quiet \
    --checkpoint "$FULL/x.checkpoint.h5" --checkpoint-every 2steps
  expect_text "$TMP/err" "cannot write the checkpoint" "full-disk checkpoint warning"
  [ -f "$TMP/ck_full.h5" ] && ok || bad "no results after a checkpoint that did not fit"
  no_leftovers "$FULL/x.checkpoint.h5*" "checkpoint to a full disk"
  umount "$FULL" && FULL=""
else
  echo "note: full-disk case skipped (needs root to mount a small tmpfs)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
