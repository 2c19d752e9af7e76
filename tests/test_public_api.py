"""The public names of ``wordvec`` stay what they say, whatever has been imported."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import types

import wordvec


def _import_every_submodule() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(wordvec.__path__, prefix="wordvec."):
        origin = importlib.util.find_spec(info.name).origin or ""
        if info.name == "wordvec.__main__" or not origin.endswith(".py"):  # the command line; the C library
            continue
        importlib.import_module(info.name)
        names.append(info.name)
    return names


def test_every_public_name_is_what_it_names_after_every_submodule_is_imported():
    imported = _import_every_submodule()
    assert "wordvec.evaluate" in imported
    for name in wordvec.__all__:
        value = getattr(wordvec, name)
        if name == "__version__":
            assert isinstance(value, str)
            continue
        assert not isinstance(value, types.ModuleType), name
        module = importlib.import_module(f"wordvec.{wordvec._EXPORTS[name]}")
        assert value is getattr(module, name), name


def test_evaluate_is_the_function_after_importing_its_module():
    import wordvec.evaluate  # noqa: F401  (binds the submodule on the package, as any import of it does)

    assert callable(wordvec.evaluate)
    assert wordvec.evaluate.__name__ == "evaluate"
    assert "evaluate_word_pairs" in dir(importlib.import_module("wordvec.evaluate"))


def test_all_lists_only_names_the_package_has():
    assert sorted(set(wordvec.__all__)) == sorted(wordvec.__all__)
    for name in wordvec.__all__:
        assert hasattr(wordvec, name), name
