#!/bin/sh
# make demo: a throwaway database laid out like Alfresco's, loaded with the built-in sample and
# a matching content store on disk; then 'alfwipe report' and a dry-run 'alfwipe wipe'.
# Everything lives in a temporary directory that is removed at the end, also on Ctrl-C.
# DB=postgresql (default) or DB=mysql (MariaDB).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
ALFWIPE=${ALFWIPE:-$src/build/alfwipe}
DB=${DB:-postgresql}
NOW=2024-06-30T00:00:00Z
out="$src/build/demo"
mkdir -p "$out"

dir=$(mktemp -d /tmp/alfwipe-demo.XXXXXX)
chmod 755 "$dir"
cleanup() {
    trap - EXIT HUP INT PIPE TERM
    if [ "$DB" = mysql ]; then
        sh "$src/scripts/mytmp.sh" stop "$dir/db" >/dev/null 2>&1 || true
    else
        sh "$src/scripts/pgtmp.sh" stop "$dir/db" >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'cleanup; exit 129' HUP
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 141' PIPE
trap 'cleanup; exit 143' TERM

echo "== generating the sample (Alfresco-shaped database rows + content store on disk)"
python3 "$src/scripts/gen-sample.py" --out "$dir/sample" --now "$NOW" --dialect "$DB" >/dev/null

case "$DB" in
postgresql)
    echo "== starting a throwaway PostgreSQL"
    env=$(sh "$src/scripts/pgtmp.sh" start "$dir/db") || exit 3
    eval "$env"
    psql="psql -X -q -v ON_ERROR_STOP=1 -h $AW_PG_HOST -p $AW_PG_PORT -U $AW_PG_USER"
    $psql -d postgres -c "CREATE DATABASE alfresco"
    for f in "$src/sql/pg/schema.sql" "$src/sql/pg/bootstrap.sql" "$dir/sample/data.sql"; do
        $psql -d alfresco -f "$f" >/dev/null
    done
    dbconf="type = \"postgresql\"; host = \"$AW_PG_HOST\"; port = $AW_PG_PORT;
    name = \"alfresco\"; user = \"$AW_PG_USER\";"
    ;;
mysql)
    echo "== starting a throwaway MariaDB"
    env=$(sh "$src/scripts/mytmp.sh" start "$dir/db") || exit 3
    eval "$env"
    my="mariadb --protocol=socket -S $AW_MY_SOCKET -u $AW_MY_USER"
    $my -e "CREATE DATABASE alfresco"
    for f in "$src/sql/mysql/schema.sql" "$src/sql/mysql/bootstrap.sql" "$dir/sample/data.sql"; do
        $my alfresco < "$f"
    done
    dbconf="type = \"mysql\"; socket = \"$AW_MY_SOCKET\"; name = \"alfresco\";
    user = \"$AW_MY_USER\";"
    ;;
*)
    echo "demo: DB must be postgresql or mysql, not '$DB'" >&2
    exit 3
    ;;
esac

conf="$dir/alfwipe.conf"
cat > "$conf" <<CONF
# Written by scripts/demo.sh for the sample.
alfresco = {
    contentstore = "$dir/sample/alf_data/contentstore";
    contentstore_deleted = "$dir/sample/alf_data/contentstore.deleted";
};
database = { $dbconf };
wipe = {
    lock_file = "$dir/wipe.lock";
    state_dir = "$dir/state";
    certificate = "$out/certificate.jsonl";
    operator = "demo";
};
CONF
chmod 600 "$conf"

echo "== alfwipe report (text), as of $NOW"
rc=0
"$ALFWIPE" -c "$conf" --now "$NOW" report || rc=$?
echo "(exit code $rc: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)"
"$ALFWIPE" -c "$conf" --now "$NOW" report --format json --output "$out/report.json" || true
"$ALFWIPE" -c "$conf" --now "$NOW" report --format csv --output "$out/report.csv" || true
echo "== the full report: $out/report.json (JSON) and $out/report.csv (CSV)"

if "$ALFWIPE" --help | grep -q '^  wipe '; then
    echo "== alfwipe wipe --dry-run, as of $NOW (lists every candidate with its decision; writes nothing)"
    rc=0
    "$ALFWIPE" -c "$conf" --now "$NOW" wipe --dry-run --method dod-3 || rc=$?
    echo "(exit code $rc)"
fi
