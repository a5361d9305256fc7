"""The layers of docs/design.md hold: imports point inward, the domain needs nothing but Python,
routes take the services they use, and no service reaches into another's private members."""

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
    "recs": ("services", "ingest", "adapters", "api", "jobs", "cli", "bootstrap", "demo"),
    "batch": ("services", "ingest", "api", "jobs", "cli", "bootstrap", "demo"),
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
    assert found == {}, f"imports against the direction of docs/design.md: {found}"


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


# -- reach-through: a module uses what it is given, not what that holds ----------------------
LOCATOR = ("App", "AppDep", "get_app")


def locator_uses(source: str) -> list[str]:
    """A route module's uses of the App locator: its names, or the App kept on the ASGI app."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id in LOCATOR:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.alias) and node.name.split(".")[-1] in LOCATOR:
            found.append(f"import of {node.name}")
        elif isinstance(node, ast.Attribute) and node.attr == "cadenza":
            found.append(f"line {node.lineno}: .cadenza")
    return found


def private_reaches(source: str, own_module: str) -> list[str]:
    """A service's uses of another object's private members (`self.player._load`, `other._x`),
    or of another module's private names."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not _dunder(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module != own_module:
            found += [f"import of {node.module}.{a.name}" for a in node.names if _private(a.name)]
    return found


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _private(name: str) -> bool:
    return name.startswith("_") and not _dunder(name)


def test_routes_take_the_services_they_use_not_the_app() -> None:
    found = {}
    for path in (SRC / "api" / "routes").glob("*.py"):
        uses = locator_uses(path.read_text())
        if uses:
            found[path.name] = uses
    assert found == {}, (
        f"routes reaching through the App (use a dependency of api/deps.py): {found}"
    )


def test_services_never_reach_into_another_objects_private_members() -> None:
    found = {}
    for path in (SRC / "services").glob("*.py"):
        reaches = private_reaches(path.read_text(), f"cadenza.services.{path.stem}")
        if reaches:
            found[path.name] = reaches
    assert found == {}, f"private members reached from outside: {found}"


def test_the_reach_through_checks_catch_what_they_are_for() -> None:
    assert locator_uses("def f(app: AppDep) -> None: ...") != []
    assert locator_uses("from cadenza.bootstrap import App") != []
    assert locator_uses("def f(r): return r.app.state.cadenza.player") != []
    assert locator_uses("def f(player: PlayerDep) -> None: player.play()") == []
    assert private_reaches("def f(self): self.player._load(1)", "m") != []
    assert private_reaches("def f(self, other): other._state", "m") != []
    assert private_reaches("from cadenza.services.player import _state_to", "m") != []
    assert private_reaches("def f(self): self._load(1); self.__class__", "m") == []
