#!/bin/sh
# Throwaway MariaDB for tests and demos: 'mytmp.sh start DIR' creates a data directory in
# DIR/my owned by an unprivileged account, starts mariadbd on a Unix socket DIR/my.sock and a
# free port on 127.0.0.1, creates the account 'alfwipe' WITHOUT a password that may do
# anything (create databases, users, grants) from localhost and 127.0.0.1, and prints
# 'export AW_MY_SOCKET=... AW_MY_PORT=... AW_MY_USER=...' lines (also kept in DIR/my.env).
# 'mytmp.sh stop DIR' shuts it down. Server log: DIR/my.err.
set -eu
TMPSRV_NAME=mytmp
. "$(dirname "$0")/tmpsrv-lib.sh"

MY_USER=alfwipe

need() {
    command -v "$1" >/dev/null 2>&1 ||
        tmpsrv_die "'$1' not found; install it with 'apt-get install mariadb-server mariadb-client'"
}

# mariadb-admin against the socket as the install's root account (no password: created with
# --auth-root-authentication-method=normal).
admin() {
    mariadb-admin --no-defaults --socket="$dir/my.sock" -uroot "$@"
}

start() {
    dir=$1
    need mariadbd
    need mariadb-install-db
    need mariadb-admin
    need mariadb
    tmpsrv_user
    tmpsrv_prepare_dir "$dir"
    dir=$(tmpsrv_abs "$dir")
    [ ${#dir} -le 90 ] || tmpsrv_die "'$dir' is too long for a Unix socket path; use a shorter DIR"
    if [ -f "$dir/my.pid" ] && kill -0 "$(cat "$dir/my.pid")" 2>/dev/null; then
        tmpsrv_die "a server already runs in '$dir'; run 'mytmp.sh stop $dir' first"
    fi
    if [ ! -d "$dir/my/mysql" ]; then
        tmpsrv_as_user mariadb-install-db --no-defaults --datadir="$dir/my" \
            --auth-root-authentication-method=normal --skip-test-db \
            >"$dir/install-db.log" 2>&1 ||
            {
                rc=$?
                # stopped by a signal (Ctrl-C): no log to show, the caller cleans up
                [ $rc -gt 128 ] && exit $rc
                cat "$dir/install-db.log" >&2
                tmpsrv_die "mariadb-install-db failed in '$dir/my'"
            }
    fi
    # Temporary tables and sort files stay in the server's own directory: a cleaner of /tmp
    # (or a test removing its files there) must not pull them away in the middle of a query.
    tmpsrv_prepare_dir "$dir/tmp"
    tries=0
    while :; do
        tries=$((tries + 1))
        port=$(tmpsrv_free_port)
        rm -f "$dir/my.err" "$dir/my.pid"
        # Durability off: throwaway data, quick bulk loads. setsid: the server outlives this
        # script and stays out of the caller's process group.
        # The background subshell lets go of the caller's stdout first: a caller reading
        # this script's output through $(...) would otherwise wait for the server to exit.
        (
            exec </dev/null >/dev/null 2>&1
            tmpsrv_as_user setsid mariadbd --no-defaults --datadir="$dir/my" \
                --socket="$dir/my.sock" --port="$port" --bind-address=127.0.0.1 \
                --pid-file="$dir/my.pid" --log-error="$dir/my.err" --tmpdir="$dir/tmp" \
                --skip-log-bin \
                --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
                --innodb-buffer-pool-size=256M --max-connections=50 --local-infile=1 \
                --skip-name-resolve
        ) &
        i=0
        up=0
        while [ $i -lt 120 ]; do
            if admin ping >/dev/null 2>&1; then
                up=1
                break
            fi
            if grep -q 'Aborting\|Bind on TCP/IP port' "$dir/my.err" 2>/dev/null; then
                break
            fi
            sleep 0.5
            i=$((i + 1))
        done
        [ $up = 1 ] && break
        if [ $tries -ge 5 ] || ! grep -q 'Bind on TCP/IP port\|Address already in use' \
            "$dir/my.err" 2>/dev/null; then
            tail -n 20 "$dir/my.err" >&2 2>/dev/null || true
            tmpsrv_die "MariaDB did not start in '$dir/my' (log: $dir/my.err)"
        fi
        sleep 0.5
    done
    mariadb --no-defaults --socket="$dir/my.sock" -uroot -e "
        CREATE USER IF NOT EXISTS '$MY_USER'@'localhost';
        CREATE USER IF NOT EXISTS '$MY_USER'@'127.0.0.1';
        GRANT ALL PRIVILEGES ON *.* TO '$MY_USER'@'localhost' WITH GRANT OPTION;
        GRANT ALL PRIVILEGES ON *.* TO '$MY_USER'@'127.0.0.1' WITH GRANT OPTION;" ||
        tmpsrv_die "could not create the account '$MY_USER' in '$dir/my'"
    cat >"$dir/my.env" <<ENV
export AW_MY_SOCKET='$dir/my.sock'
export AW_MY_PORT='$port'
export AW_MY_USER='$MY_USER'
ENV
    cat "$dir/my.env"
}

stop() {
    dir=$1
    [ -d "$dir/my" ] || return 0
    if [ -f "$dir/my.pid" ]; then
        pid=$(cat "$dir/my.pid")
        admin shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null; do
            i=$((i + 1))
            [ $i -ge 120 ] && { kill -9 "$pid" 2>/dev/null || true; break; }
            sleep 0.5
        done
    fi
    rm -f "$dir/my.env"
}

[ $# -eq 2 ] || { echo "usage: mytmp.sh start|stop DIR" >&2; exit 2; }
case $1 in
start) start "$2" ;;
stop) stop "$2" ;;
*) echo "usage: mytmp.sh start|stop DIR" >&2; exit 2 ;;
esac
