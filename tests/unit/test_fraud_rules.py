"""The artificial-streams engine on a small generated month: a planted farm is flagged with its
reasons, and the honest extremes (a family computer, an office network, a superfan) are not."""

from __future__ import annotations

import numpy as np
import pytest

from cadenza.services.fraud_scoring import Accounts, Streams, Verdicts, score

DAY = 86_400.0


class Month:
    """Accounts and their counted streams, added group by group."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.columns: dict[str, list[np.ndarray]] = {k: [] for k in Streams.__dataclass_fields__}
        self.age: list[float] = []
        self.trial: list[bool] = []
        self.pairs: list[tuple[int, int]] = []
        self.kind: list[str] = []

    def people(self, count: int, kind: str, address: int | None, age: float = 900) -> list[int]:
        first = len(self.kind)
        ids = list(range(first, first + count))
        self.kind += [kind] * count
        self.age += [age] * count
        self.trial += [kind == "bot"] * count
        for i in ids:
            self.pairs.append((i, address if address is not None else 10_000 + i))
        return ids

    def listen(
        self,
        who: int,
        tracks: np.ndarray,
        per_day: int,
        hours: tuple[float, float],
        skip: float,
        device: int,
        stop_at_ms: tuple[int, int] | None = None,
    ) -> None:
        rng, n = self.rng, per_day * 30
        day = np.repeat(np.arange(30), per_day)
        start = day * DAY + rng.uniform(hours[0], hours[1], n) * 3600
        skipped = rng.random(n) < skip
        listened = np.where(skipped, rng.integers(30_000, 200_000, n), 200_000)
        finished = ~skipped
        if stop_at_ms is not None:
            listened = rng.integers(stop_at_ms[0], stop_at_ms[1], n)
            finished[:] = False
        cols = self.columns
        cols["account"].append(np.full(n, who))
        cols["track"].append(rng.choice(tracks, n))
        cols["start_s"].append(start + 1_800_000_000)
        cols["listened_ms"].append(listened)
        cols["finished"].append(finished)
        cols["skipped"].append(skipped)
        cols["device"].append(np.full(n, device))

    def judge(self) -> tuple[Verdicts, np.ndarray]:
        arrays = {k: np.concatenate(v) for k, v in self.columns.items()}
        pairs = np.array(self.pairs)
        streams = Streams(**arrays)
        accounts = Accounts(
            age_days=np.array(self.age),
            trial=np.array(self.trial),
            address_account=pairs[:, 0],
            address=pairs[:, 1],
        )
        return score(streams, accounts), np.array(self.kind)


def month(seed: int) -> Month:
    m = Month(seed)
    catalog = np.arange(5_000)
    popular = np.arange(200)
    for who in m.people(150, "regular", None):
        taste = m.rng.choice(catalog, 60)
        m.listen(who, np.concatenate([taste, popular]), 12, (8, 23), 0.25, 100_000 + who)
    family = m.people(4, "family", 1)  # one computer, one address, the household's music
    shared = m.rng.choice(catalog, 40)
    for who in family:
        m.listen(who, shared, 15, (16, 23), 0.15, 555)
    for who in m.people(40, "office", 2):  # one address, each their own taste, office hours
        m.listen(who, np.concatenate([m.rng.choice(catalog, 50), popular]), 20, (9, 17), 0.2, who)
    fan = m.people(1, "superfan", None)[0]  # one artist, all day, hardly a skip
    m.listen(fan, np.arange(4_990, 5_000), 180, (8, 22), 0.02, 777)
    farm_tracks = np.arange(9_000, 9_015)
    for i, who in enumerate(m.people(24, "bot", 3, age=10)):
        m.listen(who, farm_tracks, 120, (0, 24), 0.0, 20_000 + i, stop_at_ms=(31_000, 38_000))
    return m


@pytest.mark.parametrize("seed", [1, 2])
def test_a_planted_farm_is_flagged_and_the_honest_extremes_are_not(seed: int) -> None:
    verdicts, kind = month(seed).judge()
    assert verdicts.flagged[kind == "bot"].all()
    for honest in ("regular", "family", "office", "superfan"):
        assert not verdicts.flagged[kind == honest].any(), honest
    bot = int(np.flatnonzero(kind == "bot")[0])
    said = {r["signal"] for r in verdicts.reasons(bot)}
    assert {"crowd", "short", "clock", "no_skips"} <= said
    assert all(isinstance(r["text"], str) and r["text"] for r in verdicts.reasons(bot))


def test_every_stream_of_a_flagged_account_is_flagged_and_no_other() -> None:
    m = month(3)
    verdicts, kind = m.judge()
    account = np.concatenate(m.columns["account"])
    assert (verdicts.stream_flagged == (kind[account] == "bot")).all()
