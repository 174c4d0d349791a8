#!/bin/sh
# Integration tests: starts one throwaway PostgreSQL and one throwaway MariaDB on loopback in a
# temporary directory (scripts/pgtmp.sh, scripts/mytmp.sh), runs every tests/integration/t_*.py
# with them, stops both servers and removes the directory, also on failure or Ctrl-C.
#
# Each test is a Python 3 program that prints "ok - ..." / "not ok - ..." lines and exits 0
# only when every check passed. It gets, in its environment:
#   ALFWIPE      the binary under test          AW_SRC   the source tree
#   AW_TMP       a scratch directory of its own (removed afterwards unless AW_KEEP=1)
#   AW_PG_HOST AW_PG_PORT AW_PG_USER            the PostgreSQL server (superuser, trust)
#   AW_MY_SOCKET AW_MY_PORT AW_MY_USER          the MariaDB server (root over the socket)
# A test creates its own databases (named after itself) and drops nothing it did not create.
#
# AW_TESTS="t_report_cases t_wipe" runs only those tests.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
export AW_SRC="$src"
export ALFWIPE="${ALFWIPE:-$src/build/alfwipe}"
[ -x "$ALFWIPE" ] || { echo "run.sh: $ALFWIPE is not built; run 'make' first" >&2; exit 1; }

top=$(mktemp -d /tmp/alfwipe-it.XXXXXX)
chmod 755 "$top"
cleanup() {
    trap - EXIT INT TERM
    sh "$src/scripts/pgtmp.sh" stop "$top/pg" >/dev/null 2>&1 || true
    sh "$src/scripts/mytmp.sh" stop "$top/my" >/dev/null 2>&1 || true
    if [ "${AW_KEEP:-0}" = 1 ]; then
        echo "run.sh: kept $top"
    else
        rm -rf "$top"
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

echo "== starting PostgreSQL and MariaDB in $top"
eval "$(sh "$src/scripts/pgtmp.sh" start "$top/pg")"
eval "$(sh "$src/scripts/mytmp.sh" start "$top/my")"
export AW_PG_HOST AW_PG_PORT AW_PG_USER AW_MY_SOCKET AW_MY_PORT AW_MY_USER

tests=""
if [ -n "${AW_TESTS:-}" ]; then
    for t in $AW_TESTS; do tests="$tests $src/tests/integration/${t%.py}.py"; done
else
    tests=$(ls "$src"/tests/integration/t_*.py | LC_ALL=C sort)
fi

pass=0
failed=""
for t in $tests; do
    name=$(basename "$t" .py)
    mkdir -p "$top/t/$name"
    chmod 755 "$top/t" "$top/t/$name"
    echo "== $name"
    start=$(date +%s)
    if AW_TMP="$top/t/$name" python3 "$t" >"$top/t/$name.log" 2>&1; then
        pass=$((pass + 1))
        printf '%s: %s checks passed (%ss)\n' "$name" \
            "$(grep -c "^ok" "$top/t/$name.log" || true)" "$(($(date +%s) - start))"
    else
        failed="$failed $name"
        cat "$top/t/$name.log"
        echo "$name: FAILED"
    fi
done

if [ -n "$failed" ]; then
    echo "== integration: $pass passed, failed:$failed"
    exit 1
fi
echo "== integration: all $pass tests passed"
