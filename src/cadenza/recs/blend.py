"""One list for a group (Blend, Duo Mix, Family Mix) that serves every member, not the average one.

Each member's candidate scores are standardised over that member's own candidates (mean 0,
deviation 1), so a member whose scores happen to be large does not drown the others; a candidate
of someone else counts for a member as their own weakest. Then members take turns: the one with
the fewest picks so far, and among those the one served least (the sum of their standardised
utility over everything already chosen), picks the item best for them plus what it is worth to
the others (CONSENSUS times their mean). That is round robin ordered by least misery, with a
taste for consensus; the item is credited to the member who picked it, and every member with a
candidate left gets a turn before anyone gets a second.
"""

from __future__ import annotations

from statistics import fmean, pstdev

CONSENSUS = 0.5  # weight of the other members' mean utility beside the picking member's:
# at 1.0 a member's turn went to songs everyone half-likes and left out their own favourites;
# 0.5 keeps those and serves the worst-served member better on bench/recs_eval.py


def standardised(scores: dict[int, float]) -> tuple[dict[int, float], float]:
    """Each candidate's score in deviations from the member's mean, and the member's floor."""
    if not scores:
        return {}, 0.0
    values = list(scores.values())
    mean, spread = fmean(values), pstdev(values) or 1.0
    utility = {item: (score - mean) / spread for item, score in scores.items()}
    return utility, min(utility.values())


def balance(member_scores: list[dict[int, float]], k: int) -> list[tuple[int, int]]:
    """Up to k (item, member index) pairs, each item once, every member drawn from in turn."""
    members = [standardised(scores) for scores in member_scores]
    remaining = set().union(*(u.keys() for u, _ in members)) if members else set()
    served = [0.0] * len(members)
    turns = [0] * len(members)
    chosen: list[tuple[int, int]] = []
    others = max(len(members) - 1, 1)
    while len(chosen) < k and remaining:
        hungry = [m for m, (u, _) in enumerate(members) if remaining & u.keys()]
        picker = min(hungry, key=lambda m: (turns[m], served[m], m))
        turns[picker] += 1
        own = members[picker][0]

        def worth(
            item: int, own: dict[int, float] = own, picker: int = picker
        ) -> tuple[float, int]:
            rest = sum(u.get(item, low) for m, (u, low) in enumerate(members) if m != picker)
            return own[item] + CONSENSUS * rest / others, -item

        item = max(remaining & own.keys(), key=worth)
        remaining.discard(item)
        chosen.append((item, picker))
        for m, (u, low) in enumerate(members):
            served[m] += u.get(item, low)
    return chosen
