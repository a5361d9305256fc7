"""One list for a group (Blend, Duo Mix, Family Mix) that serves every member, not the average one.

Each member's candidates are turned into ranks (their own best = 1, their last candidate near 0),
so a member whose scores happen to be large does not drown the others. Then members take turns:
the one with the fewest picks so far, and among those the one served least (the sum of their
rank-utility over everything already chosen), picks the item best for them, with what it is worth
to the others as a lighter second consideration. That is round robin ordered by least misery,
with a taste for consensus; the item is credited to the member who picked it, and every member
with a candidate left gets a turn before anyone gets a second.
"""

from __future__ import annotations

CONSENSUS = 0.5  # weight of the other members' utility beside the picking member's


def rank_utility(scores: dict[int, float]) -> dict[int, float]:
    """1.0 for the member's best candidate falling linearly to just above 0 for their last."""
    ordered = sorted(scores, key=lambda item: (-scores[item], item))
    n = len(ordered)
    return {item: 1.0 - position / n for position, item in enumerate(ordered)}


def balance(member_scores: list[dict[int, float]], k: int) -> list[tuple[int, int]]:
    """Up to k (item, member index) pairs, each item once, every member drawn from in turn."""
    utilities = [rank_utility(scores) for scores in member_scores]
    remaining = set().union(*(u.keys() for u in utilities)) if utilities else set()
    served = [0.0] * len(utilities)
    turns = [0] * len(utilities)
    chosen: list[tuple[int, int]] = []
    others = max(len(utilities) - 1, 1)
    while len(chosen) < k and remaining:
        hungry = [m for m in range(len(utilities)) if remaining & utilities[m].keys()]
        picker = min(hungry, key=lambda m: (turns[m], served[m], m))
        turns[picker] += 1
        own = utilities[picker]

        def worth(
            item: int, own: dict[int, float] = own, picker: int = picker
        ) -> tuple[float, int]:
            rest = sum(u.get(item, 0.0) for m, u in enumerate(utilities) if m != picker)
            return own.get(item, 0.0) + CONSENSUS * rest / others, -item

        item = max(remaining & own.keys(), key=worth)
        remaining.discard(item)
        chosen.append((item, picker))
        for m, u in enumerate(utilities):
            served[m] += u.get(item, 0.0)
    return chosen
