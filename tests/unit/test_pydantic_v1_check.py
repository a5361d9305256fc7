"""The server keeps `pydantic.v1` out of its memory: FastAPI's check for v1 models answers
without importing it (api/pydantic_v1_check.py), and still finds a v1 model once it is."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import sys
from fastapi.testclient import TestClient
from fastapi import FastAPI
from pydantic import BaseModel
from cadenza.api.pydantic_v1_check import check_v1_only_when_imported
from fastapi._compat import shared
from fastapi import encoders

check_v1_only_when_imported()

class Song(BaseModel):
    title: str

api = FastAPI()

@api.post("/songs")
def add(song: Song) -> Song:
    return song

with TestClient(api) as client:
    assert client.post("/songs", json={"title": "Night"}).json() == {"title": "Night"}
    assert client.post("/songs", json={"title": 3}).status_code == 422
assert "pydantic.v1" not in sys.modules, "imported"

import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pydantic import v1

class OldSong(v1.BaseModel):
    title: str

assert shared.is_pydantic_v1_model_class(OldSong)
assert not shared.is_pydantic_v1_model_class(Song)
assert encoders.is_pydantic_v1_model_instance(OldSong(title="x"))
print("ok")
"""


def test_fastapi_answers_without_pydantic_v1_and_still_knows_a_v1_model() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"
