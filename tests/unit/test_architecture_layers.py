"""The layer rules of docs/architecture.md, checked on the code as it is.

import-linter checks who may import whom (pyproject.toml); two things it
cannot see are checked here: that a pure module is pure *at run time* (a
package's ``__init__`` runs on import, and an eager re-export there loads an
adapter), and that no two modules import each other in a circle, counting
imports made only for type checking.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"hiitd": ROOT / "daemon" / "hiitd", "hiitd_drivers": ROOT / "drivers" / "hiitd_drivers"}

# What a pure module must never load: the adapters' libraries, the store, the
# settings loader and the heavy analysis libraries.
ADAPTER_LIBRARIES = (
    "aiomqtt",
    "amqtt",
    "bleak",
    "sqlite3",
    "pydantic_settings",
    "matplotlib",
    "numpy",
)
# The domain core also runs no event loop of its own: time is an argument.
CORE_LIBRARIES = (*ADAPTER_LIBRARIES, "asyncio")

CORE_PACKAGES = (
    "hiitd.coach",
    "hiitd.metrics",
    "hiitd.plan",
    "hiitd.record",
    "hiitd_drivers.gatt",
)
CORE_MODULES = (
    "hiitd.errors",
    "hiitd.workouts.library",
    "hiitd.workouts.zwo",
    "hiitd.workouts.fit_workout",
    "hiitd.workouts.icu_text",
    "hiitd.workouts.toml_format",
    "hiitd.workouts.toml_dump",
    "hiitd_drivers.samples",
    "hiitd_drivers.convert",
    "hiitd_drivers.binding",
    "hiitd_drivers.backoff",
    "hiitd_drivers.sim_athlete",
    "hiitd_drivers.sim_fitness",
)
# Pure, but in an adapter or runtime package: message building and the check-in's counting.
PURE_EDGE_MODULES = (
    "hiitd.mqtt.topics",
    "hiitd.mqtt.payloads",
    "hiitd.mqtt.command_parser",
    "hiitd.mqtt.discovery",
    "hiitd.mqtt.ratelimit",
    "hiitd.runtime.telemetry",
    "hiitd.runtime.checkin_desk",
    "hiitd.runtime.coach_service",
)


def _modules() -> dict[str, Path]:
    """Every module of the two packages, by dotted name (packages by their ``__init__``)."""
    found = {}
    for top, folder in SOURCES.items():
        for path in folder.rglob("*.py"):
            parts = [top, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _in(package: str) -> list[str]:
    return sorted(m for m in MODULES if m == package or m.startswith(package + "."))


def _loaded_after_import(module: str, libraries: tuple[str, ...]) -> list[str]:
    """Which of ``libraries`` are in ``sys.modules`` after importing ``module`` afresh."""
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps(sorted(l for l in {libraries!r} if l in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


CORE = sorted({m for p in CORE_PACKAGES for m in _in(p)} | set(CORE_MODULES))


@pytest.mark.parametrize("module", CORE)
def test_the_domain_core_loads_no_adapter_and_no_event_loop(module: str) -> None:
    """Importing a domain module in a fresh interpreter loads no adapter library, nor asyncio."""
    assert _loaded_after_import(module, CORE_LIBRARIES) == []


@pytest.mark.parametrize("module", PURE_EDGE_MODULES)
def test_message_building_loads_no_adapter(module: str) -> None:
    """Topics, payloads, command parsing and the coach's translation load no adapter library."""
    assert _loaded_after_import(module, ADAPTER_LIBRARIES) == []


def _imports(module: str, path: Path) -> set[str]:
    """The modules of ours that ``module`` imports, type-checking-only imports included."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        for imported in names:
            name = imported
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
    return out


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of ``graph`` with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                circles.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return circles


def test_no_module_imports_itself_through_others() -> None:
    """No import circle anywhere in daemon/ and drivers/, type-only imports included."""
    # A package imports its own modules (re-exports) and they import siblings by
    # full name, which passes through the package: only module-to-module edges count.
    graph = {
        m: {t for t in _imports(m, p) if not m.startswith(t + ".")} for m, p in MODULES.items()
    }
    assert _circles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    """The check above can fail: a two-module circle and a three-module one are found."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}
    assert _circles(graph) == [["a", "b"], ["c", "d", "e"]]


def test_the_coach_and_the_settings_do_not_import_each_other() -> None:
    """Settings build on the coach's config; the coach never reads the settings module."""
    coach = [m for m in MODULES if m.startswith("hiitd.coach")]
    assert not [m for m in coach if "hiitd.settings" in _imports(m, MODULES[m])]
