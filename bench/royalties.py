"""Royalties: close a month of 100,000,000 counted streams over 1,000,000 tracks in 100 markets
(pro rata, the model that pays by default), with peak memory and a check to the cent.

Generated data, fixed (seed 0): each stream's market is drawn with weight 1/(m+1)^0.8 for market
m of --markets; its track with Zipf-like popularity (exponent 1: track index floor(N^u) - 1 for
u uniform), 1 % of streams flagged artificial. The 11 months before are each track's Poisson
draw of 11 times its expected monthly streams (for the 12-month eligibility of 1,000 streams).
Each market's revenue: its share of 20,000,000 subscribers at 9.99 (net of a VAT rate of 0 to
25 % by market) plus 1,000,000 of ad revenue (in millicents, split by the same weights), times
0.52; tracks belong to 10,000 distributors (track index mod 10,000).

The close, timed (`close_s`): streams GROUP BY (market, track) as they are generated in chunks
of 10,000,000 (sorted by market, each market's tracks bincounted a million at a time, flagged
streams counted apart), eligibility over 12 months, each market's
pool from its revenue as exact fractions, the split to the cent (services/royalty_arrays.py,
the twin of the domain's split), statement lines and distributor totals. Generating the streams
is not timed (`generate_s`). `cents_off`: how far the lines of all markets are from their pools
(must be 0), and the distributor totals from the sum of pools; `streams_off`: the counts
against the streams generated (must be 0).

    python bench/royalties.py [--streams 100000000] [--tracks 1000000] [--markets 100]
"""

from __future__ import annotations

import argparse
import os
import time
from fractions import Fraction

import numpy as np

from _results import PeakRss, write_results
from cadenza.domain.royalties import RoyaltyRules, split_cents
from cadenza.services.royalty_arrays import pro_rata_market

CHUNK = 10_000_000
FLUSH = 1_000_000  # streams of one market aggregated at once
DISTRIBUTORS = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=100_000_000)
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--markets", type=int, default=100)
    args = parser.parse_args()
    rules = RoyaltyRules()
    rng = np.random.default_rng(0)
    n_tracks, n_markets = args.tracks, args.markets
    market_w = 1.0 / np.arange(1, n_markets + 1) ** 0.8
    market_w /= market_w.sum()
    market_cdf = np.cumsum(market_w)
    load = os.getloadavg()[0]

    with PeakRss() as rss:
        generate_s = 0.0
        close_s = 0.0
        close_cpu_s = 0.0
        counts = np.zeros((n_markets, n_tracks), dtype=np.int32)
        flagged = np.zeros(n_markets, dtype=np.int64)
        # each market's tracks wait until FLUSH of them are there: one bincount of the whole
        # catalog per FLUSH streams, not per market and chunk
        pending: list[list[np.ndarray]] = [[] for _ in range(n_markets)]  # type: ignore[type-arg]
        waiting = [0] * n_markets
        done = 0
        while done < args.streams:
            size = min(CHUNK, args.streams - done)
            t0 = time.perf_counter()
            market = np.searchsorted(market_cdf, rng.random(size, dtype=np.float64)).astype(
                np.uint8
            )
            np.minimum(market, n_markets - 1, out=market)
            track = (np.power(float(n_tracks), rng.random(size)) - 1).astype(np.int32)
            np.minimum(track, n_tracks - 1, out=track)
            artificial = rng.random(size, dtype=np.float32) < 0.01
            t1, c1 = time.perf_counter(), time.process_time()
            # GROUP BY market, track over the unflagged streams; flagged ones per market
            flagged += np.bincount(market[artificial], minlength=n_markets)
            keep = ~artificial
            market, track = market[keep], track[keep]
            order = np.argsort(market, kind="stable")
            market, track = market[order], track[order]
            bounds = np.searchsorted(market, np.arange(n_markets + 1))
            for m in range(n_markets):
                lo, hi = bounds[m], bounds[m + 1]
                if hi > lo:
                    pending[m].append(track[lo:hi].copy())
                    waiting[m] += hi - lo
                if waiting[m] >= FLUSH or (done + size >= args.streams and waiting[m]):
                    _flush(counts[m], pending[m], n_tracks)
                    waiting[m] = 0
            close_s += time.perf_counter() - t1
            close_cpu_s += time.process_time() - c1
            generate_s += t1 - t0
            done += size
            del market, track, artificial, keep, order

        t0 = time.perf_counter()
        expected = args.streams / (np.log(n_tracks) * np.arange(1, n_tracks + 1))
        earlier = rng.poisson(11 * expected)  # the 11 months before (not timed: generated)
        generate_s += time.perf_counter() - t0

        t1, c1 = time.perf_counter(), time.process_time()
        yearly = counts.sum(axis=0, dtype=np.int64) + earlier
        eligible = yearly >= rules.min_yearly_streams
        pools = _pools(market_w, rules)
        cents_off = 0
        lines = 0
        per_distributor = np.zeros(DISTRIBUTORS, dtype=np.int64)
        distributor_of = np.arange(n_tracks) % DISTRIBUTORS
        sample_checked = 0
        eligible_at = np.flatnonzero(eligible)
        for m in range(n_markets):
            cents = pro_rata_market(pools[m], counts[m], eligible_at)
            paid = int(cents.sum())
            if (counts[m][eligible] > 0).any():
                cents_off += abs(paid - pools[m])
            nonzero = np.flatnonzero(cents)
            lines += len(nonzero)
            np.add.at(per_distributor, distributor_of[nonzero], cents[nonzero])
        close_s += time.perf_counter() - t1
        close_cpu_s += time.process_time() - c1
        streams_off = abs(int(counts.sum(dtype=np.int64)) + int(flagged.sum()) - args.streams)
        cents_off += abs(int(per_distributor.sum()) - sum(pools))
        # the array split against the domain's own, on the two largest markets (not timed)
        for m in range(min(2, n_markets)):
            weights = np.where(eligible, counts[m], 0).astype(np.int64)
            idx = np.flatnonzero(weights)
            domain = split_cents(pools[m], [int(w) for w in weights[idx]])
            array = pro_rata_market(pools[m], counts[m], eligible)[idx]
            cents_off += sum(abs(a - b) for a, b in zip(array.tolist(), domain, strict=True))
            sample_checked += len(idx)

    write_results(
        "royalties",
        {
            "close_s": round(close_s, 2),
            "peak_rss_mb": round(rss.peak_mb, 1),
            "cents_off": int(cents_off),
            "close_cpu_s": round(close_cpu_s, 2),
            "streams_off": streams_off,
            "generate_s": round(generate_s, 2),
            "streams": args.streams,
            "tracks": n_tracks,
            "markets": n_markets,
            "eligible_tracks": int(eligible.sum()),
            "statement_lines": int(lines),
            "flagged_streams": int(flagged.sum()),
            "pools_cents": int(sum(pools)),
            "load_avg_1m_at_start": round(load, 2),
        },
        {
            "close_s": "GROUP BY, eligibility, pools, split to the cent, lines (goal < 60)",
            "peak_rss_mb": "peak resident memory of the whole run",
            "cents_off": "lines vs pools, distributors vs pools, array vs domain split (0)",
            "close_cpu_s": "CPU time of the close (the machine is shared: wall time waits)",
            "streams_off": "streams counted vs generated (0)",
            "generate_s": "generating the streams (not part of the close)",
            "load_avg_1m_at_start": "the shared machine's load when the run began",
        },
    )


def _flush(row: np.ndarray, parts: list[np.ndarray], n_tracks: int) -> None:  # type: ignore[type-arg]
    """Add the waiting streams of one market to its counts (GROUP BY track)."""
    found = np.bincount(np.concatenate(parts), minlength=n_tracks)
    np.add(row, found, out=row, casting="unsafe")
    parts.clear()


def _pools(market_w: np.ndarray, rules: RoyaltyRules) -> list[int]:  # type: ignore[type-arg]
    """Each market's pool in whole cents: subscribers x 9.99 net of VAT plus ads, x 0.52."""
    pools = []
    for m, w in enumerate(market_w.tolist()):
        subscribers = round(20_000_000 * w)
        vat = Fraction(m % 26, 100)
        ads_millicents = round(100_000_000_000 * w)
        exact = (
            Fraction(subscribers * 999) / (1 + vat) + Fraction(ads_millicents, 1000)
        ) * rules.recording_share
        pools.append(int(exact))
    return pools


if __name__ == "__main__":
    main()
