"""`src/` uses its libraries through their public API only (issue 14, point 1).

A `_`-prefixed name is a library's own business: it changes in any release without notice. So in
`src/oms`: no `_name` is read, called or overridden on anything but our own `self`/`cls` (which
rules out `super()._handler(...)` and `server._state`), a class of ours that extends a library
class defines no `_name` that the library class has, and no object's class is swapped
(`obj.__class__ = Other`).
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "oms"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _trees() -> list[tuple[Path, ast.Module]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    return [(path, ast.parse(path.read_text(), str(path))) for path in paths]


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"


def test_no_private_name_is_used_on_anything_but_our_own_objects() -> None:
    found = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not _private(node.attr):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            found.append(f"{_where(path, node)}: {ast.unparse(node)}")
    assert found == []


def test_no_class_of_ours_overrides_or_reads_a_library_classs_private_names() -> None:
    found = []
    for path, tree in _trees():
        classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and node.bases]
        if not classes:
            continue
        dotted = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        module = importlib.import_module(dotted)
        for node in classes:
            ours = getattr(module, node.name, None)
            if not inspect.isclass(ours):
                continue
            theirs = {
                name
                for base in ours.__mro__[1:]
                if not base.__module__.startswith("oms.") and base is not object
                for name in vars(base)
                if _private(name)
            }
            used = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            } | {
                sub.attr
                for sub in ast.walk(node)
                if isinstance(sub, ast.Attribute)
                and isinstance(sub.value, ast.Name)
                and sub.value.id == "self"
            }
            found += [f"{_where(path, node)}: {node.name}.{name}" for name in sorted(used & theirs)]
    assert found == []


def test_no_object_has_its_class_swapped() -> None:
    found = [
        _where(path, node)
        for path, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute) and target.attr == "__class__"
    ]
    assert found == []
