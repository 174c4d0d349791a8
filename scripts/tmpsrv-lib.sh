# Shared by pgtmp.sh and mytmp.sh (sourced, POSIX sh): the unprivileged account the throwaway
# database servers run as, a free loopback port, and running a command as that account.

# Account for the servers; initdb, postgres and mariadbd refuse to run as root.
TMPSRV_USER=${AW_TMPSRV_USER:-alfwipe-test}

tmpsrv_die() {
    echo "$TMPSRV_NAME: $*" >&2
    exit 1
}

# Create the account when missing (root only); as a non-root caller, run as oneself.
tmpsrv_user() {
    if [ "$(id -u)" != 0 ]; then
        TMPSRV_USER=$(id -un)
        return 0
    fi
    if ! id -u "$TMPSRV_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$TMPSRV_USER" >&2 ||
            tmpsrv_die "could not create the system user '$TMPSRV_USER'"
    fi
}

# Run "$@" as the server account.
tmpsrv_as_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$TMPSRV_USER" -- "$@"
    else
        "$@"
    fi
}

# Make DIR (created if needed) owned by the server account and reachable by it.
tmpsrv_prepare_dir() {
    mkdir -p "$1" || tmpsrv_die "could not create '$1'"
    if [ "$(id -u)" = 0 ]; then
        chown "$TMPSRV_USER" "$1" || tmpsrv_die "could not chown '$1' to '$TMPSRV_USER'"
    fi
    tmpsrv_as_user test -w "$1" -a -x "$1" ||
        tmpsrv_die "'$1' is not reachable by '$TMPSRV_USER'; make its parent directories" \
            "searchable (chmod o+x)"
}

# A port on 127.0.0.1 that nothing listens on right now (the caller retries if it is taken
# before the server binds it).
tmpsrv_free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Absolute path of DIR.
tmpsrv_abs() {
    (cd "$1" && pwd -P)
}
