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


PORTS = SRC / "ports"
SQL_ADAPTERS = SRC / "adapters" / "db"
MAX_METHODS = 20  # a repository port is read at once; a bigger one is split per aggregate
MAX_LINES = 400


def protocol_sizes(path: Path) -> dict[str, int]:
    """Methods (properties included) of each Protocol class in a module."""
    sizes = {}
    for node in ast.parse(path.read_text()).body:
        bases = [b.id for b in getattr(node, "bases", []) if isinstance(b, ast.Name)]
        if isinstance(node, ast.ClassDef) and "Protocol" in bases:
            defs = (ast.FunctionDef, ast.AsyncFunctionDef)
            sizes[node.name] = sum(isinstance(n, defs) for n in node.body)
    return sizes


def test_ports_is_a_package_whose_every_module_is_the_ports_layer() -> None:
    modules = sorted(p.name for p in PORTS.glob("*.py"))
    assert not (SRC / "ports.py").exists()
    assert {"accounts.py", "sessions.py", "subscriptions.py", "unit_of_work.py"} <= set(modules)
    for path in PORTS.glob("*.py"):  # what test_every_module_imports_only_inward checks them as
        layer = path.relative_to(SRC).parts[0].removesuffix(".py")
        assert layer == "ports"
        assert violations(layer, ["cadenza.services.sessions"]) != []
        assert violations(layer, ["sqlalchemy.orm"]) != []


def test_our_code_imports_each_port_from_its_aggregate_module() -> None:
    # The package re-exports every name for outside code; inside, a module names its aggregate.
    found = {
        str(path.relative_to(SRC)): "cadenza.ports"
        for path in SRC.rglob("*.py")
        if path.parent != PORTS and "cadenza.ports" in imports_of(path)
    }
    assert found == {}


def test_every_repository_port_can_be_read_at_once() -> None:
    sizes = {
        f"{path.stem}.{name}": n
        for path in PORTS.glob("*.py")
        for name, n in protocol_sizes(path).items()
        if name != "UnitOfWork"  # its attributes are the repositories themselves
    }
    assert len(sizes) > 30
    assert {name: n for name, n in sizes.items() if n > MAX_METHODS} == {}


def test_no_module_of_the_ports_or_the_sql_adapters_runs_past_a_few_screens() -> None:
    lengths = {
        str(path.relative_to(SRC)): len(path.read_text().splitlines())
        for folder in (PORTS, SQL_ADAPTERS)
        for path in folder.glob("*.py")
    }
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def test_each_sql_repository_has_a_module_of_its_own() -> None:
    classes = {
        path.name: [n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)]
        for path in SQL_ADAPTERS.glob("*_repo.py")
    }
    assert {name: found for name, found in classes.items() if len(found) != 1} == {}


def test_the_size_checks_catch_a_big_port(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    methods = "".join(f"    def m{i}(self) -> None: ...\n" for i in range(MAX_METHODS + 1))
    big.write_text(f"class Big(Protocol):\n{methods}\nclass Plain:\n    def m(self) -> None: ...\n")
    assert protocol_sizes(big) == {"Big": MAX_METHODS + 1}
