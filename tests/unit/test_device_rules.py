"""Speaker groups: which member reports the group's listening."""

from __future__ import annotations

from cadenza.domain.devices import group_reporter


def test_the_reporter_is_a_member_that_is_online() -> None:
    members = ["b-kitchen", "a-lounge", "c-bedroom"]
    assert group_reporter(members, {"a-lounge", "b-kitchen", "c-bedroom"}) == "a-lounge"
    # The lowest id has its tab closed: the group must not wait for its song's end.
    assert group_reporter(members, {"b-kitchen", "c-bedroom", "elsewhere"}) == "b-kitchen"
    assert group_reporter(members, set()) == "a-lounge"  # nobody online: still one name
    assert group_reporter([], {"x"}) is None
