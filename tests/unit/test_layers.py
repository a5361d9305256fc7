"""The layers of DESIGN.md hold: imports point inward, and the domain needs nothing but Python."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "cadenza"
FRAMEWORKS = ("sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn", "av", "mutagen", "PIL")

# layer -> the cadenza packages it must never import
FORBIDDEN = {
    "domain": (
        "ports",
        "services",
        "ingest",
        "adapters",
        "api",
        "jobs",
        "cli",
        "bootstrap",
        "config",
        "demo",
        "client",
    ),
    "ports": (
        "services",
        "ingest",
        "adapters",
        "api",
        "jobs",
        "cli",
        "bootstrap",
        "config",
        "demo",
    ),
    "services": ("adapters", "api", "jobs", "cli", "bootstrap", "demo"),
    "ingest": ("services", "adapters", "api", "jobs", "cli", "bootstrap", "demo"),
    "adapters": ("services", "ingest", "api", "jobs", "cli", "bootstrap", "demo"),
    "api": ("adapters", "jobs", "cli", "demo"),
    "jobs": ("api", "cli", "adapters"),
    "demo": ("services", "ingest", "adapters", "api", "jobs", "cli", "bootstrap"),
    "client": ("services", "ingest", "adapters", "api", "jobs", "cli", "bootstrap"),
}
NO_FRAMEWORKS = ("domain", "ports", "services", "ingest")


def imports_of(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def violations(layer: str, imported: list[str]) -> list[str]:
    bad = []
    for name in imported:
        parts = name.split(".")
        if parts[0] == "cadenza" and len(parts) > 1 and parts[1] in FORBIDDEN.get(layer, ()):
            bad.append(name)
        outside = parts[0] != "cadenza" and parts[0] not in sys.stdlib_module_names
        if (layer in NO_FRAMEWORKS and parts[0] in FRAMEWORKS) or (layer == "domain" and outside):
            bad.append(name)
    return bad


def test_every_module_imports_only_inward() -> None:
    found = {}
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).parts
        layer = relative[0].removesuffix(".py")
        bad = violations(layer, imports_of(path))
        if bad:
            found[str(path.relative_to(SRC))] = bad
    assert found == {}, f"imports against the direction of DESIGN.md: {found}"


def test_the_check_catches_an_outward_import() -> None:
    assert violations("domain", ["sqlalchemy.orm"]) == ["sqlalchemy.orm"]
    assert violations("services", ["cadenza.adapters.db.models"]) != []
    assert violations("api", ["cadenza.adapters.blobs.local"]) != []
    assert violations("services", ["cadenza.ports", "cadenza.domain.catalog"]) == []
