"""The durable event stream's refusals and the names of what goes through it."""

from __future__ import annotations

from cadenza.domain.errors import CadenzaError

LISTENING = "listening"  # listening.<account id>: the events players report, as sent
DOMAIN = "domain"  # domain.<event type>: what services publish on the message bus
COUNTING = "counting"  # the durable consumer that judges and counts plays into the database
PLAY_COUNTED = f"{DOMAIN}.PlayCounted"  # the counted plays, as the consumers below read them
POPULARITY = "search-popularity"  # the durable consumer that keeps search's popularity fresh
ARTIST_STATS = "artist-stats"  # the durable consumer that rolls up the artists' statistics
CONSUMERS = (COUNTING, POPULARITY, ARTIST_STATS)  # every durable consumer, in this order


class EventStreamUnavailable(CadenzaError):
    """The event stream did not confirm storing the events in time: nothing was accepted that
    was not stored; resending the same events (same ids) is harmless."""

    code = "event_stream_unavailable"
    status = 503
