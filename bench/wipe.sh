#!/bin/sh
# Benchmark of 'alfwipe wipe': the same files, cold cache each time (root drops the page cache),
# on one 1 GiB file and on 2,000 files of 64 KiB, against
#   - GNU shred -n 3 -u --remove=unlink (three writes, no verification, no sync of names),
#   - the raw limit: dd bs=4M oflag=direct writing three passes, each made durable
#     (conv=fdatasync), plus one iflag=direct read for the verification; and the same with the
#     bytes of dod-3 (00, FF, random) written by a small O_DIRECT loop, because virtual disks
#     that detect zero writes make an all-zero dd look faster than any real pass.
# alfwipe runs --method dod-3 --verify last (three passes, the last one read back from the
# device) with --no-db-check: the database check costs one connection per batch and is not
# what is measured here. Prints every time and the ratios.
#
# BENCH_DIR (default: a new directory under /var/tmp) must be on a local disk filesystem.
set -eu
ALFWIPE=${ALFWIPE:-$(cd "$(dirname "$0")/.." && pwd)/build/alfwipe}
[ -x "$ALFWIPE" ] || { echo "bench/wipe.sh: $ALFWIPE is not built; run 'make' first" >&2; exit 1; }
base=${BENCH_DIR:-/var/tmp}
dir=$(mktemp -d "$base/alfwipe-wipebench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
NSMALL=${NSMALL:-2000}

cold() {
    sync
    if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ]; then
        echo 3 > /proc/sys/vm/drop_caches
    else
        echo "bench/wipe.sh: not root: the page cache is not dropped (figures are warm)" >&2
    fi
}

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

store="$dir/alf_data"
del="$store/contentstore.deleted"
conf="$dir/alfwipe.conf"
cat > "$conf" <<EOF
alfresco = { dir_root = "$store"; };
wipe = { lock_file = "$dir/state/wipe.lock"; state_dir = "$dir/state";
         certificate = "$dir/state/certificate.jsonl"; operator = "bench"; };
EOF
mkdir -p "$store/contentstore" "$dir/state"

make_big() {
    rm -rf "$del"
    mkdir -p "$del/2024/1/1/1/1"
    dd if=/dev/urandom of="$dir/seed" bs=1M count=16 status=none
    : > "$del/2024/1/1/1/1/big.bin"
    i=0
    while [ $i -lt 64 ]; do cat "$dir/seed" >> "$del/2024/1/1/1/1/big.bin"; i=$((i + 1)); done
    touch -d '30 days ago' "$del/2024/1/1/1/1/big.bin"
}

make_small() {
    rm -rf "$del"
    head -c 65536 /dev/urandom > "$dir/seed64k"
    python3 - "$del" "$dir/seed64k" "$NSMALL" <<'EOF'
import os, sys, time
root, seed, n = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3])
t = time.time() - 30 * 86400
for i in range(n):
    d = os.path.join(root, "2024", "3", str(1 + i // 1000), str(i // 100 % 10), str(i % 50))
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, "%08d-0000-4000-8000-%012d.bin" % (i, i))
    with open(p, "wb") as f:
        f.write(seed[i % 7:] + seed[:i % 7])
    os.utime(p, (t, t))
EOF
}

# Three O_DIRECT passes of 00, FF and random data (4 MiB writes, fdatasync after each) and one
# O_DIRECT read: prints the seconds.
rawpat() {
    python3 - "$1" "$2" <<'EOF'
import mmap, os, sys, time
path, size = sys.argv[1], int(sys.argv[2])
bs = 4 << 20
bufs = [mmap.mmap(-1, bs) for _ in range(3)]
bufs[1].write(b"\xff" * bs)
bufs[2].write(os.urandom(bs))
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_DIRECT)
t0 = time.time()
for b in bufs:
    off = 0
    while off < size:
        n = min(bs, size - off)
        n = (n + 4095) // 4096 * 4096
        os.pwritev(fd, [memoryview(b)[:n]], off)
        off += n
    os.fdatasync(fd)
rb = mmap.mmap(-1, bs)
off = 0
while off < size:
    off += os.preadv(fd, [rb], off) or size
print("%.3f" % (time.time() - t0))
EOF
}

run_alfwipe() {
    cold
    t0=$(now)
    "$ALFWIPE" -q -c "$conf" wipe --method dod-3 --verify last --no-db-check
    t1=$(now)
    elapsed "$t0" "$t1"
}

echo "== alfwipe wipe benchmark in $dir ($(uname -r), $(nproc) CPUs)"
echo "-- one 1 GiB file"
make_big
a_big=$(run_alfwipe)
make_big
cold
t0=$(now)
shred -n 3 -u --remove=unlink "$del/2024/1/1/1/1/big.bin"
t1=$(now)
s_big=$(elapsed "$t0" "$t1")
make_big
cold
f="$del/2024/1/1/1/1/big.bin"
t0=$(now)
for p in 1 2 3; do
    dd if=/dev/zero of="$f" bs=4M count=256 oflag=direct conv=notrunc,fdatasync status=none
done
dd if="$f" of=/dev/null bs=4M iflag=direct status=none
t1=$(now)
r_big=$(elapsed "$t0" "$t1")
make_big
cold
r_big_p=$(rawpat "$f" 1073741824)

echo "-- $NSMALL files of 64 KiB"
make_small
a_small=$(run_alfwipe)
left=$(find "$del" -type f | wc -l)
[ "$left" = 0 ] || { echo "bench/wipe.sh: alfwipe left $left files" >&2; exit 1; }
make_small
cold
t0=$(now)
find "$del" -type f -exec shred -n 3 -u --remove=unlink {} +
t1=$(now)
s_small=$(elapsed "$t0" "$t1")
# what deleting the same files costs alone, nothing written: finding them in a cold cache and
# freeing their blocks (on a filesystem mounted with discard, also the discards)
make_small
cold
t0=$(now)
find "$del" -type f -delete
t1=$(now)
d_small=$(elapsed "$t0" "$t1")
make_small
cold
# the raw limit for the same bytes: one stream, three durable passes and one direct read
total=$((NSMALL * 64 / 1024))
t0=$(now)
for p in 1 2 3; do
    dd if=/dev/zero of="$dir/raw" bs=4M count=$((total / 4 + 1)) oflag=direct conv=fdatasync \
        status=none
done
dd if="$dir/raw" of=/dev/null bs=4M iflag=direct status=none
t1=$(now)
r_small=$(elapsed "$t0" "$t1")
r_small_p=$(rawpat "$dir/raw" $((NSMALL * 65536)))

printf '\n%-34s %10s %12s\n' "1 GiB file" "seconds" "MB/s of file"
for row in "alfwipe dod-3 --verify last:$a_big" "shred -n 3 -u --remove=unlink:$s_big" \
           "raw dd 3 x oflag=direct + read:$r_big" "raw 00/FF/random O_DIRECT + read:$r_big_p"; do
    name=${row%%:*}; t=${row##*:}
    printf '%-34s %10.2f %12.1f\n' "$name" "$t" "$(echo "1073.741824 / $t" | bc -l)"
done
printf 'alfwipe / raw dd limit: %.2fx, / raw dod-3 bytes: %.2fx (goal <= 1.5x); ' \
    "$(echo "$a_big / $r_big" | bc -l)" "$(echo "$a_big / $r_big_p" | bc -l)"
printf 'shred / alfwipe: %.2fx\n' "$(echo "$s_big / $a_big" | bc -l)"

printf '\n%-34s %10s %12s\n' "$NSMALL x 64 KiB" "seconds" "files/s"
for row in "alfwipe dod-3 --verify last:$a_small" "shred -n 3 -u --remove=unlink:$s_small" \
           "raw dd, same bytes as one stream:$r_small" \
           "raw 00/FF/random, one stream:$r_small_p" \
           "find -delete, nothing written:$d_small"; do
    name=${row%%:*}; t=${row##*:}
    printf '%-34s %10.2f %12.0f\n' "$name" "$t" "$(echo "$NSMALL / $t" | bc -l)"
done
printf 'alfwipe files/s / shred files/s: %.2fx (goal >= 3x); alfwipe / raw limit: %.2fx\n' \
    "$(echo "$s_small / $a_small" | bc -l)" "$(echo "$a_small / $r_small" | bc -l)"
printf 'the goal needs <= %.2f s; the same bytes as one raw stream take %.2f s (dd) or %.2f s ' \
    "$(echo "$s_small / 3" | bc -l)" "$r_small" "$r_small_p"
printf '(00/FF/random), and ' 
printf 'deleting the files alone %.2f s\n' "$d_small"
