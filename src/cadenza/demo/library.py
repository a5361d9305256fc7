"""Write the demo library: one folder per release with audio, cover.jpg and release.json (last)."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path

from cadenza.demo.catalog import DemoSize, ReleasePlan, TrackPlan
from cadenza.demo.covers import draw_cover
from cadenza.demo.encode import FORMATS, Tags, write_audio, write_tags
from cadenza.demo.plan import plan_library
from cadenza.demo.synth import render_track

RELEASE_JSON = "release.json"
Progress = Callable[[int, int], None]


def release_json(plan: ReleasePlan) -> dict[str, object]:
    """The delivery manifest, in the project's release.json format."""
    year = plan.release_date.year
    return {
        "title": plan.title,
        "artists": list(plan.artists),
        "type": plan.kind,
        "upc": plan.upc,
        "label": plan.label,
        "release_date": f"{plan.release_date.isoformat()}T00:00:00Z",
        "territories": list(plan.territories) if plan.territories else "WORLDWIDE",
        "explicit": plan.explicit,
        "copyright": [f"(C) {year} {plan.label}", f"(P) {year} {plan.label}"],
        "genres": plan.genres,
        "tracks": [
            {
                "file": t.file,
                "title": t.title,
                "artists": list(t.artists),
                "featured_artists": list(t.featured),
                "isrc": t.isrc,
                "disc": t.disc,
                "number": t.number,
                "genres": [t.style],
                "explicit": t.explicit,
            }
            for t in plan.tracks
        ],
    }


def _tags(plan: ReleasePlan, track: TrackPlan) -> Tags:
    year = plan.release_date.year
    return Tags(
        title=track.title,
        artists=track.artists,
        featured=track.featured,
        album=plan.title,
        album_artists=plan.artists,
        track=track.number,
        tracks=sum(1 for t in plan.tracks if t.disc == track.disc),
        disc=track.disc,
        discs=plan.discs,
        isrc=track.isrc,
        genres=(track.style,),
        date=plan.release_date.isoformat(),
        label=plan.label,
        copyright=f"(P) {year} {plan.label}",
        upc=plan.upc,
        explicit=track.explicit,
    )


def is_complete(folder: Path) -> bool:
    return (folder / RELEASE_JSON).is_file()


def write_release(
    plan: ReleasePlan, out_dir: Path, on_track: Callable[[], None] | None = None
) -> Path:
    """Write one release folder; release.json goes in last, atomically, marking it complete."""
    folder = out_dir / plan.folder
    if is_complete(folder):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rate, bits = FORMATS[plan.audio]
    for track in plan.tracks:
        pcm = render_track(track.style, track.seconds, seed=track.seed, sample_rate=rate, bits=bits)
        path = folder / track.file
        write_audio(path, pcm, plan.audio)
        write_tags(path, _tags(plan, track))
        if on_track is not None:
            on_track()
    main_style = plan.genres[0]
    draw_cover(folder / "cover.jpg", title=plan.title, artist=" & ".join(plan.artists),
               style=main_style, seed=plan.seed)  # fmt: skip
    tmp = folder / (RELEASE_JSON + ".part")
    tmp.write_text(json.dumps(release_json(plan), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(folder / RELEASE_JSON)
    return folder


def write_demo_library(
    out_dir: Path,
    size: DemoSize = DemoSize(),
    *,
    seed: int = 7,
    on_track: Progress | None = None,
    workers: int = 1,
    today: date | None = None,
) -> list[Path]:
    """Write one folder per release under out_dir, return the release folders. Deterministic for a
    seed (and day: one release is dated in the future). Idempotent: a release folder whose
    release.json exists is skipped, so an interrupted build resumes. on_track(done, total) is
    called after each track. workers > 1 renders releases in that many processes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = plan_library(size, seed, today)
    total = sum(len(p.tracks) for p in plans)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if on_track is not None:
            on_track(done, total)

    pending = []
    for plan in plans:
        if is_complete(out_dir / plan.folder):
            for _ in plan.tracks:
                tick()
        else:
            pending.append(plan)
    if workers <= 1:
        for plan in pending:
            write_release(plan, out_dir, tick)
    else:
        _write_parallel(pending, out_dir, workers, tick)
    return [out_dir / p.folder for p in plans]


def _write_parallel(
    plans: list[ReleasePlan], out_dir: Path, workers: int, tick: Callable[[], None]
) -> None:
    context = multiprocessing.get_context("spawn")
    longest_first = sorted(plans, key=lambda p: -sum(t.seconds for t in p.tracks))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(write_release, plan, out_dir): plan for plan in longest_first}
        for future in as_completed(futures):
            future.result()
            for _ in futures[future].tracks:
                tick()
