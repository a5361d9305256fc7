"""Remote control of an episode: the device playing one says what it plays (`episode_state` to
every device of the account), and another page of the account pauses, plays, seeks or changes
the speed of it (`episode_command`, to that device only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from cadenza.domain.devices import PlayerEvent
from cadenza.domain.errors import InvalidRequest, NotFound
from cadenza.ports.clock import Clock
from cadenza.ports.devices import PlayerEvents
from cadenza.ports.unit_of_work import UnitOfWork

STATE_EVENT = "episode_state"
COMMAND_EVENT = "episode_command"
ACTIONS = ("play", "pause", "seek", "speed")
SPEEDS = (0.5, 3.0)


@dataclass(frozen=True)
class EpisodePlayback:
    """What a device plays: an episode, where, whether it plays, how fast."""

    episode_id: int
    device_id: str
    position_ms: int
    playing: bool
    speed: float


@dataclass(frozen=True)
class EpisodeCommand:
    episode_id: int
    device_id: str  # the device that plays the episode
    action: str
    position_ms: int | None = None
    speed: float | None = None


class EpisodeRemote:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        events: Callable[[], PlayerEvents],
        visible: Callable[[int, int], object],
    ) -> None:
        self.uow, self.clock, self.events, self.visible = uow, clock, events, visible

    def playing(self, account_id: int, playback: EpisodePlayback) -> None:
        """A device of the account plays (or paused) an episode: every device hears it."""
        _speed(playback.speed)
        self._device(account_id, playback.device_id)
        self.visible(playback.episode_id, account_id)
        data = {
            "episode_id": playback.episode_id,
            "device_id": playback.device_id,
            "position_ms": playback.position_ms,
            "playing": playback.playing,
            "speed": playback.speed,
            "updated_at": self.clock.now().astimezone(UTC).isoformat(),
        }
        self.events().publish(account_id, PlayerEvent(STATE_EVENT, data))

    def command(self, account_id: int, command: EpisodeCommand, from_device: str | None) -> None:
        """Sent to the device that plays the episode, which obeys and says its new state."""
        if command.action not in ACTIONS:
            raise InvalidRequest(f"action is one of {', '.join(ACTIONS)}", code="invalid_action")
        if command.action == "seek" and command.position_ms is None:
            raise InvalidRequest("a seek needs position_ms", code="invalid_position")
        if command.action == "speed":
            if command.speed is None:
                raise InvalidRequest("a speed change needs speed", code="invalid_speed")
            _speed(command.speed)
        self._device(account_id, command.device_id)
        self.visible(command.episode_id, account_id)
        data = {
            "episode_id": command.episode_id,
            "action": command.action,
            "position_ms": command.position_ms,
            "speed": command.speed,
            "from_device_id": from_device,
        }
        self.events().publish(
            account_id, PlayerEvent(COMMAND_EVENT, data, target=command.device_id)
        )

    def _device(self, account_id: int, device_id: str) -> None:
        with self.uow() as uow:
            found = uow.devices.get(account_id, device_id)
        if found is None:
            raise NotFound("no such device of yours", code="device_not_found")


def _speed(speed: float) -> None:
    if not SPEEDS[0] <= speed <= SPEEDS[1]:
        raise InvalidRequest("speed is 0.5 to 3", code="invalid_speed")
