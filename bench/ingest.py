"""Ingest speed: the whole pipeline against the encoders alone, and library rescans.

    python bench/ingest.py [--tracks 12] [--seconds 60] [--rescan-files 10000]

1. Synthesises a batch of demo tracks (16-bit 44.1 kHz FLAC and MP3 sources).
2. Pipeline: `cadenza ingest` of that library (read, validate, tags, loudness, transcode to the
   whole ladder, store, publish) with one worker per core; real-time factor = audio seconds / wall.
3. Encoders alone (the limit): the same sources decoded to PCM beforehand, then PyAV encoding that
   PCM to the same ladder with nothing around it, on a pool of the same size.
4. Rescan: a library of N files that the database already knows (as a previous ingest leaves it)
   scanned again; files per second through `plan` + `run`, the code path of `cadenza ingest`.
5. Start and touched re-scan, as a user runs them: `cadenza users list` (a command that opens the
   database) from start to exit; and a library of 300 tagged files (30 albums of 10) ingested,
   then 30 of them touched (one per album: a new modification time, the same bytes) and
   `cadenza ingest LIBRARY` run again, timed from start to exit. Then one file of one album is
   rewritten with new bytes (same tags) and `cadenza ingest LIBRARY` run again: that track is
   described and encoded again, its album's figures follow, its nine others are not decoded.
   `--rescans-only` runs just this part (results in bench/results/ingest_rescans.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

from _results import PeakRss, write_results
from cadenza.adapters.audio.encoders import encode_pcm_ladder, frames_from_array
from cadenza.bootstrap import bootstrap, worker_pool
from cadenza.config import Settings
from cadenza.demo import DemoSize, write_demo_library
from cadenza.domain.audio import ladder_for
from cadenza.ingest.library import LibraryIngest
from cadenza.ingest.source import is_audio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' audio fixtures
from tests.fixtures.audio import make_audio


def make_sources(root: Path, tracks: int, seconds: float) -> list[Path]:
    size = DemoSize(
        artists=3,
        releases=max(1, tracks // 4),
        tracks=tracks,
        min_seconds=seconds,
        max_seconds=seconds,
        mean_seconds=seconds,
    )
    write_demo_library(root, size, seed=11)
    return sorted(p for p in root.rglob("*") if is_audio(p))


def decode_to_pcm(path: Path) -> tuple[np.ndarray, int, bool]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        lossless = stream.codec_context.name in {
            "flac",
            "alac",
        } or stream.codec_context.name.startswith("pcm")
        chunks, rate = [], stream.codec_context.sample_rate
        for frame in container.decode(stream):
            array = frame.to_ndarray()
            if not frame.format.is_planar:
                array = array.reshape(-1, len(frame.layout.channels)).T
            chunks.append(array)
    pcm = np.concatenate(chunks, axis=1)
    if pcm.dtype.kind == "f":
        pcm = np.clip(np.round(pcm * 32767), -32768, 32767).astype(np.int16)
    return pcm, rate, lossless


def encode_only(job: tuple[np.ndarray, int, bool, str]) -> None:
    pcm, rate, lossless, out = job
    encode_pcm_ladder(frames_from_array(pcm, rate), ladder_for(lossless), Path(out))


def warm(_: int) -> None:
    """Start a worker and import what it runs, so start-up is not timed."""
    import cadenza.adapters.audio.encoders
    import cadenza.adapters.audio.transcode
    import cadenza.ingest.encode  # noqa: F401


def audio_seconds(paths: list[Path]) -> float:
    total = 0.0
    for p in paths:
        with av.open(str(p)) as c:
            total += float(c.duration or 0) / av.time_base
    return total


def bench_pipeline(library: Path, work: Path, workers: int) -> tuple[float, float]:
    settings = Settings(data_dir=work / "var", transcode_workers=workers)
    app = bootstrap(settings)
    try:
        list(app.pool.map(warm, range(workers * 4)))  # workers started before the clock
        ingest = LibraryIngest(app.ingest_tools(), app.distributor_id("bench"))
        with PeakRss() as rss:
            start = time.perf_counter()
            sources, report = ingest.plan(library)
            ingest.run(sources, report)
            wall = time.perf_counter() - start
        assert not report.refused, report.refused
    finally:
        app.close()
    return wall, rss.peak_mb


def bench_encoders(paths: list[Path], work: Path, workers: int) -> tuple[float, float]:
    jobs = []
    for n, p in enumerate(paths):
        pcm, rate, lossless = decode_to_pcm(p)
        out = work / "enc" / str(n)
        out.mkdir(parents=True)
        jobs.append((pcm, rate, lossless, str(out)))
    with worker_pool(workers) as pool:
        list(pool.map(warm, range(workers * 4)))
        with PeakRss() as rss:
            start = time.perf_counter()
            list(pool.map(encode_only, jobs))
            wall = time.perf_counter() - start
    return wall, rss.peak_mb


def bench_rescan(work: Path, files: int) -> float:
    library = work / "big-library"
    seed = library / "seed.mp3"
    library.mkdir(parents=True)
    seed.write_bytes(b"\xff\xfb" + b"\0" * 4000)
    settings = Settings(data_dir=work / "var-rescan")
    app = bootstrap(settings)
    try:
        with app.uow() as uow:
            for n in range(files):
                path = library / f"artist{n // 100:03d}" / f"album{n // 10:04d}" / f"{n:05d}.mp3"
                path.parent.mkdir(parents=True, exist_ok=True)
                os.link(seed, path)
                st = path.stat()
                uow.library.record_file(str(path), st.st_size, st.st_mtime_ns, None, None)
            uow.commit()
        seed.unlink()
        ingest = LibraryIngest(app.ingest_tools(), app.distributor_id("bench"))
        start = time.perf_counter()
        sources, report = ingest.plan(library)
        ingest.run(sources, report)
        wall = time.perf_counter() - start
        assert report.unchanged_files == files and not sources, (
            report.unchanged_files,
            len(sources),
        )
    finally:
        app.close()
    return files / wall


def cadenza(data_dir: Path, *args: str) -> float:
    """Seconds from the start of `cadenza ARGS` to its exit."""
    return cadenza_run(data_dir, *args)[0]


def cadenza_run(data_dir: Path, *args: str) -> tuple[float, str]:
    """Seconds from the start of `cadenza ARGS` to its exit, and what it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADENZA_")}
    env |= {"CADENZA_DATA_DIR": str(data_dir)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cadenza", *args], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-2000:]
    return wall, done.stdout


def album_track(library: Path, album: int, number: int, freq: float) -> Path:
    tags = {
        "title": f"Song {number}",
        "artists": [f"Artist {album}"],
        "album": f"Album {album}",
        "album_artists": [f"Artist {album}"],
        "track_number": number,
    }
    path = library / f"Artist {album}" / f"Album {album}" / f"{number:02d}.flac"
    return make_audio(path, "flac", seconds=1.0, freq=freq, tags=tags)


def bench_start_and_rescans(work: Path) -> tuple[float, float, float]:
    data_dir = work / "var-touched"
    library = work / "touched-library"
    for album in range(30):
        for number in range(1, 11):
            album_track(library, album, number, 100.0 + 10 * number + album)
    cadenza(data_dir, "ingest", str(library))
    start = statistics.median(cadenza(data_dir, "users", "list") for _ in range(3))
    later = time.time() + 3600
    for album in range(30):
        os.utime(library / f"Artist {album}" / f"Album {album}" / "01.flac", (later, later))
    touched = cadenza(data_dir, "ingest", str(library))
    album_track(library, 0, 5, 777.0)  # new bytes, the same tags
    changed, printed = cadenza_run(data_dir, "ingest", str(library), "--json")
    report = json.loads(printed)
    assert (report["changed_files"], report["decoded_files"]) == (1, 1), report
    return start, touched, changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rescan-files", type=int, default=10_000)
    parser.add_argument("--rescans-only", action="store_true", help="only part 5")
    args = parser.parse_args()
    if args.rescans_only:
        rescans_only()
        return
    workers = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="cadenza-bench-"))
    try:
        paths = make_sources(work / "library", args.tracks, args.seconds)
        seconds = audio_seconds(paths)
        pipeline_wall, pipeline_rss = bench_pipeline(work / "library", work, workers)
        encoders_wall, encoders_rss = bench_encoders(paths, work, workers)
        rescan = bench_rescan(work, args.rescan_files)
        cli_start, touched, changed = bench_start_and_rescans(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pipeline_rtf = seconds / pipeline_wall
    encoders_rtf = seconds / encoders_wall
    figures = {
        "pipeline_vs_encoders": round(pipeline_rtf / encoders_rtf, 3),
        "pipeline_realtime_factor": round(pipeline_rtf, 1),
        "pipeline_realtime_factor_per_core": round(pipeline_rtf / workers, 1),
        "encoders_realtime_factor": round(encoders_rtf, 1),
        "encoders_realtime_factor_per_core": round(encoders_rtf / workers, 1),
        "rescan_files_per_s": round(rescan),
        "cli_start_s": round(cli_start, 3),
        "touched_rescan_s_30_of_300": round(touched, 3),
        "changed_rescan_s_1_of_300": round(changed, 3),
        "peak_rss_mb": round(pipeline_rss, 1),
        "encoders_peak_rss_mb": round(encoders_rss, 1),
        "audio_seconds": round(seconds, 1),
        "cores": workers,
    }
    notes = {
        "pipeline_vs_encoders": "goal >= 0.8",
        "pipeline_realtime_factor": "audio seconds ingested per wall second, whole machine",
        "encoders_realtime_factor": "PyAV encoders alone on pre-decoded PCM: the limit",
        "rescan_files_per_s": f"unchanged files passed over ({args.rescan_files} known); goal >= 1000",
        **RESCAN_NOTES,
        "peak_rss_mb": "pipeline: this process and its workers",
        "encoders_peak_rss_mb": "encoders alone, PCM held in memory",
    }
    write_results("ingest", figures, notes)


RESCAN_NOTES = {
    "cli_start_s": "`cadenza users list`, start to exit (median of 3); goal <= 0.5",
    "touched_rescan_s_30_of_300": "`cadenza ingest` after touching 30 of 300 files",
    "changed_rescan_s_1_of_300": "`cadenza ingest` after new bytes in 1 of 300 files",
}


def rescans_only() -> None:
    load = os.getloadavg()[0]  # start times are worth little on a busy machine: said beside them
    work = Path(tempfile.mkdtemp(prefix="cadenza-bench-"))
    try:
        cli_start, touched, changed = bench_start_and_rescans(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = {
        "cli_start_s": round(cli_start, 3),
        "touched_rescan_s_30_of_300": round(touched, 3),
        "changed_rescan_s_1_of_300": round(changed, 3),
        "cores": os.cpu_count() or 1,
        "load_1m_at_start": round(load, 1),
    }
    write_results("ingest_rescans", figures, RESCAN_NOTES, script="ingest")


if __name__ == "__main__":
    main()
