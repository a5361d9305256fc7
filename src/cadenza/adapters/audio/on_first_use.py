"""An audio or image adapter made on its first call: `cadenza ingest` of a library whose files
did not change never decodes, encodes or draws, so it never imports PyAV, numpy, scipy or Pillow
(most of such a re-scan's start). Picklable: the encoding workers get it, and make their own."""

from __future__ import annotations

from importlib import import_module
from typing import Any


class OnFirstUse:
    """`OnFirstUse("cadenza.adapters.audio.probe", "PyAvProbe", max_duration_s=60)` stands for
    `PyAvProbe(max_duration_s=60)`, imported and made when one of its methods is first asked."""

    def __init__(self, module: str, name: str, **options: Any) -> None:
        self._module, self._name, self._options = module, name, options
        self._made: Any = None

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") or "_made" not in self.__dict__:  # pickling asks these
            raise AttributeError(attribute)
        if self._made is None:
            self._made = getattr(import_module(self._module), self._name)(**self._options)
        return getattr(self._made, attribute)

    def __getstate__(self) -> dict[str, Any]:
        return {"_module": self._module, "_name": self._name, "_options": self._options}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _made=None)
