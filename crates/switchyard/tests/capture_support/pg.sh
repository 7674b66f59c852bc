#!/usr/bin/env bash
# A private PostgreSQL cluster for the capture tests (loopback only, its own port and socket dir).
#   pg.sh start DIR PORT   initdb into DIR/data (wal_level=logical), start, wait until it accepts connections
#   pg.sh stop DIR         stop it (immediate)
# initdb and postgres refuse to run as root: as root the cluster belongs to the `postgres` user that the
# Debian package creates (DIR is chowned to it and the binaries run through runuser); as anyone else they
# run as that user. The binaries come from $SWITCHYARD_PG_BIN or the newest /usr/lib/postgresql/*/bin.
set -euo pipefail
cmd="$1"; dir="$2"
bin="${SWITCHYARD_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
    port="$3"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
timezone = 'UTC'
wal_sender_timeout = '10s'
fsync = off
synchronous_commit = off
CONF
    echo "host replication all 127.0.0.1/32 trust" >>"$dir/data/pg_hba.conf"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: pg.sh start DIR PORT | pg.sh stop DIR" >&2; exit 2 ;;
esac
