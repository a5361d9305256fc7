"""A demo music library generated offline: synthesised tracks in ten styles, covers, manifests.

write_demo_library() writes release folders (audio, cover.jpg, release.json) that the normal
ingest pipeline picks up like any real delivery.
"""

from cadenza.demo.catalog import DemoSize, ReleasePlan, TrackPlan
from cadenza.demo.library import release_json, write_demo_library, write_release
from cadenza.demo.plan import plan_library
from cadenza.demo.styles import STYLES, style_names
from cadenza.demo.synth import Pcm, render_track

__all__ = [
    "STYLES",
    "DemoSize",
    "Pcm",
    "ReleasePlan",
    "TrackPlan",
    "plan_library",
    "release_json",
    "render_track",
    "style_names",
    "write_demo_library",
    "write_release",
]
