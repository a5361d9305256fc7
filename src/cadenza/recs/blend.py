"""Several listeners' tastes made into one list, fair to the worst-served member.

Each member's scores are turned into normalised ranks (1.0 their favourite, towards 0.0 their
last; 0.0 an item they did not score), so a member who scores many items or with large numbers
weighs no more than one who scores few. Members then take turns, the one with the fewest items
so far first (ties: the lowest index). On their turn a member takes one of their own near-top
remaining items (ranked within WINDOW of their best remaining one): the one the least pleased
other member likes most (least misery), then the one they like most. Items everyone likes
therefore come early, each member's turn gives them something they love, and no member's turn
is skipped while they have items left. No item is taken twice.
"""

from __future__ import annotations

WINDOW = 0.35  # how far below their best remaining item a member's pick may rank


def balance(member_scores: list[dict[int, float]], k: int) -> list[tuple[int, int]]:
    """Up to k (item, index of the member whose turn put it there), in order."""
    if k <= 0 or not member_scores:
        return []
    ranks = [_normalised(scores) for scores in member_scores]
    queues = [_best_first(scores) for scores in member_scores]
    taken: set[int] = set()
    given = [0] * len(member_scores)
    picked: list[tuple[int, int]] = []
    while len(picked) < k:
        hungry = [m for m, q in enumerate(queues) if any(i not in taken for i in q)]
        if not hungry:
            break
        member = min(hungry, key=lambda m: (given[m], m))
        queues[member] = [i for i in queues[member] if i not in taken]
        own = ranks[member]
        others = [r for n, r in enumerate(ranks) if n != member]
        top = own[queues[member][0]]
        near = [i for i in queues[member] if own[i] >= top - WINDOW]
        best = max(
            near,
            key=lambda i: (min((r.get(i, 0.0) for r in others), default=0.0), own[i], -i),
        )
        taken.add(best)
        given[member] += 1
        picked.append((best, member))
    return picked


def _best_first(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda item: (-scores[item], item))


def _normalised(scores: dict[int, float]) -> dict[int, float]:
    """1.0 for the best-scored item down to 1/n for the last (ties share the better rank)."""
    order = sorted(scores.values(), reverse=True)
    n = len(order)
    first_place: dict[float, int] = {}
    for place, value in enumerate(order):
        first_place.setdefault(value, place)
    return {item: (n - first_place[value]) / n for item, value in scores.items()}
