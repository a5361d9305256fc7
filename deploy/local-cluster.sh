#!/bin/sh
# The multi-node layout of docs/deploy.md on this machine, on free loopback ports:
#   deploy/local-cluster.sh up [DIR] [--private-postgres] [--workers N]
#   deploy/local-cluster.sh status DIR
#   deploy/local-cluster.sh down DIR
# Two Cadenza nodes (node1 does the background work) behind nginx, PostgreSQL (a fresh
# database on 127.0.0.1:5432, CLUSTER_PG_ADMIN, or a private cluster with --private-postgres),
# a private Redis and NATS JetStream, moto's S3 server. nginx is installed with apt-get when
# missing (as bench/streaming.py does). CLUSTER_PORT picks nginx's port (default: a free one).
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
python=${CADENZA_PYTHON:-$here/.venv/bin/python}
if [ "$1" = up ] && [ ! -x /usr/sbin/nginx ]; then
    "$python" -c "import sys; sys.path.insert(0, '$here/bench'); import streaming; streaming.ensure_nginx()"
fi
exec "$python" "$here/deploy/local_cluster.py" "$@"
