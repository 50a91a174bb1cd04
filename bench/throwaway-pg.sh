# Sourced by the PostgreSQL benchmarks (replicas.sh, pace.sh): starts a
# throwaway PostgreSQL cluster on $PORT in a fresh folder under /tmp named
# after $PGDIR_PREFIX, with PostgreSQL's and Debian's default durability
# (fsync, synchronous_commit and full_page_writes on); only the port, the
# socket folder, loopback listening and max_connections=200 are set. It is
# stopped and deleted when the script exits.
#
# The server binaries come from /usr/lib/postgresql/<newest>/bin (Debian's
# `postgresql` package). initdb refuses to run as root: as root the cluster
# runs as the `postgres` user, and `as_pg` runs a command as that user.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DIR=$(mktemp -d "/tmp/$PGDIR_PREFIX.XXXXXX")

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$DIR/initdb.log"
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null; rm -rf "$DIR"' EXIT INT TERM
