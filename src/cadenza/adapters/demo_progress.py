"""How far the demo catalog is: a small file in the data dir, so every server process can tell."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DemoProgress:
    done: int  # releases published
    total: int

    @property
    def preparing(self) -> bool:
        return self.done < self.total


class DemoProgressFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> DemoProgress | None:
        """None where no demo was ever started here."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return DemoProgress(int(raw["done"]), int(raw["total"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, progress: DemoProgress) -> None:
        draft = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        draft.write_text(json.dumps({"done": progress.done, "total": progress.total}))
        draft.replace(self.path)  # readers see the old figure or the new, never half of one
