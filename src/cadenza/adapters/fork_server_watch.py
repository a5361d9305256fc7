"""Imported only by the transcode pool's fork server (as a preload): it exits with the server.

Its parent is whichever server thread first used the pool, which may end before the server
does, so it polls its parent's pid rather than asking for a death signal."""

from __future__ import annotations

from cadenza.adapters.parent_watch import watch_parent

watch_parent(death_signal=False)
