"""Credential stuffing: how Cadenza's logins hold against replayed leaked passwords.

    python bench/credential_stuffing.py [--accounts 10000] [--attempts 50000] [--legit 200]
        [--ips 20] [--threads 48] [--max-attack-s 540]

1. Accounts (fresh data dir, SQLite): N verified accounts written through the project's own unit
   of work, 10% with two-factor (a TOTP secret). Argon2id costs about 0.15 s a password, so the
   accounts draw their passwords from a pool of 100 distinct strong ones and each distinct
   password is hashed once (accounts sharing a password share its hash string, salt included).
   The server cannot tell: every login still runs a full argon2 verification.
2. Legitimate users: a random sample of the accounts, each with a device it signed in on before
   (the device row is written directly, as a completed login leaves it) and its own source
   address (127.0.2.x, 127.0.3.x...). Two-factor users send their authenticator's current code.
3. The real server (`python -m cadenza serve`) runs as a subprocess on a free loopback port.
4. Attack: the leaked list holds `--attempts` e-mail/password pairs, 2% of them right (real
   e-mail, right password), the rest wrong passwords for real e-mails or unknown e-mails. They
   are POSTed to /api/v1/auth/token from `--ips` source addresses (127.0.1.1...; Linux lets a
   client bind any 127.x.y.z, so the server sees distinct client addresses with no proxy
   header), each with a new random device id, by `--threads` threads as fast as the server
   answers; Retry-After is ignored. Any 200 the attacker gets is an account taken over.
5. Meanwhile each legitimate user logs in once from its known device, the logins spread over the
   attack (login i fires when the attacker has sent (i + 0.5) / legit of its list).
6. Alerts: .eml files the outbox gained during the attack with the subject of the e-mailed
   sign-in code or of the new-device notice (headers only are read).

Client and server share this machine's cores, so attacker_rps is a lower bound for the server.
The attack stops after `--max-attack-s` even if the list is not exhausted (attacker_requests
says how far it got).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import func, select, update

from _results import PeakRss, write_results
from cadenza.adapters.db.models_accounts import AuditRow, LoginFailureRow, UserRow
from cadenza.adapters.security.totp import PyotpTotp
from cadenza.bootstrap import bootstrap
from cadenza.config import Settings
from cadenza.services.access_tokens import token_hash

TOKEN_PATH = "/api/v1/auth/token"
ALERT_SUBJECTS = {"Your Cadenza sign-in code", "New sign-in to your Cadenza account"}
PASSWORD_POOL = 100
RIGHT_SHARE = 0.02
TWO_FACTOR_SHARE = 0.10
COUNTRY = "GB"
ALPHABET = string.ascii_letters + string.digits


# -- the population -------------------------------------------------------------------------
@dataclass(frozen=True)
class LegitUser:
    email: str
    password: str
    device_id: str
    ip: str
    totp_secret: str | None


@dataclass(frozen=True)
class LeakedPair:
    email: str
    password: str
    right: bool


@dataclass
class Population:
    accounts: int
    two_factor: int
    legit: list[LegitUser]
    leaked: list[LeakedPair]
    seed_s: float


def attacker_ip(n: int) -> str:
    return f"127.0.1.{1 + n}"


def legit_ip(n: int) -> str:
    return f"127.0.{2 + n // 250}.{1 + n % 250}"


def strong_password(rng: random.Random) -> str:
    return "".join(rng.choices(ALPHABET, k=20))


def seed(settings: Settings, args: argparse.Namespace, rng: random.Random) -> Population:
    start = time.perf_counter()
    n = args.accounts
    app = bootstrap(settings)
    try:
        pool = [strong_password(rng) for _ in range(min(PASSWORD_POOL, n))]
        with ThreadPoolExecutor(os.cpu_count() or 1) as hashing:  # argon2 releases the GIL
            hashes = list(hashing.map(app.hasher.hash, pool))
        password_of = [rng.randrange(len(pool)) for _ in range(n)]
        emails = [f"user{i:06d}@example.com" for i in range(n)]
        totp = PyotpTotp()
        secrets_of = {
            i: totp.new_secret() for i in rng.sample(range(n), round(n * TWO_FACTOR_SHARE))
        }
        legit_idx = rng.sample(range(n), min(args.legit, n))
        legit: list[LegitUser] = []
        now = datetime.now(UTC)
        with app.uow() as uow:
            ids = []
            for i in range(n):
                account_id = uow.accounts.add(
                    emails[i], hashes[password_of[i]], f"User {i}", COUNTRY, date(1990, 1, 1)
                )
                assert account_id is not None  # a fresh database
                uow.accounts.mark_verified(account_id, now)
                ids.append(account_id)
            for i, secret in secrets_of.items():
                uow.session.execute(
                    update(UserRow).where(UserRow.id == ids[i]).values(totp_secret=secret)
                )
            for k, i in enumerate(legit_idx):
                device_id = "".join(rng.choices(ALPHABET, k=43))
                uow.sessions.save_device(ids[i], token_hash(device_id), "My phone", COUNTRY, now)
                legit.append(
                    LegitUser(
                        emails[i], pool[password_of[i]], device_id, legit_ip(k), secrets_of.get(i)
                    )
                )
            uow.commit()
    finally:
        app.close()
    return Population(
        n,
        len(secrets_of),
        legit,
        leaked_list(args, emails, pool, password_of, rng),
        time.perf_counter() - start,
    )


def leaked_list(
    args: argparse.Namespace,
    emails: list[str],
    pool: list[str],
    password_of: list[int],
    rng: random.Random,
) -> list[LeakedPair]:
    """2% right pairs (distinct accounts while there are enough), the rest wrong: half real
    e-mails with a password that is not theirs, half e-mails that have no account."""
    right = round(args.attempts * RIGHT_SHARE)
    n = len(emails)
    right_idx = rng.sample(range(n), right) if right <= n else rng.choices(range(n), k=right)
    pairs = [LeakedPair(emails[i], pool[password_of[i]], True) for i in right_idx]
    for k in range(args.attempts - right):
        if rng.random() < 0.5:
            pairs.append(LeakedPair(emails[rng.randrange(n)], strong_password(rng), False))
        else:
            pairs.append(LeakedPair(f"leak{k:06d}@mail.example", strong_password(rng), False))
    rng.shuffle(pairs)
    return pairs


# -- talking to the server ------------------------------------------------------------------
class Client:
    """One keep-alive HTTP/1.1 connection from a chosen loopback source address."""

    def __init__(self, port: int, source_ip: str, timeout: float) -> None:
        self.port, self.source_ip, self.timeout = port, source_ip, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None
    ) -> tuple[int, dict[str, Any] | list[Any]]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for retry in (False, True):
            fresh = self.conn is None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout, source_address=(self.source_ip, 0)
                )
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException):
                self.close()
                if fresh or retry:  # a kept-alive connection the server closed: once more
                    raise
                continue
            if (response.getheader("Connection") or "").lower() == "close":
                self.close()
            try:
                payload = json.loads(raw) if raw else {}
            except ValueError:
                payload = {"raw": raw[:200].decode("utf-8", "replace")}
            return response.status, payload
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def error_code(payload: dict[str, Any] | list[Any]) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        return str(payload["error"].get("code"))
    return "?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`python -m cadenza serve` on a free loopback port, its output in a log file."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.log_path = data_dir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = dict(os.environ, CADENZA_DATA_DIR=str(self.data_dir))
        for name in ("CADENZA_DATABASE_URL", "CADENZA_SMTP_URL"):  # SQLite and the outbox
            env.pop(name, None)
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "cadenza",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_path.read_text()[-2000:]}")
            try:
                status, _ = Client(self.port, "127.0.0.1", 2).request("GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("the server did not answer /healthz within 90 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log_problems(self) -> dict[str, int]:
        text = self.log_path.read_text(errors="replace")
        return {
            "server_log_5xx": sum(1 for line in text.splitlines() if '" 50' in line),
            "server_log_tracebacks": text.count("Traceback (most recent call last)"),
        }


# -- the attack -----------------------------------------------------------------------------
@dataclass
class AttackStats:
    statuses: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)  # what the right pairs got
    latencies: list[float] = field(default_factory=list)
    takeovers: list[str] = field(default_factory=list)
    requests: int = 0
    errors: int = 0

    def merge(self, other: AttackStats) -> None:
        self.statuses.update(other.statuses)
        self.right.update(other.right)
        self.latencies += other.latencies
        self.takeovers += other.takeovers
        self.requests += other.requests
        self.errors += other.errors


class Attack:
    def __init__(self, pairs: list[LeakedPair], port: int, ips: int, seed: int) -> None:
        self.pairs, self.port, self.ips, self.seed = pairs, port, ips, seed
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.taken = 0

    def _next(self) -> LeakedPair | None:
        with self._lock:
            if self.taken >= len(self.pairs) or self.stop.is_set():
                return None
            self.taken += 1
            return self.pairs[self.taken - 1]

    def worker(self, n: int) -> AttackStats:
        stats = AttackStats()
        rng = random.Random(self.seed * 1000 + n)
        client = Client(self.port, attacker_ip(n % self.ips), timeout=60)
        try:
            while (pair := self._next()) is not None:
                body = {
                    "email": pair.email,
                    "password": pair.password,
                    "device_id": "".join(rng.choices(ALPHABET, k=43)),
                    "device_name": "Chrome on Windows",
                }
                start = time.perf_counter()
                try:
                    status, payload = client.request("POST", TOKEN_PATH, body)
                except (OSError, http.client.HTTPException):
                    stats.errors += 1
                    continue
                stats.latencies.append(time.perf_counter() - start)
                stats.requests += 1
                outcome = str(status) if status in (200, 429) else f"{status} {error_code(payload)}"
                stats.statuses[outcome] += 1
                if pair.right:
                    stats.right[outcome] += 1
                if status == 200:
                    stats.takeovers.append(pair.email)
        finally:
            client.close()
        return stats


@dataclass(frozen=True)
class LegitResult:
    user: LegitUser
    outcome: str
    seconds: float
    access_token: str | None


def legit_login(user: LegitUser, port: int, totp: PyotpTotp) -> LegitResult:
    client = Client(port, user.ip, timeout=120)
    body: dict[str, Any] = {
        "email": user.email,
        "password": user.password,
        "device_id": user.device_id,
        "device_name": "My phone",
    }
    if user.totp_secret is not None:
        body["totp"] = totp.code_at(user.totp_secret, datetime.now(UTC))
    start = time.perf_counter()
    try:
        status, payload = client.request("POST", TOKEN_PATH, body)
    except (OSError, http.client.HTTPException) as exc:
        return LegitResult(user, f"error {type(exc).__name__}", time.perf_counter() - start, None)
    finally:
        client.close()
    seconds = time.perf_counter() - start
    if status == 200 and isinstance(payload, dict):
        return LegitResult(user, "200", seconds, str(payload["access_token"]))
    return LegitResult(user, f"{status} {error_code(payload)}", seconds, None)


def run_attack(
    pop: Population, port: int, args: argparse.Namespace
) -> tuple[AttackStats, float, list[LegitResult]]:
    attack = Attack(pop.leaked, port, args.ips, args.seed)
    totp = PyotpTotp()
    n_legit = len(pop.legit)
    legit_futures: list[Future[LegitResult]] = []
    start = time.perf_counter()
    attack_end = start
    with (
        ThreadPoolExecutor(args.threads, thread_name_prefix="attacker") as attackers,
        ThreadPoolExecutor(8, thread_name_prefix="legit") as legits,
    ):
        futures = [attackers.submit(attack.worker, n) for n in range(args.threads)]
        fired = 0
        while True:
            done = all(f.done() for f in futures)
            if done and attack_end == start:
                attack_end = time.perf_counter()
            progress = attack.taken / max(1, len(pop.leaked))
            while fired < n_legit and (done or progress >= (fired + 0.5) / n_legit):
                legit_futures.append(legits.submit(legit_login, pop.legit[fired], port, totp))
                fired += 1
            if done and fired == n_legit:
                break
            if time.perf_counter() - start > args.max_attack_s:
                attack.stop.set()
            time.sleep(0.02)
        stats = AttackStats()
        for f in futures:
            stats.merge(f.result())
        results = [f.result() for f in legit_futures]
    return stats, attack_end - start, results


# -- checks after the attack ----------------------------------------------------------------
def alerts_since(outbox: Path, before: set[str]) -> tuple[int, Counter[str]]:
    parser = BytesParser(policy=policy.default)
    subjects: Counter[str] = Counter()
    for path in outbox.glob("*.eml"):
        if path.name in before:
            continue
        with path.open("rb") as f:
            subjects[str(parser.parse(f, headersonly=True)["Subject"])] += 1
    return sum(c for s, c in subjects.items() if s in ALERT_SUBJECTS), subjects


def addresses_seen(settings: Settings) -> tuple[int, int]:
    """Distinct attacker addresses the login guard counted failures against, and distinct
    legitimate-user addresses in the audit log's sign-ins: what the server itself saw."""
    app = bootstrap(settings)
    try:
        with app.uow() as uow:
            attacker = uow.session.scalar(
                select(func.count(func.distinct(LoginFailureRow.key))).where(
                    LoginFailureRow.key.like("ip:127.0.1.%")
                )
            )
            legit = uow.session.scalar(
                select(func.count(func.distinct(AuditRow.ip))).where(
                    AuditRow.kind == "logged_in", AuditRow.ip.not_like("127.0.1.%")
                )
            )
    finally:
        app.close()
    return int(attacker or 0), int(legit or 0)


def preflight(port: int, pop: Population) -> None:
    """A right password from a new device must meet the e-mailed code (or the second factor):
    checked once on an account outside the legitimate sample before the clock starts."""
    legit = {u.email for u in pop.legit}
    for pair in pop.leaked:
        if pair.right and pair.email not in legit:
            client = Client(port, "127.0.4.1", timeout=60)
            body = {"email": pair.email, "password": pair.password, "device_id": "preflight"}
            status, payload = client.request("POST", TOKEN_PATH, body)
            client.close()
            if status != 401 or error_code(payload) not in ("email_code_required", "totp_required"):
                raise RuntimeError(f"preflight: a right password answered {status} {payload}")
            return


def check_security_events(port: int, results: list[LegitResult]) -> int:
    """1 when a legitimate user's own security events show the address it logged in from."""
    for r in results:
        if r.access_token is not None:
            client = Client(port, r.user.ip, timeout=60)
            status, events = client.request(
                "GET", "/api/v1/me/security-events", token=r.access_token
            )
            client.close()
            return int(
                status == 200
                and isinstance(events, list)
                and any(e.get("ip") == r.user.ip for e in events)
            )
    return 0


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--legit", type=int, default=200)
    parser.add_argument("--ips", type=int, default=20)
    parser.add_argument("--threads", type=int, default=48, help="attacker threads")
    parser.add_argument("--max-attack-s", type=float, default=540.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    args = parser.parse_args()
    if not 1 <= args.ips <= 250 or args.legit > 250 * 250:
        parser.error("--ips is 1 to 250")
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="cadenza-bench-stuffing-"))
    settings = Settings(data_dir=work, database_url=None, smtp_url=None)
    wall_start = time.perf_counter()
    try:
        pop = seed(settings, args, rng)
        print(
            f"seeded {pop.accounts} accounts ({pop.two_factor} with two-factor), "
            f"{len(pop.legit)} known devices in {pop.seed_s:.1f} s",
            flush=True,
        )
        with Server(work) as server:
            preflight(server.port, pop)
            outbox = work / "outbox"
            before = {p.name for p in outbox.glob("*.eml")}
            print(f"server on port {server.port}; attacking...", flush=True)
            assert server.proc is not None
            cpu_before = cpu_seconds(server.proc.pid), cpu_seconds(os.getpid())
            with PeakRss() as rss:
                stats, attack_s, legit = run_attack(pop, server.port, args)
            server_cpu = cpu_seconds(server.proc.pid) - cpu_before[0]
            client_cpu = cpu_seconds(os.getpid()) - cpu_before[1]
            events_ip_ok = check_security_events(server.port, legit)
        problems = server.log_problems()
        alerts, subjects = alerts_since(outbox, before)
        attacker_ips, legit_ips = addresses_seen(settings)
    finally:
        if args.keep:
            print(f"data dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    legit_ok = sum(1 for r in legit if r.outcome == "200")
    legit_outcomes = Counter(r.outcome for r in legit)
    legit_s = [r.seconds for r in legit]
    attacker_401 = sum(c for k, c in stats.statuses.items() if k.startswith("401"))
    attacker_5xx = sum(c for k, c in stats.statuses.items() if k.startswith("5"))
    figures: dict[str, float] = {
        "takeovers": len(stats.takeovers),
        "legit_success_rate": round(legit_ok / max(1, len(legit)), 4),
        "alerts_sent": alerts,
        "attacker_rps": round(stats.requests / attack_s, 1),
        "attacker_requests": stats.requests,
        "attacker_429": stats.statuses["429"],
        "attacker_401": attacker_401,
        "attacker_401_invalid_credentials": stats.statuses["401 invalid_credentials"],
        "attacker_401_email_code_required": stats.statuses["401 email_code_required"],
        "attacker_401_totp_required": stats.statuses["401 totp_required"],
        "attacker_5xx": attacker_5xx,
        "attacker_errors": stats.errors,
        "right_pairs_sent": sum(stats.right.values()),
        "right_pairs_past_throttle": sum(c for k, c in stats.right.items() if k != "429"),
        "attacker_p50_ms": round(percentile(stats.latencies, 0.5) * 1000, 1),
        "attacker_p99_ms": round(percentile(stats.latencies, 0.99) * 1000, 1),
        "legit_logins": len(legit),
        "legit_ok": legit_ok,
        "legit_p50_s": round(percentile(legit_s, 0.5), 3),
        "legit_p95_s": round(percentile(legit_s, 0.95), 3),
        "legit_max_s": round(max(legit_s, default=0.0), 3),
        "attacker_ips_seen": attacker_ips,
        "legit_ips_seen": legit_ips,
        "security_events_ip_ok": events_ip_ok,
        "server_log_5xx": problems["server_log_5xx"],
        "server_log_tracebacks": problems["server_log_tracebacks"],
        "accounts": pop.accounts,
        "two_factor_accounts": pop.two_factor,
        "attack_s": round(attack_s, 1),
        "seed_s": round(pop.seed_s, 1),
        "wall_s": round(time.perf_counter() - wall_start, 1),
        "server_cpu_s": round(server_cpu, 1),
        "client_cpu_s": round(client_cpu, 1),
        "cores": os.cpu_count() or 1,
        "peak_rss_mb": round(rss.peak_mb, 1),
    }
    notes = {
        "takeovers": "attacker requests answered 200 (target: 0)",
        "legit_success_rate": "legitimate logins from known devices answered 200 (target >= 0.999)",
        "alerts_sent": "sign-in code and new-device e-mails written during the attack",
        "attacker_rps": f"attacker requests answered per second, {args.threads} threads, {args.ips} IPs",
        "attacker_401": "all 401s; the three rows below split them by error code",
        "right_pairs_past_throttle": "right passwords that reached the password check (not 429)",
        "attacker_ips_seen": "distinct attacker addresses in the login guard's failure keys",
        "legit_ips_seen": "distinct non-attacker addresses in the audit log's sign-ins",
        "security_events_ip_ok": "1: a user's /me/security-events shows its own source address",
        "attack_s": f"attack wall time (stops at --max-attack-s {args.max_attack_s:g})",
        "server_cpu_s": "CPU seconds the server spent during the attack",
        "client_cpu_s": "CPU seconds the attacker and legitimate clients spent (same machine)",
        "peak_rss_mb": "this process and the server during the attack",
    }
    print(f"attacker outcomes: {dict(stats.statuses.most_common())}")
    print(f"right pairs: {dict(stats.right.most_common())}")
    print(f"legit outcomes: {dict(legit_outcomes.most_common())}")
    print(f"outbox during the attack: {dict(subjects.most_common())}")
    if stats.takeovers:
        print(f"TAKEN OVER: {stats.takeovers[:20]}")
    if len(pop.leaked) > stats.requests + stats.errors:
        print(f"the attack stopped after {args.max_attack_s:g} s, before the list was exhausted")
    write_results("credential_stuffing", figures, notes)


if __name__ == "__main__":
    main()
