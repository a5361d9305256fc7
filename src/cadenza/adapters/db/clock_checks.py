"""Cheap questions the server's clocks ask before they start a job in a child process: is there
anything for it to do? SQL Core on light table clauses (never the ORM classes of the tables,
their repositories or the job's service): the answers cost the HTTP process nothing it does not
hold already. A "yes" when unsure is fine (the job then finds nothing); a "no" must mean that a
run would change nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Engine, String, and_, column, exists, or_, select, table

_WHEN = DateTime(timezone=True)

# What session pruning deletes (refresh tokens go with their sessions), by the column that
# says when a row has expired: none past it, a pruning pass has nothing to do.
PRUNED = {
    "sessions": "expires_at",
    "one_time_tokens": "expires_at",
    "spent_stream_tickets": "expires_at",
    "oauth_codes": "expires_at",
    "oauth_tokens": "access_expires_at",  # tokens go once their access has expired, at least
    "oauth_device_codes": "expires_at",
    "external_sign_ins": "expires_at",
}


def holds_rows(engine: Engine, *tables: str) -> bool:
    """Whether any of these tables holds a row."""
    with engine.connect() as connection:
        for name in tables:
            if connection.execute(select(exists().select_from(table(name)))).scalar():
                return True
    return False


def expired_rows(engine: Engine, now: datetime) -> bool:
    """Whether any row session pruning deletes has expired by `now`."""
    with engine.connect() as connection:
        for name, expiry in PRUNED.items():
            when = column(expiry, _WHEN)
            if connection.execute(
                select(exists().where(when <= now).select_from(table(name, when)))
            ).scalar():
                return True
    return False


def streams_to_roll(engine: Engine) -> bool:
    """Counted streams the artists' statistics have not rolled up yet, or rolled-up ones
    flagged artificial since (the statistics job's work: models_listening's TO_ROLL and
    TO_UNROLL)."""
    counted, rolled = column("counted", Boolean), column("stats_rolled", Boolean)
    flagged = column("flagged_artificial", Boolean)
    to_roll = and_(counted.is_(True), rolled.is_(False), flagged.is_(False))
    to_unroll = and_(rolled.is_(True), flagged.is_(True))
    plays = table("plays", counted, rolled, flagged)
    with engine.connect() as connection:
        query = select(exists().where(or_(to_roll, to_unroll)).select_from(plays))
        return bool(connection.execute(query).scalar())


def month_closed(engine: Engine, month: str) -> bool:
    """Whether the royalties of this month ("YYYY-MM") are closed."""
    closed = column("month", String)
    with engine.connect() as connection:
        query = select(exists().where(closed == month).select_from(table("royalty_months", closed)))
        return bool(connection.execute(query).scalar())


def deals_due(engine: Engine, now: datetime) -> bool:
    """Whether a release's deal window starts or ends by `now` (the deal clock's work)."""
    change = column("next_change_at", _WHEN)
    with engine.connect() as connection:
        query = select(exists().where(change <= now).select_from(table("deal_schedules", change)))
        return bool(connection.execute(query).scalar())


def feeds_due(engine: Engine, now: datetime) -> bool:
    """Whether a podcast's feed is due to be fetched (the podcast clock's work)."""
    feed, due = column("feed_url", String), column("next_fetch_at", _WHEN)
    shows = table("podcast_shows", feed, due)
    wanted = exists().where(feed.is_not(None), or_(due.is_(None), due <= now)).select_from(shows)
    with engine.connect() as connection:
        return bool(connection.execute(select(wanted)).scalar())


def imports_running(engine: Engine) -> bool:
    """History imports marked running (at a server's start: left by a stopped process)."""
    status = column("status", String)
    with engine.connect() as connection:
        query = select(
            exists().where(status == "running").select_from(table("history_imports", status))
        )
        return bool(connection.execute(query).scalar())


def deliveries_unfinished(engine: Engine) -> bool:
    """DDEX deliveries queued or processing (at a server's start: left by a stopped process)."""
    status = column("status", String)
    with engine.connect() as connection:
        unfinished = status.in_(("queued", "processing"))
        query = select(exists().where(unfinished).select_from(table("deliveries", status)))
        return bool(connection.execute(query).scalar())


def room_episodes_unfinished(engine: Engine) -> bool:
    """Recordings being published as episodes, queued or on their way (at a server's start:
    left by a stopped process)."""
    status = column("status", String)
    with engine.connect() as connection:
        unfinished = status.in_(("queued", "processing"))
        query = select(exists().where(unfinished).select_from(table("room_episode_jobs", status)))
        return bool(connection.execute(query).scalar())


def mail_waiting(engine: Engine) -> bool:
    """Mail queued and not given up on (the mail worker's work, now or at a later try)."""
    failed = column("failed_at", _WHEN)
    with engine.connect() as connection:
        query = select(exists().where(failed.is_(None)).select_from(table("mail_queue", failed)))
        return bool(connection.execute(query).scalar())


def plays_to_forward(engine: Engine) -> bool:
    """Plays waiting to be forwarded to ListenBrainz or Last.fm (now or at a later try)."""
    status = column("status", String)
    with engine.connect() as connection:
        waiting = exists().where(status == "waiting").select_from(table("scrobble_outbox", status))
        return bool(connection.execute(select(waiting)).scalar())


def billing_due(engine: Engine, now: datetime) -> bool:
    """Whether a subscription may need the billing clock (subscriptions_repo's `due`)."""
    status, complimentary = column("status", String), column("complimentary", Boolean)
    period_end, retry = column("period_end", _WHEN), column("next_retry_at", _WHEN)
    subscriptions = table("subscriptions", status, complimentary, period_end, retry)
    live = status.in_(("incomplete", "trialing", "active", "past_due"))
    when = or_(period_end <= now, retry <= now, status == "incomplete")
    wanted = exists().where(live, complimentary.is_(False), when).select_from(subscriptions)
    with engine.connect() as connection:
        return bool(connection.execute(select(wanted)).scalar())
