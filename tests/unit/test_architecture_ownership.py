"""Architecture rules read from the source: one owner per state, one module per file name.

"No module writes another's fields": outside ``self.x = ...`` and ``cls.x = ...``
nothing assigns an attribute (``obj.attr = value``, ``obj.attr += ...``,
``obj.attr: T = ...``, ``self.other.attr = ...``). The owner changes its own
state through its methods; collaborators take state and return the next one.
Third-party APIs that are driven by attribute assignment are allowed by name.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("daemon", "drivers")

# (file relative to the repository, attribute): APIs that are used by assigning
# an attribute, so the assignment is the library's interface, not our state.
ALLOWED: set[tuple[str, str]] = {
    # xml.etree.ElementTree: an element's character data is set as Element.text.
    ("daemon/hiitd/export/tcx.py", "text"),
}

# Module names any package may have.
SHARED_NAMES = {"__init__.py", "__main__.py"}


def modules() -> list[Path]:
    """Every Python module of the daemon and the drivers."""
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _targets(node: ast.AST) -> list[ast.expr]:
    """What ``node`` assigns to (or deletes), tuples and starred names unpacked."""
    match node:
        case ast.Assign(targets=targets) | ast.Delete(targets=targets):
            found = list(targets)
        case ast.AugAssign(target=target) | ast.AnnAssign(target=target):
            found = [target]
        case ast.For(target=target) | ast.AsyncFor(target=target):
            found = [target]
        case ast.With(items=items) | ast.AsyncWith(items=items):
            found = [i.optional_vars for i in items if i.optional_vars is not None]
        case _:
            found = []
    flat: list[ast.expr] = []
    while found:
        target = found.pop()
        if isinstance(target, ast.Tuple | ast.List):
            found.extend(target.elts)
        elif isinstance(target, ast.Starred):
            found.append(target.value)
        else:
            flat.append(target)
    return flat


def foreign_writes(source: str) -> list[tuple[int, str]]:
    """``(line, target)`` of each attribute written on anything but ``self`` or ``cls``."""
    writes = []
    for node in ast.walk(ast.parse(source)):
        for target in _targets(node):
            if not isinstance(target, ast.Attribute):
                continue
            base = target.value
            if isinstance(base, ast.Name) and base.id in {"self", "cls"}:
                continue
            writes.append((target.lineno, ast.unparse(target)))
    return sorted(writes)


def test_the_ownership_check_sees_every_kind_of_attribute_write() -> None:
    """Assignments, augmented, annotated, unpacked, loop and del targets are found; self's not."""
    source = """
a.b = 1
a.b += 1
a.b: int = 2
x, (y, *a.c) = 1, (2, 3)
self.d.e = 4
for a.f in []: pass
del a.g
self.own = 5
cls.own = 6
a[0] = 7
"""
    assert foreign_writes(source) == [
        (2, "a.b"),
        (3, "a.b"),
        (4, "a.b"),
        (5, "a.c"),
        (6, "self.d.e"),
        (7, "a.f"),
        (8, "a.g"),
    ]


def test_no_module_writes_another_objects_fields() -> None:
    """No module in daemon/ or drivers/ assigns another object's attribute (allow-list aside)."""
    offenders = []
    for path in modules():
        rel = path.relative_to(ROOT).as_posix()
        for line, target in foreign_writes(path.read_text(encoding="utf-8")):
            if (rel, target.rsplit(".", 1)[-1]) not in ALLOWED:
                offenders.append(f"{rel}:{line}: {target}")
    assert not offenders, "attributes written from outside their owner:\n" + "\n".join(offenders)


def test_the_allow_list_names_only_writes_that_exist() -> None:
    """Every allowed (file, attribute) pair is still used: a stale entry would hide a new write."""
    used = {
        (path.relative_to(ROOT).as_posix(), target.rsplit(".", 1)[-1])
        for path in modules()
        for _, target in foreign_writes(path.read_text(encoding="utf-8"))
    }
    stale = ALLOWED - used
    assert not stale, f"allowed but not found: {sorted(stale)}"


def test_no_two_modules_share_a_file_name() -> None:
    """No two modules in daemon/ and drivers/ have the same file name (__init__/__main__ aside)."""
    paths_by_name: dict[str, list[str]] = defaultdict(list)
    for path in modules():
        if path.name not in SHARED_NAMES:
            paths_by_name[path.name].append(path.relative_to(ROOT).as_posix())
    shared = {name: paths for name, paths in paths_by_name.items() if len(paths) > 1}
    assert not shared, f"file names used by more than one module: {shared}"
