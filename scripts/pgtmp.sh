#!/bin/sh
# Throwaway PostgreSQL for tests and demos: 'pgtmp.sh start DIR' creates a cluster in DIR/pg
# owned by an unprivileged account, trust authentication, superuser 'alfwipe', a Unix socket in
# DIR and a free port on 127.0.0.1, waits until it accepts connections and prints
# 'export AW_PG_HOST=... AW_PG_PORT=... AW_PG_USER=...' lines (also kept in DIR/pg.env).
# 'pgtmp.sh stop DIR' stops it. Server log: DIR/pg.log.
set -eu
TMPSRV_NAME=pgtmp
. "$(dirname "$0")/tmpsrv-lib.sh"

PG_SUPERUSER=alfwipe

pg_bindir() {
    for v in 15 16 17 14 13; do
        [ -x "/usr/lib/postgresql/$v/bin/initdb" ] && { echo "/usr/lib/postgresql/$v/bin"; return; }
    done
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
    tmpsrv_die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin;" \
        "install them with 'apt-get install postgresql'"
}

start() {
    dir=$1
    tmpsrv_user
    tmpsrv_prepare_dir "$dir"
    dir=$(tmpsrv_abs "$dir")
    bin=$(pg_bindir)
    # The socket path must fit in sun_path (107 bytes): DIR/.s.PGSQL.NNNNN
    [ ${#dir} -le 90 ] || tmpsrv_die "'$dir' is too long for a Unix socket path; use a shorter DIR"
    if [ -f "$dir/pg/postmaster.pid" ] && [ -f "$dir/pg.env" ]; then
        tmpsrv_die "a server already runs in '$dir'; run 'pgtmp.sh stop $dir' first"
    fi
    if [ ! -f "$dir/pg/PG_VERSION" ]; then
        tmpsrv_as_user "$bin/initdb" -D "$dir/pg" -A trust -U "$PG_SUPERUSER" -E UTF8 \
            --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
            rc=$?
            # stopped by a signal (Ctrl-C): no log to show, the caller cleans up
            [ $rc -gt 128 ] && exit $rc
            cat "$dir/initdb.log" >&2
            tmpsrv_die "initdb failed in '$dir/pg'"
        }
    fi
    tries=0
    while :; do
        tries=$((tries + 1))
        port=$(tmpsrv_free_port)
        # Durability off: these clusters hold throwaway data and bulk loads must be quick.
        if tmpsrv_as_user "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 60 \
            -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=2GB \
                -c max_connections=50" start >/dev/null 2>&1; then
            break
        fi
        if [ $tries -ge 5 ] || ! grep -qi 'could not bind\|address already in use\|could not create any' \
            "$dir/pg.log" 2>/dev/null; then
            tail -n 20 "$dir/pg.log" >&2 2>/dev/null || true
            tmpsrv_die "PostgreSQL did not start in '$dir/pg' (log: $dir/pg.log)"
        fi
    done
    "$bin/pg_isready" -q -h "$dir" -p "$port" -t 30 ||
        tmpsrv_die "PostgreSQL in '$dir/pg' does not accept connections"
    cat >"$dir/pg.env" <<ENV
export AW_PG_HOST='$dir'
export AW_PG_PORT='$port'
export AW_PG_USER='$PG_SUPERUSER'
ENV
    cat "$dir/pg.env"
}

stop() {
    dir=$1
    [ -d "$dir/pg" ] || return 0
    tmpsrv_user
    bin=$(pg_bindir)
    if [ -f "$dir/pg/postmaster.pid" ]; then
        tmpsrv_as_user "$bin/pg_ctl" -D "$dir/pg" -m fast -w -t 60 stop >/dev/null 2>&1 ||
            tmpsrv_die "could not stop PostgreSQL in '$dir/pg'"
    fi
    rm -f "$dir/pg.env"
}

[ $# -eq 2 ] || { echo "usage: pgtmp.sh start|stop DIR" >&2; exit 2; }
case $1 in
start) start "$2" ;;
stop) stop "$2" ;;
*) echo "usage: pgtmp.sh start|stop DIR" >&2; exit 2 ;;
esac
