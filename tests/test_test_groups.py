"""The groups and the long tests of the root ``conftest.py`` (how ``-n auto`` shares the tests out) name
tests that exist: a test renamed or moved would silently leave its group, and the run get slower."""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _root_conftest():
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROOT_CONFTEST = _root_conftest()
NAMES = sorted({name for names in ROOT_CONFTEST.GROUPS.values() for name in names} | set(ROOT_CONFTEST.LONG))


@functools.lru_cache(maxsize=None)
def _functions(path: str) -> frozenset:
    """The names of the functions a file defines at its top level."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


@pytest.mark.parametrize("name", NAMES)
def test_each_name_is_a_test_file_or_a_test_function(name):
    path, _, function = name.partition("::")
    assert (ROOT / path).is_file(), path
    if function:
        assert function in _functions(path)


def test_a_test_is_in_one_group_at_most_and_ids_are_matched_whole():
    groups = ROOT_CONFTEST.GROUPS
    for group, names in groups.items():
        for name in names:
            assert ROOT_CONFTEST.group_of(name) == group
            assert ROOT_CONFTEST.group_of(f"{name}[x]") == group
    assert ROOT_CONFTEST.group_of("tests/test_io.py::test_model_directory_round_trip_is_exact") == "scipy"
    assert ROOT_CONFTEST.group_of("tests/test_cli.py::test_evaluate_prints_json_in_the_documented_shape_") is None
    assert ROOT_CONFTEST.group_of("tests/test_iox.py::test_a") is None
