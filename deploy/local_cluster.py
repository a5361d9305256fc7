"""The multi-node layout of docs/deploy.md on one machine, on free loopback ports: PostgreSQL
(a fresh database on the machine's server, or a private cluster from Debian's binaries),
a private Redis and NATS JetStream, moto's S3 server, two Cadenza nodes (the first does the
background work) and nginx in front of both. `deploy/local-cluster.sh up|down|status [DIR]`
runs it; bench/drills.py imports it to kill and restart the parts.

Everything it starts is recorded in DIR/cluster.json (ports, process ids, commands), so `down`
stops exactly those processes and nothing else on the machine."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")
NATS = Path("/usr/sbin/nats-server")
REDIS = Path("/usr/bin/redis-server")
PG_ADMIN = os.environ.get("CLUSTER_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
S3_KEY, S3_SECRET = "cadenza-cluster", "cadenza-cluster-secret"
# The secrets every node must share (made once, copied into each node's data dir).
KEYS = [
    "app-passwords.key",
    "challenge.key",
    "distributor.key",
    "download-signing.key",
    "offline-device.key",
    "offline-licence.key",
    "payments.key",
    "room-ticket.key",
    "sealed-secrets.key",
    "stream-link.key",
    "stream-ticket.key",
    "token-signing.key",
]
STATE = "cluster.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(port: int, path: str | None = None) -> bool:
    """The port accepts a connection (and answers 200 to GET path, when given)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            if path is None:
                return True
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n".encode())
            return s.recv(12).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def wait_port(port: int, path: str | None, pid: int | None, what: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if answers(port, path):
            return
        if pid is not None and not alive(pid):
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise RuntimeError(f"{what} exited: {tail}")
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer on 127.0.0.1:{port} within 180 s")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours counts as gone
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:  # not ours (started by an earlier `up`): a zombie is gone too
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.rsplit(")", 1)[1].split()[0] != "Z"


def load(folder: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads((folder / STATE).read_text())
    return state


def save(folder: Path, state: dict[str, Any]) -> None:
    (folder / STATE).write_text(json.dumps(state, indent=2))


def launch(folder: Path, state: dict[str, Any], name: str) -> int:
    """Start (or start again) the service `name` as recorded, in its own session so that it
    outlives `up`; its output goes to DIR/NAME.log."""
    svc = state["services"][name]
    env = dict(os.environ, **svc.get("env", {}))
    for drop in ("CADENZA_DATABASE_URL", "CADENZA_REPLICA_URL", "CADENZA_SMTP_URL"):
        if drop not in svc.get("env", {}):
            env.pop(drop, None)
    log = folder / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            svc["cmd"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(folder),
        )
    svc["pid"] = proc.pid
    save(folder, state)
    wait_port(svc["port"], svc.get("health"), proc.pid, name, log)
    return proc.pid


def stop(state: dict[str, Any], name: str, sig: int = signal.SIGTERM, wait_s: float = 20) -> None:
    svc = state["services"][name]
    pid = svc.get("pid")
    if not pid or not alive(pid):
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + wait_s
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        os.kill(pid, signal.SIGKILL)
        while alive(pid):
            time.sleep(0.05)


def as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{command[0]}: {done.stderr}")


def pg_bin(name: str) -> str:
    found = sorted(str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError(f"Debian's PostgreSQL binaries are not installed ({name})")
    return found[-1]


def private_postgres(folder: Path, state: dict[str, Any]) -> str:
    """A PostgreSQL cluster of our own (initdb as the postgres user) on a free port."""
    data = folder / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    data.chmod(0o700)
    port = free_port()
    as_postgres(pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-N")
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{data}'\nmax_connections = 300\nfsync = off\n"
        )
    state["postgres"] = {"private": True, "data": str(data), "port": port}
    pg_start(state)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def pg_start(state: dict[str, Any]) -> None:
    pg = state["postgres"]
    as_postgres(
        pg_bin("pg_ctl"), "-D", pg["data"], "-l", f"{pg['data']}/postgres.log", "-w", "start"
    )


def pg_stop(state: dict[str, Any], mode: str = "fast") -> None:
    pg = state["postgres"]
    as_postgres(pg_bin("pg_ctl"), "-D", pg["data"], "-m", mode, "-w", "stop")


def shared_postgres(state: dict[str, Any]) -> str:
    """A fresh database on the machine's server (CLUSTER_PG_ADMIN), dropped by `down`."""
    import psycopg

    name = f"cadenza_cluster_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    state["postgres"] = {"private": False, "database": name}
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


ACCESS_LOG = "nginx-access.log"
# One line per request, tab-separated: when it ended (unix s), method, path without the query,
# status, nginx's request time and the node's, the cache's verdict (HIT, MISS, - when not
# cached), the Range asked, the client's X-Drill-Play label (a play and its first range) and
# the node(s) asked.
LOG_FORMAT = (
    "$msec\\t$request_method\\t$uri\\t$status\\t$request_time\\t$upstream_response_time"
    "\\t$upstream_cache_status\\t$http_range\\t$http_x_drill_play\\t$upstream_addr"
)
AUDIO_LOCATION = r"^/api/v1/audio/[0-9a-f]{64}\.(opus|flac)$"


def nginx_conf(
    folder: Path, port: int, nodes: list[int], secret: str, access_log: bool = False
) -> str:
    """docs/nginx-accel.conf's proxy part, with both nodes in the upstream: a node that
    refuses connections or does not answer within the timeout is skipped for 2 s and the
    request goes to the other (a request already sent with a body is never sent twice). A
    node's own 5xx answers are passed on, not retried: a 503 because PostgreSQL or NATS is
    away would come from the other node too, and would only mark both nodes down.

    Granted audio is checked and sent by nginx, as a deployment with object storage does with
    a CDN or cache in front: nginx checks the grant's signature and expiry itself
    (`secure_link`, the secret CADENZA_STREAM_LINK_SECRET) and answers ranges from its own
    cache (DIR/nginx-cache), keyed by the content-addressed path and a 1 MiB slice, never by
    the query. A slice it lacks is fetched from a node with the listener's query, so the
    node's own grant check applies to the fill; the node reads it from the store.

    `access_log`: one line per request in DIR/nginx-access.log (LOG_FORMAT; bench/drills.py
    reads its timings); off otherwise, as docs/nginx-accel.conf's benchmarks run."""
    user = "user root;" if os.geteuid() == 0 else ""
    tmp = folder / "nginx-tmp"
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in nodes)
    logging = (
        f'log_format drill "{LOG_FORMAT}";\n    access_log {folder / ACCESS_LOG} drill;'
        if access_log
        else "access_log off;"
    )
    upstream = """proxy_pass http://cadenza;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;"""
    return f"""{user}
worker_processes 1;
worker_rlimit_nofile 65536;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 8192; }}
http {{
    {logging}
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    proxy_cache_path {folder}/nginx-cache levels=1:2 keys_zone=audio:10m max_size=1g
                     inactive=1d use_temp_path=off;
    upstream cadenza {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        client_max_body_size 2g;
        location = /nginx-health {{ return 200 "ok"; }}
        location / {{
            {upstream}
            proxy_request_buffering off;
            proxy_buffering off;
        }}
        # Granted audio: the grant checked here (404 stream_not_found, 403 grant_expired),
        # the bytes from nginx's cache; a missing 1 MiB slice is filled from a node, which
        # checks the grant again (the query goes with it) and reads the store. The blob's
        # path names its content, so a cached slice never goes stale; Cadenza's
        # "Cache-Control: private" is for the listener's browser and passed on to it.
        location ~ "{AUDIO_LOCATION}" {{
            secure_link $arg_sig,$arg_expires;
            secure_link_md5 "$secure_link_expires$uri$arg_play {secret}";
            if ($secure_link = "") {{ return 404; }}
            if ($secure_link = "0") {{ return 403; }}
            slice 1m;
            proxy_cache audio;
            proxy_cache_key $uri$slice_range;
            proxy_set_header Range $slice_range;
            proxy_cache_valid 200 206 1d;
            proxy_ignore_headers Cache-Control Expires Set-Cookie;
            proxy_hide_header Set-Cookie;  # one listener's answer is kept for all: no cookie
            proxy_hide_header X-Request-Id;  # nor the request id of the fill
            proxy_cache_lock on;
            proxy_cache_lock_timeout 10s;
            {upstream}
        }}
    }}
}}
"""


def up(
    folder: Path, private_pg: bool = False, workers: int = 1, access_log: bool = False
) -> dict[str, Any]:
    """Start the cluster in `folder`; `access_log`: nginx logs every request (nginx_conf)."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / STATE).exists():
        raise RuntimeError(f"{folder} already holds a cluster: run down first")
    folder.chmod(0o755)
    state: dict[str, Any] = {"folder": str(folder), "services": {}}
    save(folder, state)
    svcs = state["services"]
    py = sys.executable
    bin_dir = Path(py).parent

    redis_port, nats_port, s3_port = free_port(), free_port(), free_port()
    (folder / "redis").mkdir(exist_ok=True)
    svcs["redis"] = {
        "port": redis_port,
        "cmd": [
            str(REDIS),
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder / "redis"),
        ],
    }
    svcs["nats"] = {
        "port": nats_port,
        "cmd": [
            str(NATS),
            "-js",
            "-a",
            "127.0.0.1",
            "-p",
            str(nats_port),
            "-sd",
            str(folder / "nats"),
        ],
    }
    svcs["s3"] = {
        "port": s3_port,
        "health": "/moto-api/",
        "cmd": [str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
    }
    for name in ("redis", "nats", "s3"):
        launch(folder, state, name)

    from cadenza.adapters.blobs.s3 import s3_client

    endpoint = f"http://127.0.0.1:{s3_port}"
    s3_client(endpoint, "us-east-1", S3_KEY, S3_SECRET).create_bucket(Bucket="cadenza")

    database = private_postgres(folder, state) if private_pg else shared_postgres(state)
    save(folder, state)

    keys = folder / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    for key in KEYS:
        (keys / key).write_text(secrets.token_urlsafe(48))
    link_secret = (keys / "stream-link.key").read_text()
    common = {
        "CADENZA_DATABASE_URL": database,
        "CADENZA_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CADENZA_REDIS_PREFIX": "cadenza",
        "CADENZA_NATS_URL": f"nats://127.0.0.1:{nats_port}",
        "CADENZA_NATS_PREFIX": "cadenza",
        "CADENZA_BLOB_URL": "s3://cadenza/blobs",
        "CADENZA_S3_ENDPOINT_URL": endpoint,
        "CADENZA_S3_ACCESS_KEY_ID": S3_KEY,
        "CADENZA_S3_SECRET_ACCESS_KEY": S3_SECRET,
        "CADENZA_S3_DELIVERY": "proxy",  # to nginx's cache, which the listeners read
        "CADENZA_STREAM_LINK_SECRET": link_secret,  # nginx checks the grants too
        "CADENZA_FRONT_SENDS_AUDIO": "true",  # and sends cached audio: a grant is the proof
        "CADENZA_ACCESS_LOG": "false",
        "CADENZA_LOG_FORMAT": "json",
        "CADENZA_WORKERS": str(workers),
    }
    node_ports = []
    for n in (1, 2):
        data = folder / f"node{n}"
        data.mkdir(exist_ok=True)
        for key in KEYS:
            shutil.copy(keys / key, data / key)
            (data / key).chmod(0o600)
        port = free_port()
        node_ports.append(port)
        env = dict(common, CADENZA_DATA_DIR=str(data))
        env["CADENZA_BACKGROUND"] = "true" if n == 1 else "false"
        svcs[f"node{n}"] = {
            "port": port,
            "health": "/healthz",
            "env": env,
            "cmd": [py, "-m", "cadenza", "serve", "--host", "127.0.0.1", "--port", str(port)],
        }
        env_file = folder / f"node{n}.env"  # the grants' and the store's secrets: the owner's
        env_file.touch(mode=0o600)
        env_file.chmod(0o600)
        env_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())))
        launch(folder, state, f"node{n}")  # node1 first: it migrates the database

    (folder / "nginx-tmp").mkdir(exist_ok=True)
    nginx_port = int(os.environ.get("CLUSTER_PORT", "0")) or free_port()
    conf = folder / "nginx.conf"
    conf.touch(mode=0o600)
    conf.chmod(0o600)  # it holds the grants' secret (also when an earlier run left the file)
    conf.write_text(nginx_conf(folder, nginx_port, node_ports, link_secret, access_log))
    svcs["nginx"] = {
        "port": nginx_port,
        "health": "/nginx-health",
        "cmd": [
            str(NGINX),
            "-c",
            str(folder / "nginx.conf"),
            "-p",
            str(folder),
            "-g",
            "daemon off;",
        ],
    }
    launch(folder, state, "nginx")
    state["url"] = f"http://127.0.0.1:{nginx_port}"
    save(folder, state)
    return state


def down(folder: Path) -> None:
    state = load(folder)
    for name in ("nginx", "node2", "node1", "s3", "nats", "redis"):
        if name in state["services"]:
            sig = signal.SIGQUIT if name == "nginx" else signal.SIGTERM
            stop(state, name, sig)
    pg = state.get("postgres")
    if pg and pg.get("private"):
        with contextlib.suppress(RuntimeError):  # already stopped
            pg_stop(state)
    elif pg:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{pg["database"]}" WITH (FORCE)')
    (folder / STATE).unlink()


def describe(state: dict[str, Any]) -> str:
    lines = [f"Cadenza cluster in {state['folder']}", f"  listeners:   {state['url']}  (nginx)"]
    for name, svc in state["services"].items():
        up_now = "up" if svc.get("pid") and alive(svc["pid"]) else "DOWN"
        lines.append(f"  {name:<11}  127.0.0.1:{svc['port']:<6} pid {svc.get('pid')}  {up_now}")
    pg = state.get("postgres", {})
    where = f"private cluster port {pg.get('port')}" if pg.get("private") else pg.get("database")
    lines.append(f"  postgres     {where}")
    lines.append(f"  node settings: {state['folder']}/node1.env (background work), node2.env")
    lines.append(f"  logs: {state['folder']}/*.log")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("up", "down", "status"):
        print(
            "usage: local-cluster.sh up|down|status [DIR] [--private-postgres] [--workers N]"
            " [--access-log]"
        )
        return 2
    command, rest = argv[0], argv[1:]
    private = "--private-postgres" in rest
    access_log = "--access-log" in rest
    workers = 1
    if "--workers" in rest:
        workers = int(rest[rest.index("--workers") + 1])
        del rest[rest.index("--workers") : rest.index("--workers") + 2]
    args = [a for a in rest if not a.startswith("--")]
    if args:
        folder = Path(args[0]).resolve()
    elif command == "up":
        folder = Path(tempfile.mkdtemp(prefix="cadenza-cluster-"))
    else:
        print("give the cluster's folder (as `up` printed it)")
        return 2
    if command == "up":
        try:
            state = up(folder, private, workers, access_log)
        except Exception:
            if (folder / STATE).exists():
                down(folder)
            raise
        print(describe(state))
        print(f"stop it with: deploy/local-cluster.sh down {folder}")
    elif command == "down":
        if not (folder / STATE).exists():
            print(f"no cluster in {folder}")
            return 1
        down(folder)
        print(f"stopped the cluster in {folder}")
    else:
        if not (folder / STATE).exists():
            print(f"no cluster in {folder}")
            return 1
        print(describe(load(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
