#!/bin/sh
# Install the Debian packages that building, testing and the demo need, when missing.
# Runs as root on a fresh Debian machine; does nothing when everything is there.
set -eu
PKGS="build-essential pkg-config libpq-dev default-libmysqlclient-dev libconfig-dev
libcurl4-openssl-dev libcmocka-dev libssl-dev libjansson-dev zlib1g-dev postgresql
mariadb-server valgrind python3 e2fsprogs btrfs-progs strace util-linux procps time"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing Debian packages:$missing" >&2
    echo "hint: Run 'sudo sh scripts/install-deps.sh' or install them with apt-get." >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Keep the packaged servers from starting: the tests start their own throwaway instances.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends $missing
