"""Several listeners' tastes made into one list, fair to the worst-served member.

Each member's scores are first put on one scale, 1.0 for their favourite down to 0.0 for the
least liked item they scored (0.0 too for an item they did not score), so a member who scores
with large numbers weighs no more than one who scores with small ones. Members then take turns,
the one given the fewest items so far first (ties: the lowest index). On their turn a member
takes one of their own near-favourites (scored at least NEAR times their best remaining item):
the one the least pleased other member likes most (least misery), then the one they like most.
Items everyone likes therefore come early, each turn gives that member something they love,
and no member's turn is skipped while they have items left. No item is taken twice.
"""

from __future__ import annotations

NEAR = 0.65  # a pick scores at least this share of the member's best remaining item


def balance(member_scores: list[dict[int, float]], k: int) -> list[tuple[int, int]]:
    """Up to k (item, index of the member whose turn put it there), in order."""
    if k <= 0 or not member_scores:
        return []
    scaled = [_scaled(scores) for scores in member_scores]
    queues = [_best_first(scores) for scores in member_scores]
    taken: set[int] = set()
    given = [0] * len(member_scores)
    picked: list[tuple[int, int]] = []
    while len(picked) < k:
        for m, queue in enumerate(queues):
            queues[m] = [i for i in queue if i not in taken]
        hungry = [m for m, queue in enumerate(queues) if queue]
        if not hungry:
            break
        member = min(hungry, key=lambda m: (given[m], m))
        own = scaled[member]
        others = [s for n, s in enumerate(scaled) if n != member]
        top = own[queues[member][0]]
        near = [i for i in queues[member] if own[i] >= top * NEAR]
        best = max(
            near,
            key=lambda i: (min((s.get(i, 0.0) for s in others), default=0.0), own[i], -i),
        )
        taken.add(best)
        given[member] += 1
        picked.append((best, member))
    return picked


def _best_first(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda item: (-scores[item], item))


def _scaled(scores: dict[int, float]) -> dict[int, float]:
    """1.0 for the best-scored item, 0.0 for the worst, the rest in proportion between."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high == low:
        return dict.fromkeys(scores, 1.0)
    return {item: (value - low) / (high - low) for item, value in scores.items()}
