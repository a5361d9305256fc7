"""The batch jobs' SQL over the archive, in the subset that DuckDB and Spark SQL share.

Tables an engine provides: `events` (the archive's columns, adapters/archive/parquet.py, with
`at` as `at_ts`: AT is a word of DuckDB's SQL; `source` and `market` null in a file of the
archive's schema 1) and
the side tables of engines.py: `accounts` (account_id, country), `set_aside` (account_id,
play_id, flagged: plays heard 30 s or more that the database flagged artificial, or did not
count for another reason) and `track_owners` (track_id, kind, entity_id). Times are compared
as microseconds since the epoch (`us` names the engine's function), so no session time zone
enters.

`plays` is domain.listening.summarise as SQL: the events of a play in the client's order
(time, position, then the archive's order); each event after one that starts playing adds
what was heard since, at most the wall time plus the clock slack; a play counts from
COUNTED_AFTER_MS, unless the database set it aside. A play's source and market are its first
event's (the archive copies them from the play to each of its events). Its market where it
has none is the listener's country now: the embedded GROUP BYs' COALESCE(plays.country,
users.country), so a market is counted where the database counts it."""

from __future__ import annotations

from cadenza.domain.listening import CLOCK_SLACK_MS, COUNTED_AFTER_MS
from cadenza.domain.royalties import SOUGHT_OUT

STARTS_PLAYING = ("start", "resume", "seek", "progress")
# a counted stream's market: the play's, else the listener's country now (royalties_repo.py)
MARKET = "UPPER(COALESCE(p.market, a.country))"


def plays(us: str, since_us: int, until_us: int) -> str:
    """Counted streams started in [since, until): account_id, play_id, track_id, started_us,
    flagged (artificial: royalties leave it out, popularity counts it, as the database does),
    source and market (the play's as archived, null where unknown). An engine keeps them as a
    table (`BatchEngine.keep`) that the counts below read, each within its own bounds, so the
    events are sorted into plays once per job."""
    return f"""
    SELECT h.account_id, h.play_id, h.track_id, h.started_us,
           COALESCE(s.flagged, FALSE) AS flagged, h.source, h.market
    FROM ({heard(us)}) h
    LEFT JOIN set_aside s ON s.account_id = h.account_id AND s.play_id = h.play_id
    WHERE h.listened_ms >= {COUNTED_AFTER_MS}
      AND h.started_us >= {since_us} AND h.started_us < {until_us}
      AND (s.play_id IS NULL OR s.flagged)
    """  # noqa: S608 (our constants and integers only)


def heard(us: str) -> str:
    """Every play in the archive: account_id, play_id, listened_ms, track_id (its first
    event's), started_us, skipped (1 where a skip event ends it, else 0), source and market
    (the first event's, else any of the play's events': null in the archive's schema 1)."""
    starts = ", ".join(f"'{k}'" for k in STARTS_PLAYING)
    return f"""
      SELECT account_id, play_id,
             SUM(CASE WHEN prev_kind IN ({starts}) THEN
                   GREATEST(0, LEAST(position_ms - prev_from,
                                     CAST(FLOOR((at_us - prev_us) / 1000) AS BIGINT)
                                     + {CLOCK_SLACK_MS}))
                 ELSE 0 END) AS listened_ms,
             MAX(CASE WHEN n = 1 THEN track_id END) AS track_id,
             MAX(CASE WHEN n = 1 THEN at_us END) AS started_us,
             MAX(CASE WHEN kind = 'skip' THEN 1 ELSE 0 END) AS skipped,
             COALESCE(MAX(CASE WHEN n = 1 THEN source END), MAX(source)) AS source,
             COALESCE(MAX(CASE WHEN n = 1 THEN market END), MAX(market)) AS market
      FROM (
        SELECT account_id, play_id, track_id, kind, position_ms, source, market,
               {us}(at_ts) AS at_us,
               ROW_NUMBER() OVER w AS n,
               LAG(kind) OVER w AS prev_kind,
               LAG(CASE WHEN kind = 'seek' THEN COALESCE(seek_to_ms, 0)
                        ELSE position_ms END) OVER w AS prev_from,
               LAG({us}(at_ts)) OVER w AS prev_us
        FROM events
        WINDOW w AS (PARTITION BY account_id, play_id ORDER BY at_ts, position_ms, event_id)
      ) ordered
      GROUP BY account_id, play_id
    """  # noqa: S608 (our constants only)


def taste(us: str) -> str:
    """account, track, counted plays, early skips (plays skipped before they counted), over the
    whole archive: what recommendation training reads of the listening (TasteSignals). A
    counted play flagged artificial still says what its listener plays, as on the database."""
    return f"""
    SELECT h.account_id, h.track_id,
           SUM(CASE WHEN counted THEN 1 ELSE 0 END) AS plays,
           SUM(CASE WHEN h.skipped = 1 AND NOT counted THEN 1 ELSE 0 END) AS skips
    FROM (
      SELECT h.account_id, h.track_id, h.skipped,
             h.listened_ms >= {COUNTED_AFTER_MS} AND (s.play_id IS NULL OR s.flagged) AS counted
      FROM ({heard(us)}) h
      LEFT JOIN set_aside s ON s.account_id = h.account_id AND s.play_id = h.play_id
    ) h
    GROUP BY h.account_id, h.track_id
    """  # noqa: S608 (our constants only)


def listens(plays: str, since_us: int, until_us: int) -> str:
    """market, account, track, streams, sought out: unflagged counted streams (royalties'
    ListenerStreams; the market upper case; sought out: started from a source of SOUGHT_OUT,
    the artist-centric model's boost)."""
    sought = ", ".join(f"'{s}'" for s in sorted(SOUGHT_OUT))
    return f"""
    SELECT {MARKET} AS market, p.account_id, p.track_id, COUNT(*) AS streams,
           SUM(CASE WHEN p.source IN ({sought}) THEN 1 ELSE 0 END) AS sought
    FROM {plays} p
    JOIN accounts a ON a.account_id = p.account_id
    WHERE NOT p.flagged AND {_between(since_us, until_us)}
    GROUP BY {MARKET}, p.account_id, p.track_id
    """  # noqa: S608 (our constants and integers only)


def flagged_streams(plays: str, since_us: int, until_us: int) -> str:
    """market, streams: counted streams flagged artificial."""
    return f"""
    SELECT {MARKET} AS market, COUNT(*) AS streams
    FROM {plays} p
    JOIN accounts a ON a.account_id = p.account_id
    WHERE p.flagged AND {_between(since_us, until_us)}
    GROUP BY {MARKET}
    """  # noqa: S608 (our constants and integers only)


def track_streams(plays: str, since_us: int, until_us: int) -> str:
    """track, streams: unflagged counted streams per track (royalties' 12-month eligibility)."""
    return f"""
    SELECT p.track_id, COUNT(*) AS streams
    FROM {plays} p
    WHERE NOT p.flagged AND {_between(since_us, until_us)}
    GROUP BY p.track_id
    """  # noqa: S608 (our constants and integers only)


def popularity(plays: str, since_us: int, until_us: int) -> str:
    """kind, entity_id, country, streams: search popularity as the database rolls it up, per
    entry and the listeners' country now (not the play's market: the database's rollup reads
    users.country), and everywhere (country '')."""
    return f"""
    WITH counted AS (
      SELECT o.kind, o.entity_id, a.country
      FROM {plays} p
      JOIN track_owners o ON o.track_id = p.track_id
      JOIN accounts a ON a.account_id = p.account_id
      WHERE {_between(since_us, until_us)}
    )
    SELECT kind, entity_id, country, COUNT(*) AS streams
    FROM counted WHERE country <> '' GROUP BY kind, entity_id, country
    UNION ALL
    SELECT kind, entity_id, '' AS country, COUNT(*) AS streams
    FROM counted GROUP BY kind, entity_id
    """  # noqa: S608 (our constants and integers only)


def artist_days(plays: str, since_us: int, until_us: int) -> str:
    """artist, day (days since the epoch, UTC), streams, listeners: unflagged counted streams
    of each artist's tracks per day (the artists' statistics)."""
    return f"""
    SELECT o.entity_id AS artist_id,
           CAST(FLOOR(p.started_us / 86400000000) AS BIGINT) AS day,
           COUNT(*) AS streams, COUNT(DISTINCT p.account_id) AS listeners
    FROM {plays} p
    JOIN track_owners o ON o.track_id = p.track_id AND o.kind = 'artist'
    WHERE NOT p.flagged AND {_between(since_us, until_us)}
    GROUP BY o.entity_id, CAST(FLOOR(p.started_us / 86400000000) AS BIGINT)
    """  # noqa: S608 (our constants and integers only)


def artist_streams(plays: str, since_us: int, until_us: int) -> str:
    """artist, day, account, track, market, source, streams: unflagged counted streams of each
    artist's tracks per day, listener, market and source (what the artists' statistics roll
    up, services/artist_stats.py; market and source as archived, null where unknown), and the
    latest start among them (the roll-up takes a listener's audience from their latest)."""
    return f"""
    SELECT o.entity_id AS artist_id,
           CAST(FLOOR(p.started_us / 86400000000) AS BIGINT) AS day,
           p.account_id, p.track_id, p.market, p.source, COUNT(*) AS streams,
           MAX(p.started_us) AS last_us
    FROM {plays} p
    JOIN track_owners o ON o.track_id = p.track_id AND o.kind = 'artist'
    WHERE NOT p.flagged AND {_between(since_us, until_us)}
    GROUP BY o.entity_id, CAST(FLOOR(p.started_us / 86400000000) AS BIGINT), p.account_id,
             p.track_id, p.market, p.source
    """  # noqa: S608 (our constants and integers only)


def _between(since_us: int, until_us: int) -> str:
    return f"p.started_us >= {int(since_us)} AND p.started_us < {int(until_us)}"
