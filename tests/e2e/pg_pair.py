"""A PostgreSQL primary and its streaming replica, started by the test from Debian's binaries
(initdb, pg_basebackup, pg_ctl) in a temporary folder on two free ports, as the `postgres`
user; the machine's own server is left alone. Stopped and removed after."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def _bin(name: str) -> str:
    found = sorted(str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    assert found, f"Debian's PostgreSQL binaries are not installed ({name})"
    return found[-1]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command[0]}: {done.stderr}"


@dataclass(frozen=True)
class PgPair:
    primary_url: str
    replica_url: str


@contextmanager
def primary_and_replica() -> Iterator[PgPair]:
    base = Path(tempfile.mkdtemp(prefix="cadenza-pg-", dir="/tmp"))
    base.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary, replica = base / "primary", base / "replica"
    p_port, r_port = _port(), _port()
    started: list[Path] = []
    try:
        _as_postgres(_bin("initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres", "-N")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {p_port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{base}'\nwal_level = replica\n"
                "max_wal_senders = 4\nfsync = off\nhot_standby = on\n"
            )
        _as_postgres(_bin("pg_ctl"), "-D", str(primary), "-l", f"{base}/primary.log", "-w", "start")
        started.append(primary)
        _as_postgres(
            _bin("createdb"), "-h", "127.0.0.1", "-p", str(p_port), "-U", "postgres", "cadenza"
        )
        _as_postgres(
            _bin("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(p_port), "-U", "postgres"),
            *("-D", str(replica), "-R", "-X", "stream", "-c", "fast", "-N"),
        )
        with (replica / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {r_port}\n")
        _as_postgres(_bin("pg_ctl"), "-D", str(replica), "-l", f"{base}/replica.log", "-w", "start")
        started.append(replica)
        url = "postgresql+psycopg://postgres@127.0.0.1:{}/cadenza"
        yield PgPair(url.format(p_port), url.format(r_port))
    finally:
        for folder in reversed(started):
            subprocess.run(
                [
                    *(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                    _bin("pg_ctl"),
                    "-D",
                    str(folder),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)
