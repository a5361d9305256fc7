"""PostgreSQL: the listening events partitioned by month (migration 0052), the coming months'
partitions made ahead, a resent event still kept once, and the rows of a month in its own
partition (an operator drops or archives a month whole). SQLite keeps one table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from cadenza.adapters.db.partitions import ensure_months, months, next_month, partition_name
from cadenza.bootstrap import App
from cadenza.domain.listening import EventKind, ListeningEvent


def event(client_id: str, at: datetime) -> ListeningEvent:
    return ListeningEvent(client_id, "play-1", EventKind.START, 1, "phone", 0, at)


def test_listening_events_are_kept_by_month(app: App) -> None:
    today = datetime.now(UTC).date()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    account = app.accounts.create("ada@example.org", "a long passphrase 1", roles=[]).id
    at_now = datetime.now(UTC) - timedelta(minutes=1)
    at_before = datetime.combine(last_month, datetime.min.time(), UTC) + timedelta(days=3)
    with app.uow() as uow:
        assert uow.listening.add_event(account, event("e-1", at_now), at_now)
        assert uow.listening.add_event(account, event("e-2", at_before), at_now)
        assert not uow.listening.add_event(account, event("e-1", at_now), at_now)  # resent
        uow.commit()
    with app.engine.connect() as db:
        stored = db.execute(text("SELECT count(*) FROM listening_events")).scalar_one()
    assert stored == 2

    if app.engine.dialect.name != "postgresql":
        assert months(app.engine) == [] and ensure_months(app.engine, today) == []
        return
    found = months(app.engine)
    ahead = this_month
    for _ in range(4):  # this month and the next three, made at start
        assert partition_name(ahead) in found
        ahead = next_month(ahead)
    assert "listening_events_default" in found
    with app.engine.connect() as db:
        here = db.execute(text(f"SELECT client_id FROM {partition_name(this_month)}")).scalars()
        assert list(here) == ["e-1"]
        rows = db.execute(
            text("SELECT tableoid::regclass::text FROM listening_events WHERE client_id = 'e-2'")
        ).scalar_one()
    # Last month's event is in last month's partition when the migration made it (the
    # database had events then), else kept in the default one: never refused.
    assert rows in (partition_name(last_month), "listening_events_default")
    # A later month's round makes the months after it.
    later = date(ahead.year, ahead.month, 15)
    assert partition_name(ahead) in ensure_months(app.engine, later)
    assert partition_name(ahead) in months(app.engine)


def _user_values(now: datetime) -> dict[str, object]:
    """A row for `users` as the model has it (unchanged since 0044): every required column."""
    from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String

    from cadenza.adapters.db.models import every_table

    values: dict[str, object] = {}
    for column in every_table().tables["users"].columns:
        if column.nullable or column.server_default is not None or column.primary_key:
            continue
        kind = column.type
        values[column.name] = (
            now
            if isinstance(kind, DateTime)
            else now.date()
            if isinstance(kind, Date)
            else False
            if isinstance(kind, Boolean)
            else 0
            if isinstance(kind, Integer)
            else []
            if isinstance(kind, JSON)
            else "ada@example.org"
            if column.name == "email"
            else "x"
            if isinstance(kind, String)
            else None
        )
    return values


def test_the_migration_keeps_the_events_and_goes_back(
    postgres_url: str | None, tmp_path: Path
) -> None:
    """Events stored before 0052 are there after it (in their month's partition on
    PostgreSQL), and after going back to 0044."""
    from sqlalchemy import insert

    from cadenza.adapters.db.engine import make_engine
    from cadenza.adapters.db.models import every_table

    if postgres_url is None:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = fresh_postgres_database(postgres_url)
    upgrade(url, "0044")
    engine = make_engine(url)
    now = datetime.now(UTC)
    before = (now.replace(day=1) - timedelta(days=20)).replace(microsecond=0)
    with engine.begin() as db:
        users = every_table().tables["users"]
        account = db.execute(insert(users).values(_user_values(now)).returning(users.c.id))
        user_id = account.scalar_one()
        for number, at in enumerate((before, now)):
            db.execute(
                text(
                    "INSERT INTO listening_events (user_id, client_id, play_id, kind, track_id,"
                    " device, position_ms, occurred_at, received_at) VALUES (:u, :c, 'p', "
                    "'start', 1, 'phone', 0, :at, :at)"
                ),
                {"u": user_id, "c": f"e-{number}", "at": at},
            )
    engine.dispose()
    upgrade(url, "head")
    engine = make_engine(url)
    with engine.connect() as db:
        kept = db.execute(text("SELECT client_id FROM listening_events ORDER BY id")).scalars()
        assert list(kept) == ["e-0", "e-1"]
        if postgres_url is not None:
            where = db.execute(
                text("SELECT tableoid::regclass::text FROM listening_events WHERE client_id='e-0'")
            ).scalar_one()
            assert where == partition_name(before.date().replace(day=1))
    engine.dispose()
    downgrade(url, "0044")
    engine = make_engine(url)
    with engine.connect() as db:
        kept = db.execute(text("SELECT client_id FROM listening_events ORDER BY id")).scalars()
        assert list(kept) == ["e-0", "e-1"]
        if postgres_url is not None:
            plain = db.execute(
                text("SELECT relkind FROM pg_class WHERE relname = 'listening_events'")
            ).scalar_one()
            assert plain == "r"  # one table again
    engine.dispose()
    if postgres_url is not None:
        drop_postgres_database(postgres_url, url)


def upgrade(url: str, revision: str) -> None:
    _alembic(url, "upgrade", revision)


def downgrade(url: str, revision: str) -> None:
    _alembic(url, "downgrade", revision)


def _alembic(url: str, way: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from cadenza.adapters.db.engine import MIGRATIONS, make_engine

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, way)(config, revision)
    engine.dispose()


def fresh_postgres_database(url: str) -> str:
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"cadenza_partitions_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()
