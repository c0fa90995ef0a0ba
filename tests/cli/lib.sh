# Shared by the command-line tests: counters and checks. Expects $TMP (a scratch folder).
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect_exit() {  # expect_exit CODE DESCRIPTION -- command...  (stdout, stderr in $TMP/out, $TMP/err)
  local want=$1 what=$2; shift 3
  timeout 300 "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "$what: exit $got, expected $want"; sed 's/^/  | /' "$TMP/err" | head -5; fi
}
expect_text() {  # expect_text FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in output"; sed 's/^/  | /' "$1" | head -5; fi
}
no_leftovers() {  # no_leftovers PATTERN DESCRIPTION: no file matches PATTERN
  if compgen -G "$1" >/dev/null; then bad "$2: left $(echo $1)"; else ok; fi
}
