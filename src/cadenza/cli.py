"""`cadenza serve | ingest | demo`: the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cadenza.cli_console import err
from cadenza.cli_engine import EngineOption, MasterOption, engine_choice
from cadenza.cli_groups import GroupsOnDemand
from cadenza.domain.accounts import Role
from cadenza.domain.errors import CadenzaError
from cadenza.domain.plans import Plan, parse_plan

# Each command imports what it needs when it runs, so `cadenza --help` or `cadenza users list`
# do not pay for the web framework or the audio libraries (about 2 s on a small machine).
if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from cadenza.bootstrap import App
    from cadenza.ingest.library import LibraryReport
    from cadenza.ingest.pipeline import IngestTools
    from cadenza.jobs.on_archive import EngineChoice


def __getattr__(name: str) -> object:
    """The demo's names, where they were before cadenza.cli_demo (imported only when asked)."""
    if name in ("DEMO_PASSWORD", "build_demo", "demo_users"):
        from cadenza import cli_demo

        return getattr(cli_demo, name)
    raise AttributeError(name)


cli = typer.Typer(
    help="Cadenza: a self-hostable music streaming server.",
    no_args_is_help=True,
    cls=GroupsOnDemand,  # `ads`, `podcasts`, ... (cli_groups.py): imported when named
)


def progress_bar(console: Console | None = None) -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console or err.console,
        transient=False,
    )


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    demo: Annotated[
        bool, typer.Option(help="Serve the demo catalog too, published as it is built")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="HTTP processes on the port (default CADENZA_WORKERS, 1)"),
    ] = None,
) -> None:
    """Serve whatever the data dir holds (and the demo catalog, with --demo)."""
    from cadenza.serve import ServeRefused, serve

    try:  # `cadenza serve` itself starts without Typer (cadenza/entry.py): this is its help
        serve(host, port, demo, workers)
    except ServeRefused as refused:
        err.print(f"[red]{refused}[/]")
        raise typer.Exit(2) from None


@cli.command()
def worker() -> None:
    """Run only the background work (mail queue, billing and popularity clocks, unfinished
    deliveries), for a deployment whose HTTP nodes have CADENZA_BACKGROUND=false."""
    import signal
    import threading

    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    stop = app.start_background()
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    err.print("[bold green]Cadenza's background work is running[/] (Ctrl-C to stop)")
    done.wait()
    stop()
    app.close()


@cli.command()
def demo() -> None:
    """Build the demo catalog (generated on this machine) and load it. Reused when built."""
    from cadenza.bootstrap import bootstrap
    from cadenza.cli_demo import build_demo

    app = bootstrap()
    try:
        build_demo(app)
    finally:
        app.close()


@cli.command()
def play(
    server: Annotated[
        str, typer.Option(envvar="CADENZA_PLAY_SERVER", help="The Cadenza server's address")
    ] = "http://127.0.0.1:8000",
    email: Annotated[str | None, typer.Option(envvar="CADENZA_EMAIL")] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="FILE.wav or null (default: the sound card)"),
    ] = None,
    release: Annotated[int | None, typer.Option(help="Start playing this release")] = None,
    track: Annotated[list[int] | None, typer.Option(help="Start playing these tracks")] = None,
    quality: Annotated[
        str | None, typer.Option(help="low, normal, high, very_high, lossless")
    ] = None,
    cache_mb: Annotated[
        int | None, typer.Option(help="Disk cache size (default: 10% of free space, 50 MB-10 GB)")
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Where the player keeps its files")] = None,
    name: Annotated[str, typer.Option(help="This device's name")] = "Terminal player",
    download_release: Annotated[
        int | None, typer.Option(help="First keep this release for offline listening (Premium)")
    ] = None,
    peers: Annotated[
        bool, typer.Option(help="Fetch from and serve to other listeners (--no-peers: opt out)")
    ] = True,
    upload_limit: Annotated[
        int, typer.Option(help="Upload limit to peers in KB/s, all uploads together (0: none)")
    ] = 0,
    max_uploads: Annotated[int, typer.Option(help="Peers served at once")] = 4,
    peer_port: Annotated[int, typer.Option(help="Port to serve peers on (0: any free)")] = 0,
) -> None:
    """The terminal player: a Cadenza device the web player can control (space, n/p, arrows,
    +/-, q)."""
    from cadenza.cli_play import run_play

    run_play(
        server,
        email,
        output,
        release,
        track or [],
        quality,
        cache_mb,
        data_dir,
        name,
        download_release,
        peers=peers,
        upload_kb_s=upload_limit,
        max_uploads=max_uploads,
        peer_port=peer_port,
    )


@cli.command()
def ingest(
    path: Annotated[
        Path,
        typer.Argument(help="A release folder, a .zip, a whole music library, or a DDEX batch"),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    distributor: Annotated[
        str | None, typer.Option(help="Who delivers it (default: CADENZA_DISTRIBUTOR_NAME)")
    ] = None,
) -> None:
    """Ingest a release or a library: only new or changed files are processed."""
    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        result = _ingest(app, path.expanduser(), distributor, quiet=as_json)
    except CadenzaError as exc:
        if as_json:
            typer.echo(
                json.dumps({"error": {"code": exc.code, "message": exc.message, "file": exc.file}})
            )
        else:
            err.print(f"[red]refused[/] {exc.file or path}: {exc.message} ({exc.code})")
        raise typer.Exit(2) from None
    finally:
        app.close()
    if as_json:
        typer.echo(json.dumps(result))
    if result.get("refused"):
        raise typer.Exit(1)


def _ingest(
    app: App,
    path: Path,
    distributor: str | None,
    *,
    quiet: bool,
    opus_complexity: int | None = None,
) -> dict[str, object]:
    from cadenza.ingest.ddex.batch import is_ddex_batch
    from cadenza.ingest.delivery import ingest_delivery
    from cadenza.ingest.library import LibraryIngest

    distributor_id = app.distributor_id(distributor)
    tools = app.ingest_tools(opus_complexity)
    if is_ddex_batch(path):
        return _ingest_ddex(app, tools, path, distributor_id, quiet=quiet)
    if path.is_file():
        with progress_bar() as bar:
            task = bar.add_task(f"Ingesting {path.name}", total=None)
            done = ingest_delivery(
                tools,
                path,
                distributor_id,
                limits=app.zip_limits,
                strict_cover=False,
                progress=lambda n: bar.advance(task, n),
                on_start=lambda total: bar.update(task, total=total),
            )
        return {"release_id": done.release_id, "track_ids": done.track_ids, "refused": []}
    library = LibraryIngest(tools, distributor_id)
    sources, report = library.plan(path)
    total = sum(len(s.files) for s in sources)
    with progress_bar() as bar:
        task = bar.add_task(f"Ingesting {path.name or path}", total=total)
        library.run(sources, report, progress=lambda n: bar.advance(task, n))
    if not quiet:
        _print_report(report)
    return _report_json(app, report)


def _ingest_ddex(
    app: App, tools: IngestTools, path: Path, distributor_id: int, *, quiet: bool
) -> dict[str, object]:
    """A DDEX batch: each message acknowledged (published, taken down) or refused with its
    errors; a refused message changes nothing."""
    from cadenza.ingest.ddex.batch import DdexBatch

    batch = DdexBatch(
        tools,
        distributor_id,
        app.ddex.availability(),
        limits=app.zip_limits,
        strict_cover=False,
    )
    with progress_bar() as bar:
        task = bar.add_task(f"Ingesting DDEX batch {path.name}", total=None)
        report = batch.run(path, progress=lambda n: bar.advance(task, n))
    if not quiet:
        for m in report.messages:
            ids = f" release {m.release_id}" if m.release_id is not None else ""
            colour = "red" if m.status == "error" else "green"
            err.print(f"[{colour}]{m.status}[/] {m.file}{ids}")
            for e in m.errors:
                err.print(f"  {e.xpath}: {e.message}")
            for w in m.warnings:
                err.print(f"  [yellow]note[/] {w}")
    return report.as_json()


def _print_report(report: LibraryReport) -> None:
    err.print(
        f"added {len(report.added)} releases, changed {len(report.changed)}, "
        f"{report.changed_files} files changed, {report.decoded_files} decoded, "
        f"{report.unchanged_files} files unchanged ({report.same_content} of them touched, "
        f"recognised by their content), {len(report.refused)} refused"
    )
    for path, exc in report.refused:
        err.print(f"[red]refused[/] {path}: {exc.message} ({exc.code})")
    if report.missing_files:
        err.print(f"{len(report.missing_files)} files seen before are gone (kept in the catalog)")


def _report_json(app: App, report: LibraryReport) -> dict[str, object]:
    releases = [{"release_id": r.release_id, "track_ids": r.track_ids} for r in report.releases]
    if not releases and report.unchanged_track_ids:
        releases = _releases_of(app, report.unchanged_track_ids)
    result: dict[str, object] = {
        "releases": releases,
        "added": len(report.added),
        "changed": len(report.changed),
        "unchanged_files": report.unchanged_files,
        "same_content": report.same_content,
        "changed_files": report.changed_files,
        "decoded_files": report.decoded_files,
        "refused": [{"file": p, "code": e.code, "message": e.message} for p, e in report.refused],
    }
    if len(releases) == 1:
        result |= releases[0]
    return result


def _releases_of(app: App, track_ids: list[int]) -> list[dict[str, object]]:
    with app.uow() as uow:
        release_ids = sorted({t.release_id for i in track_ids if (t := uow.catalog.track(i))})
        if len(release_ids) != 1:
            return [{"release_id": r} for r in release_ids]
        release = uow.catalog.release(release_ids[0])
        assert release is not None
        return [{"release_id": release.id, "track_ids": [t.id for t in release.tracks]}]


users = typer.Typer(help="Accounts, for operators.", no_args_is_help=True)
cli.add_typer(users, name="users")


@users.command("create")
def users_create(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    plan: Annotated[
        str, typer.Option(help="The plan, granted free of charge: " + ", ".join(Plan))
    ] = "free",
    role: Annotated[
        list[Role] | None, typer.Option(help="listener, artist, distributor, admin, advertiser")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    country: Annotated[str, typer.Option(help="ISO 3166-1 country code, e.g. GB")] = "US",
    birth_date: Annotated[
        str, typer.Option(help="YYYY-MM-DD; the account holder must be 13 or older")
    ] = "2000-01-01",
) -> None:
    """Create a verified account. The password comes on standard input, never as an argument."""
    if not password_stdin:
        err.print("[red]give the password on standard input with --password-stdin[/]")
        raise typer.Exit(2)
    try:
        born = date.fromisoformat(birth_date)
    except ValueError:
        err.print(f"[red]refused[/]: {birth_date!r} is not a date as YYYY-MM-DD (invalid_date)")
        raise typer.Exit(2) from None
    password = sys.stdin.readline().rstrip("\n")
    with _operator_app() as app:
        granted = parse_plan(plan)
        account = app.accounts.create(
            email,
            password,
            roles=role or [Role.LISTENER],
            display_name=name,
            country=country,
            birth_date=born,
        )
        app.subscriptions.grant(account.id, granted)
        account = app.accounts.profile(account.id)
    typer.echo(
        f"{account.id}\t{account.email}\t{account.plan}\t{','.join(account.roles)}\t"
        f"{account.country}\t{account.birth_date.isoformat()}"
    )


@contextmanager
def _operator_app() -> Iterator[App]:
    """The app for one operator command: a refusal is printed with its code, exit status 2."""
    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        yield app
    except CadenzaError as exc:
        err.print(f"[red]refused[/]: {exc.message} ({exc.code})")
        raise typer.Exit(2) from None
    finally:
        app.close()


@users.command("list")
def users_list() -> None:
    """Every account: id, e-mail, plan, roles, state."""
    from cadenza.adapters.db.account_lines import account_lines
    from cadenza.database_only import database_only

    with database_only() as connection:  # the driver only: no SQLAlchemy, no App
        for a in account_lines(connection):
            state = "disabled" if a.disabled else ("locked" if a.locked else "active")
            typer.echo(f"{a.id}\t{a.email}\t{a.plan}\t{','.join(a.roles)}\t{state}")


@users.command("disable")
def users_disable(email: str) -> None:
    """Disable an account: every session and API key ends."""
    from cadenza.services.admin import OPERATOR

    with _operator_app() as app:
        app.admin.disable(OPERATOR, app.admin.id_of(email))
    typer.echo(f"disabled {email}")


@users.command("enable")
def users_enable(email: str) -> None:
    """Let a disabled account sign in again."""
    from cadenza.services.admin import OPERATOR

    with _operator_app() as app:
        app.admin.enable(OPERATOR, app.admin.id_of(email))
    typer.echo(f"enabled {email}")


@users.command("reset-2fa")
def users_reset_two_factor(email: str) -> None:
    """Turn two-factor off for an owner who lost both the app and the recovery codes."""
    from cadenza.services.admin import OPERATOR

    with _operator_app() as app:
        app.admin.reset_two_factor(OPERATOR, app.admin.id_of(email))
    typer.echo(f"two-factor is off for {email}")


@users.command("force-reset")
def users_force_reset(
    file: Annotated[Path, typer.Argument(help="E-mail addresses, one a line", exists=True)],
) -> None:
    """After a leak elsewhere: each listed account's sessions end, its password stops working
    and its owner is mailed a reset link. Prints how many accounts were found."""
    from cadenza.services.admin import OPERATOR

    lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    emails = list(dict.fromkeys(e.strip().casefold() for e in lines if e.strip()))
    found = 0
    with _operator_app() as app, progress_bar() as bar:
        task = bar.add_task("forcing password resets", total=len(emails))
        for email in emails:
            found += app.passwords.force_reset(OPERATOR, email)
            bar.advance(task)
    typer.echo(f"{found} of {len(emails)} addresses have an account: each must reset its password")


@users.command("plan")
def users_plan(
    email: str,
    plan: Annotated[str, typer.Argument(help="The plan, free of charge: " + ", ".join(Plan))],
    end_paid: Annotated[
        bool,
        typer.Option(
            "--end-paid", help="End a period the listener paid for now (nothing is refunded)"
        ),
    ] = False,
) -> None:
    """Give or take a plan by hand (free means no plan): it holds at once, and downloads
    made on the old plan go at their device's next check-in."""
    from cadenza.services.admin import OPERATOR

    with _operator_app() as app:
        chosen = parse_plan(plan)
        done = app.plan_grants.set_plan(OPERATOR, app.admin.id_of(email), chosen, end_paid=end_paid)
    line = f"{done.account.email}: {done.was.value} -> {done.account.plan}"
    if done.ended_paid:
        line += " (the subscription ended: nothing more is charged)"
    if done.others_ended:
        line += f" ({done.others_ended} other accounts on the plan are on Free now)"
    typer.echo(line)


@users.command("link-artist")
def users_link_artist(email: str, artist_id: int) -> None:
    """Let an artist account speak for a catalog artist (the id in /api/v1/artists/ID)."""
    from cadenza.services.admin import OPERATOR

    with _operator_app() as app:
        linked = app.admin.link_artist(OPERATOR, app.admin.id_of(email), artist_id)
    typer.echo(f"{email} speaks for: " + ", ".join(f"{a.name} ({a.id})" for a in linked))


@users.command("unlink-artist")
def users_unlink_artist(email: str, artist_id: int) -> None:
    from cadenza.services.admin import OPERATOR

    with _operator_app() as app:
        app.admin.unlink_artist(OPERATOR, app.admin.id_of(email), artist_id)
    typer.echo(f"{email} no longer speaks for artist {artist_id}")


billing = typer.Typer(help="The billing clock: renewals, retries, cancellations.")
cli.add_typer(billing, name="billing")


@billing.command("run")
def billing_run() -> None:
    """Renew, retry, cancel and expire whatever is due now (the server also does it every
    CADENZA_BILLING_INTERVAL_S seconds). Safe to run at any time, twice, or beside the server."""
    _run_job("billing")


students = typer.Typer(help="Student status requests (Premium Student).", no_args_is_help=True)
cli.add_typer(students, name="students")


@students.command("list")
def students_list(
    status: Annotated[str, typer.Option(help="pending, approved or rejected")] = "pending",
) -> None:
    """Requests for student status: id, account, school, status, requested, valid until."""
    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        for r in app.students.queue(status):
            until = r.valid_until.date().isoformat() if r.valid_until else "-"
            typer.echo(
                f"{r.id}\t{r.user_id}\t{r.school}\t{r.status}\t{r.requested_at.date()}\t{until}"
            )
    finally:
        app.close()


@students.command("approve")
def students_approve(request_id: int) -> None:
    """Approve a request: student status for 12 months (four years at most in all)."""
    _decide_student(request_id, approve=True)


@students.command("reject")
def students_reject(request_id: int) -> None:
    _decide_student(request_id, approve=False)


def _decide_student(request_id: int, *, approve: bool) -> None:
    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        decided = app.students.decide(request_id, approve=approve)
    except CadenzaError as exc:
        err.print(f"[red]refused[/]: {exc.message} ({exc.code})")
        raise typer.Exit(2) from None
    finally:
        app.close()
    typer.echo(f"{decided.id}\t{decided.status}")


search = typer.Typer(help="The search index.", no_args_is_help=True)
cli.add_typer(search, name="search")


@search.command("reindex")
def search_reindex() -> None:
    """Index the whole catalog for search again (entries are otherwise kept current on publish)."""
    from cadenza.bootstrap import bootstrap

    app = bootstrap()
    try:
        total, _ = app.search.index_size()
        with progress_bar() as bar:
            task = bar.add_task("Indexing releases and artists", total=total)
            app.search.reindex(progress=lambda n: bar.advance(task, n))
        _, entries = app.search.index_size()
        err.print(f"indexed {entries} entries (tracks, releases, artists)")
    finally:
        app.close()


@search.command("popularity")
def search_popularity() -> None:
    """Roll up search popularity now (the server does it daily): streams of the last 28 days."""
    _run_job("search-popularity", to_stderr=True)


sessions = typer.Typer(help="Signed-in sessions and their refresh tokens.", no_args_is_help=True)
cli.add_typer(sessions, name="sessions")


@sessions.command("prune")
def sessions_prune() -> None:
    """Forget expired sessions with their refresh tokens, and expired e-mailed links and codes
    (the server also does it every CADENZA_SESSION_PRUNE_INTERVAL_S seconds). Safe at any time."""
    _run_job("sessions-prune")


job = typer.Typer(help="Batch jobs, by name.", no_args_is_help=True)
cli.add_typer(job, name="job")


@job.command("list")
def job_list() -> None:
    """Every job: its name and what it does."""
    from cadenza.jobs import JOBS

    for found in JOBS.values():
        typer.echo(f"{found.name}\t{found.summary}")


@job.command("run")
def job_run(name: str, engine: EngineOption = "embedded", master: MasterOption = None) -> None:
    """Run a job once now (`cadenza job list` names them). Safe beside the server.
    `--engine spark --master URL`: search-popularity, artist-stats (rebuilt whole) and
    recs-train on Apache Spark over the event archive."""
    chosen = engine_choice(engine, master)
    if chosen.embedded:
        _run_job(name)
    else:
        _run_on_archive(name, chosen)


def _run_on_archive(name: str, chosen: EngineChoice) -> None:
    from cadenza.bootstrap import bootstrap
    from cadenza.jobs.on_archive import ON_ARCHIVE

    run = ON_ARCHIVE.get(name)
    if run is None:
        known = ", ".join(sorted(ON_ARCHIVE))
        err.print(f"[red]{name} runs embedded only; on {chosen.engine}: {known}[/] (no_engine)")
        raise typer.Exit(2)
    app = bootstrap()
    engine = chosen.make()
    try:
        with progress_bar() as bar:
            bar.add_task(f"{name} on {chosen.engine}", total=None)
            said = run(app, engine)
    finally:
        engine.close()
        app.close()
    typer.echo(said)


def _run_job(name: str, *, to_stderr: bool = False) -> None:
    from cadenza.bootstrap import bootstrap
    from cadenza.jobs import find_job

    try:
        found = find_job(name)
    except CadenzaError as exc:
        err.print(f"[red]{exc.message}[/] ({exc.code})")
        raise typer.Exit(2) from None
    app = bootstrap()
    try:
        if found.total is None or to_stderr:
            report = found.run(app, None)
        else:
            with progress_bar() as bar:
                task = bar.add_task(found.name, total=found.total(app))
                report = found.run(app, lambda n: bar.advance(task, n))
    finally:
        app.close()
    if to_stderr:
        err.print(report.said)
    else:
        typer.echo(report.said)
    for error in report.errors:  # the rest of the job went on
        err.print(f"[red]{error}[/]")


def main() -> None:
    cli()
