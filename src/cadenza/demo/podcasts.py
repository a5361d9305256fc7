"""The demo's podcasts: two shows of short episodes, spoken by espeak-ng where it is installed,
else synthesised "speech" (tone bursts at a voice's pitch and a talker's rhythm). Written as WAV
files here; cli_demo uploads them as hosted shows, through the ingest like any episode."""

from __future__ import annotations

import math
import random
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

RATE = 22050


@dataclass(frozen=True)
class DemoEpisode:
    title: str
    notes: str
    script: str
    chapters: tuple[tuple[int, str], ...]  # (start ms, title)


@dataclass(frozen=True)
class DemoShow:
    title: str
    description: str
    episodes: tuple[DemoEpisode, ...]


SHOWS = (
    DemoShow(
        "The Cadenza Weekly",
        "<p>News from the streaming server you run yourself.</p>",
        (
            DemoEpisode(
                "Welcome to Cadenza",
                "<p>What the server does, in three minutes.</p>",
                "Welcome to Cadenza. This is a music server you run yourself. "
                "In this episode we talk about playlists, radio and podcasts.",
                ((0, "Welcome"), (6000, "Playlists and radio")),
            ),
            DemoEpisode(
                "Podcasts arrive",
                "<p>Shows from any feed, episodes that resume where you stopped.</p>",
                "Podcasts are here. Follow a show, and its new episodes wait in Your Episodes. "
                "Stop on your phone, and go on from the same second on your laptop.",
                ((0, "Following shows"), (5000, "Resume anywhere")),
            ),
        ),
    ),
    DemoShow(
        "Quiet Hours",
        "<p>Slow talk for late listening.</p>",
        (
            DemoEpisode(
                "On listening at night",
                "<p>Why the sleep timer exists.</p>",
                "Some of us listen at night. Set the sleep timer, and the episode stops on its own.",
                ((0, "Night listening"),),
            ),
        ),
    ),
)


def write_episode(path: Path, episode: DemoEpisode, seed: int) -> Path:
    """The episode's audio as a WAV file: espeak-ng's voice reading the script where installed,
    else tone bursts with the script's rhythm (a syllable per burst, a pause per word)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    speaker = shutil.which("espeak-ng")
    if speaker is not None:
        done = subprocess.run(
            [speaker, "-w", str(path), episode.script], capture_output=True, timeout=60, check=False
        )
        if done.returncode == 0 and path.exists():
            return path
    rng = random.Random(seed)
    samples: list[int] = []
    pitch = 110.0 + 40.0 * rng.random()
    for word in episode.script.split():
        for _ in range(max(1, sum(c in "aeiouy" for c in word.lower()))):
            length = int(RATE * (0.12 + 0.08 * rng.random()))
            tone = pitch * (0.9 + 0.25 * rng.random())
            for n in range(length):
                envelope = math.sin(math.pi * n / length)
                value = envelope * (
                    math.sin(2 * math.pi * tone * n / RATE)
                    + 0.4 * math.sin(4 * math.pi * tone * n / RATE)
                )
                samples.append(int(9000 * value))
        samples.extend([0] * int(RATE * (0.08 + 0.1 * rng.random())))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(int(s).to_bytes(2, "little", signed=True) for s in samples))
    return path
