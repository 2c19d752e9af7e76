"""The architecture as rules: which code may import which (docs/architecture.md)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

import wordvec

PACKAGE = Path(wordvec.__file__).parent
#: Packages that sit upstream of training and loading: they never import the estimator, engines or the jobs.
UPSTREAM = {"readers", "text", "encoding", "kernels", "formats", "vectors"}
DOWNSTREAM = {"model", "engines", "api", "cli", "classifier"}
MAX_LINES = 600
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, Path]:
    """``{"wordvec.formats.word2vec": path}`` for every Python file of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


@functools.lru_cache(maxsize=None)
def _tree(path: Path) -> ast.Module:
    """The parsed module, parsed once for all the rules."""
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(name: str, path: Path):
    """Every import in a module, anywhere in it: ``(module imported, names taken from it)``."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target, [alias.name for alias in node.names]


def _owner(module: str) -> str:
    """The top-level part of wordvec a module belongs to: ``wordvec.formats.x`` -> ``formats``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _wordvec_imports():
    for name, path in MODULES.items():
        for target, names in _imports(name, path):
            if target == "wordvec" or target.startswith("wordvec."):
                yield name, target, names


@pytest.mark.slow
def test_no_private_name_is_imported_from_another_package():
    crossings = []
    for name, target, names in _wordvec_imports():
        for taken in [target] + [f"{target}.{n}" for n in names]:
            private = any(part.startswith("_") and not part.startswith("__") for part in taken.split(".")[1:])
            if private and _owner(taken) != _owner(name):
                crossings.append(f"{name} imports {taken}")
    assert crossings == []


@pytest.mark.slow
def test_no_import_circle_between_the_parts_of_wordvec():
    graph: dict[str, set[str]] = {}
    for name, target, _ in _wordvec_imports():
        a, b = _owner(name), _owner(target)
        if a and b and a != b:
            graph.setdefault(a, set()).add(b)

    def reaches(start, goal, seen):
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = sorted({f"{a} <-> {b}" for a in graph for b in graph[a] if reaches(b, a, {b})})
    assert circles == []


def test_upstream_parts_never_import_the_estimator_engines_or_jobs():
    wrong = [f"{name} imports {target}" for name, target, _ in _wordvec_imports()
             if _owner(name) in UPSTREAM and _owner(target) in DOWNSTREAM]
    assert wrong == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_and_functions_are_short(name):
    path = MODULES[name]
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_LINES, f"{path}: {text.count(chr(10))} lines"
    long = [f"{node.name}: {node.end_lineno - node.lineno + 1} lines" for node in ast.walk(_tree(path))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []
