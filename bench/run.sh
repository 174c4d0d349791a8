#!/bin/sh
# make bench: 'alfwipe report --format json' on 1,000,000 content URLs (with nodes) and
# 1,000,000 files, against the standard-tools baseline (psql export + find + sort + join) and
# the database floor (one SQL query that classifies every URL inside the server), in one run,
# warm cache. Prints the times side by side, the ratios and alfwipe's peak RSS.
# The same report then runs on MariaDB loaded with the same data, its time beside PostgreSQL's.
# BENCH_URLS overrides the scale; BENCH_DB=postgresql skips MariaDB (default: both);
# BENCH_MY_TIMEOUT (seconds, default 900) bounds each MariaDB report run.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
ALFWIPE=${ALFWIPE:-$src/build/alfwipe}
N=${BENCH_URLS:-1000000}
NOW=2024-06-30T00:00:00Z
dir=$(mktemp -d /tmp/alfwipe-bench.XXXXXX)
chmod 755 "$dir"
cleanup() {
    trap - EXIT INT TERM
    sh "$src/scripts/pgtmp.sh" stop "$dir/pg" >/dev/null 2>&1 || true
    sh "$src/scripts/mytmp.sh" stop "$dir/my" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.2f", $2 - $1}'; }

BENCH_DB=${BENCH_DB:-both}
case "$BENCH_DB" in
both | mysql | mariadb) with_my=1 ;;
postgresql) with_my=0 ;;
*) echo "bench: BENCH_DB must be both, postgresql or mysql, not '$BENCH_DB'" >&2; exit 3 ;;
esac

echo "bench: generating $N content URLs with nodes and files (not timed)"
t0=$(now)
python3 "$src/scripts/gen-sample.py" --out "$dir/s" --now "$NOW" --urls "$N" --dialect postgresql >/dev/null
echo "bench: generated in $(secs "$t0" "$(now)") s; loading PostgreSQL (not timed)"
t0=$(now)
eval "$(sh "$src/scripts/pgtmp.sh" start "$dir/pg")"
psql="psql -X -q -v ON_ERROR_STOP=1 -h $AW_PG_HOST -p $AW_PG_PORT -U $AW_PG_USER"
$psql -d postgres -c "CREATE DATABASE alfresco"
for f in "$src/sql/pg/schema.sql" "$src/sql/pg/bootstrap.sql" "$dir/s/data.sql"; do
    $psql -d alfresco -f "$f" >/dev/null
done
$psql -d alfresco -c "VACUUM ANALYZE" >/dev/null
echo "bench: PostgreSQL loaded in $(secs "$t0" "$(now)") s"
cs="$dir/s/alf_data/contentstore"
del="$dir/s/alf_data/contentstore.deleted"
cat > "$dir/alfwipe.conf" <<CONF
alfresco = { contentstore = "$cs"; contentstore_deleted = "$del"; };
database = { type = "postgresql"; host = "$AW_PG_HOST"; port = $AW_PG_PORT;
             name = "alfresco"; user = "$AW_PG_USER"; };
CONF
files=$(find "$cs" "$del" -type f | wc -l)
echo "bench: $N URLs, $files files"

# Write back what generating and loading left dirty, so that no run pays for it; then warm the
# caches (database pages and directory entries) once, untimed.
sync
find "$cs" "$del" -type f >/dev/null
$psql -d alfresco -c "SELECT count(*) FROM alf_content_url" >/dev/null
"$ALFWIPE" -c "$dir/alfwipe.conf" --now "$NOW" report --format json >/dev/null || true

# CPU seconds used so far by the PostgreSQL server: the postmaster and its children, with the
# time of children already gone (backends, parallel workers) that the postmaster has reaped.
pg_cpu() {
    pm=$(head -n 1 "$dir/pg/pg/postmaster.pid")
    python3 - "$pm" <<'PY'
import os, sys
pm, tot = sys.argv[1], 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if pid == pm or f[1] == pm:
        tot += sum(int(x) for x in f[11:15])
print("%.2f" % (tot / os.sysconf("SC_CLK_TCK")))
PY
}

# 1. alfwipe
c0=$(pg_cpu)
t0=$(now)
/usr/bin/time -f '%M %U %S' -o "$dir/rss" "$ALFWIPE" -c "$dir/alfwipe.conf" --now "$NOW" \
    report --format json --output "$dir/report.json" || true
t1=$(now)
c1=$(pg_cpu)
t_alfwipe=$(secs "$t0" "$t1")
set -- $(tail -n 1 "$dir/rss")
rss_kib=$1
cpu_alfwipe=$(echo "$2 $3" | awk '{printf "%.2f", $1 + $2}')
cpu_pg=$(echo "$c0 $c1" | awk '{printf "%.2f", $2 - $1}')

# 2. baseline: export URLs with their reference stores, walk the disk, sort both, join.
t0=$(now)
$psql -d alfresco -At -F '	' -c "COPY (
    SELECT u.content_url, u.content_size, u.orphan_time, string_agg(DISTINCT s.protocol || '://' || s.identifier, ',')
    FROM alf_content_url u
    LEFT JOIN alf_content_data d ON d.content_url_id = u.id
    LEFT JOIN alf_node_properties p ON p.long_value = d.id AND p.actual_type_n = 21
    LEFT JOIN alf_node n ON n.id = p.node_id
    LEFT JOIN alf_store s ON s.id = n.store_id
    GROUP BY u.id, u.content_url, u.content_size, u.orphan_time) TO STDOUT" |
    LC_ALL=C sort -t '	' -k1,1 > "$dir/urls.tsv"
( cd "$cs" && find . -type f -printf 'store://%P\t%s\t%T@\tcs\n' ) > "$dir/files.unsorted"
( cd "$del" && find . -type f -printf 'store://%P\t%s\t%T@\tdel\n' ) >> "$dir/files.unsorted"
LC_ALL=C sort -t '	' -k1,1 "$dir/files.unsorted" > "$dir/files.tsv"
LC_ALL=C join -t '	' -a 1 -a 2 "$dir/urls.tsv" "$dir/files.tsv" > "$dir/joined.tsv"
t1=$(now)
t_base=$(secs "$t0" "$t1")

# 3. the floor: one query that classifies every URL inside PostgreSQL.
c0=$(pg_cpu)
t0=$(now)
$psql -d alfresco -At -c "
    SELECT cls, count(*), sum(content_size) FROM (
      SELECT u.content_size, CASE
        WHEN u.content_url NOT LIKE 'store://%' THEN 'non_file'
        WHEN bool_or(s.protocol = 'workspace' AND s.identifier <> 'version2Store') THEN 'live'
        WHEN bool_or(s.identifier = 'version2Store') THEN 'version'
        WHEN bool_or(s.protocol = 'archive') THEN 'trashcan'
        WHEN u.orphan_time IS NULL THEN 'unreferenced'
        WHEN u.orphan_time = 0 THEN 'orphan_kept'
        ELSE 'orphan' END AS cls
      FROM alf_content_url u
      LEFT JOIN alf_content_data d ON d.content_url_id = u.id
      LEFT JOIN alf_node_properties p ON p.long_value = d.id AND p.actual_type_n = 21
      LEFT JOIN alf_node n ON n.id = p.node_id
      LEFT JOIN alf_store s ON s.id = n.store_id
      GROUP BY u.id, u.content_url, u.content_size, u.orphan_time) x
    GROUP BY cls" >/dev/null
t1=$(now)
t_floor=$(secs "$t0" "$t1")
cpu_floor=$(echo "$c0 $(pg_cpu)" | awk '{printf "%.2f", $2 - $1}')

# 3b. the least any report of these data can take here: the bare disk walk (getdents64 and
# fstatat, nothing kept: bench/barewalk.c) beside the rows the report reads, streamed by psql
# to /dev/null on two sessions as alfwipe reads them, with no processing at all. (The content
# properties are only those with actual_type_n 21, which is all this data set has.)
BAREWALK=${BAREWALK:-$src/build/barewalk}
t_bare=""
t_rows=""
t_lower=""
if [ -x "$BAREWALK" ]; then
    rows_a() {
        $psql -d alfresco -c "COPY (SELECT p.node_id, p.long_value, p.actual_type_n
            FROM alf_node_properties p WHERE p.actual_type_n = 21) TO STDOUT" >/dev/null
        $psql -d alfresco -c "COPY (SELECT n.id, n.store_id, n.uuid FROM alf_node n) TO STDOUT" >/dev/null
        $psql -d alfresco -c "COPY (SELECT u.id, u.content_url, u.content_size, u.orphan_time
            FROM alf_content_url u) TO STDOUT" >/dev/null
    }
    rows_b() {
        $psql -d alfresco -c "COPY (SELECT d.id, d.content_url_id FROM alf_content_data d) TO STDOUT" >/dev/null
    }
    t0=$(now)
    "$BAREWALK" "$cs" "$del" >/dev/null
    t_bare=$(secs "$t0" "$(now)")
    t0=$(now)
    rows_b & rows_a
    wait
    t_rows=$(secs "$t0" "$(now)")
    t0=$(now)
    "$BAREWALK" "$cs" "$del" >/dev/null &
    rows_b & rows_a
    wait
    t_lower=$(secs "$t0" "$(now)")
fi

# 4. alfwipe once more, after the others: the first timed run of a freshly loaded database can
# pay for work the server still does after the load.
c0=$(pg_cpu)
t0=$(now)
/usr/bin/time -f '%M %U %S' -o "$dir/rss2" "$ALFWIPE" -c "$dir/alfwipe.conf" --now "$NOW" \
    report --format json --output "$dir/report2.json" || true
t1=$(now)
t_alfwipe2=$(secs "$t0" "$t1")
cpu_pg2=$(echo "$c0 $(pg_cpu)" | awk '{printf "%.2f", $2 - $1}')
cpu_alfwipe2=$(tail -n 1 "$dir/rss2" | awk '{printf "%.2f", $2 + $3}')
rm -f "$dir/report2.json"

items=$(grep -c '"class"' "$dir/report.json" || true)
echo
printf '%-44s %10s\n' "run ($N URLs, $files files, warm cache)" "seconds"
printf '%-44s %10s\n' "alfwipe report --format json" "$t_alfwipe"
printf '%-44s %10s\n' "baseline: psql export + find + sort + join" "$t_base"
printf '%-44s %10s\n' "floor: one classifying SQL query" "$t_floor"
printf '%-44s %10s\n' "alfwipe report --format json, second run" "$t_alfwipe2"
if [ -n "$t_lower" ]; then
    printf '%-44s %10s\n' "bare walk alone (getdents64 + fstatat)" "$t_bare"
    printf '%-44s %10s\n' "report's rows alone, streamed to /dev/null" "$t_rows"
    printf '%-44s %10s\n' "both at once, no processing (lower bound)" "$t_lower"
fi
echo "$t_base $t_alfwipe $t_floor $rss_kib" | awk '{
    printf "speed-up over baseline: %.2fx (goal >= 2x)\n", $1 / $2;
    printf "alfwipe / SQL floor:    %.2fx (goal <= 1.5x)\n", $2 / $3;
    printf "alfwipe peak RSS:       %.0f MiB (goal < 300 MiB)\n", $4 / 1024 }'
if [ -n "$t_lower" ]; then
    echo "$t_lower $t_floor $t_alfwipe" | awk '{
        printf "lower bound / SQL floor: %.2fx (the walk and the rows alone, before any work on them)\n", $1 / $2;
        printf "alfwipe / lower bound:  %.2fx\n", $3 / $1 }'
fi
echo "CPU seconds: alfwipe report $cpu_alfwipe in alfwipe + $cpu_pg in PostgreSQL" \
    "(on $(nproc) CPUs); floor query $cpu_floor in PostgreSQL; second run $cpu_alfwipe2 +" \
    "$cpu_pg2"
echo "items in the JSON report: $items"
summary_check() {
    python3 -c 'import json, sys
got = json.load(open(sys.argv[1]))["summary"]
want = json.load(open(sys.argv[2]))["summary"]
print("summary matches what the generator built" if got == want else
      "summary DIFFERS from what the generator built (%s)" % sys.argv[2])' "$1" "$2"
}
summary_check "$dir/report.json" "$dir/s/expected.json"

if [ "$with_my" = 1 ]; then
    echo
    echo "bench: loading the same data into MariaDB (not timed)"
    t0=$(now)
    python3 "$src/scripts/gen-sample.py" --out "$dir/m" --now "$NOW" --urls "$N" --dialect mysql --data-only >/dev/null
    eval "$(sh "$src/scripts/mytmp.sh" start "$dir/my")"
    my="mariadb --protocol=socket -S $AW_MY_SOCKET -u $AW_MY_USER"
    $my -e "CREATE DATABASE alfresco"
    for f in "$src/sql/mysql/schema.sql" "$src/sql/mysql/bootstrap.sql" "$dir/m/data.sql"; do
        $my alfresco < "$f"
    done
    $my alfresco -e "ANALYZE TABLE alf_content_url, alf_content_data, alf_node_properties,
        alf_node, alf_child_assoc, alf_content_url_encryption" >/dev/null
    echo "bench: MariaDB loaded in $(secs "$t0" "$(now)") s"
    cat > "$dir/alfwipe-my.conf" <<CONF
alfresco = { contentstore = "$cs"; contentstore_deleted = "$del"; };
database = { type = "mysql"; socket = "$AW_MY_SOCKET"; name = "alfresco"; user = "$AW_MY_USER"; };
CONF
    # A run that does not finish within BENCH_MY_TIMEOUT seconds is reported as such.
    limit=${BENCH_MY_TIMEOUT:-900}
    not_finished() {
        echo
        printf '%-44s %10s\n' "alfwipe report --format json (PostgreSQL)" "$t_alfwipe"
        printf '%-44s %10s\n' "alfwipe report --format json (MariaDB)" "> $limit"
        echo "MariaDB: the report did not finish within $limit s (BENCH_MY_TIMEOUT)"
        exit 0
    }
    rc=0
    timeout "$limit" "$ALFWIPE" -c "$dir/alfwipe-my.conf" --now "$NOW" report --format json \
        >/dev/null || rc=$?
    [ "$rc" = 124 ] && not_finished
    t0=$(now)
    rc=0
    /usr/bin/time -f '%M' -o "$dir/rss-my" timeout "$limit" "$ALFWIPE" -c "$dir/alfwipe-my.conf" \
        --now "$NOW" report --format json --output "$dir/report-my.json" || rc=$?
    t1=$(now)
    [ "$rc" = 124 ] && not_finished
    t_my=$(secs "$t0" "$t1")
    if [ ! -s "$dir/report-my.json" ]; then
        echo "MariaDB: the report failed after $t_my s (see the message above); not compared"
        exit 0
    fi
    rss_my=$(tail -n 1 "$dir/rss-my")
    items_my=$(grep -c '"class"' "$dir/report-my.json" 2>/dev/null || true)
    echo
    printf '%-44s %10s\n' "alfwipe report --format json (PostgreSQL)" "$t_alfwipe"
    printf '%-44s %10s\n' "alfwipe report --format json (MariaDB)" "$t_my"
    echo "$t_my $t_alfwipe $rss_my" | awk '{
        printf "MariaDB / PostgreSQL:   %.2fx\n", $1 / $2;
        printf "alfwipe peak RSS (MariaDB): %.0f MiB\n", $3 / 1024 }'
    echo "items in the JSON report (MariaDB): $items_my"
    summary_check "$dir/report-my.json" "$dir/m/expected.json"
fi
