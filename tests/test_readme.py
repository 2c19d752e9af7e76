"""The README and docs/ stay true: tables match the benchmark results, links resolve, references are complete.

The README's headline tables are rendered from ``benchmarks/results/*.json`` by
``benchmarks/render_readme.py``; when a test here fails on them, run
``python benchmarks/render_readme.py`` and commit the README with the results.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PACKAGE = ROOT / "src" / "wordvec"


def _renderer():
    spec = importlib.util.spec_from_file_location("render_readme", ROOT / "benchmarks" / "render_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fenced_blocks(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)]


def _markdown_files() -> list[Path]:
    return [README, ROOT / "benchmarks" / "README.md", *sorted(DOCS.rglob("*.md"))]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.M)}


def test_readme_tables_agree_with_the_benchmark_results():
    renderer = _renderer()
    text = README.read_text(encoding="utf-8")
    rendered = renderer.render_readme(text, renderer.render_tables(renderer.RESULTS))
    if rendered != text:
        diff = "".join(difflib.unified_diff(text.splitlines(True), rendered.splitlines(True),
                                            "README.md", "rendered from benchmarks/results"))
        pytest.fail("README.md disagrees with benchmarks/results/*.json; run "
                    f"`python benchmarks/render_readme.py`:\n{diff}")


def test_the_renderer_refuses_a_readme_without_its_markers():
    renderer = _renderer()
    tables = renderer.render_tables(renderer.RESULTS)
    with pytest.raises(renderer.RenderError, match="not marked"):
        renderer.render_readme("# no tables here\n", tables)
    marked = "".join(f"<!-- table:{name} -->\nold\n<!-- /table -->\n" for name in tables)
    assert "old" not in renderer.render_readme(marked, tables)


def test_readme_is_at_most_200_lines():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= 200, f"README.md has {lines} lines; move detail to docs/"


def test_readme_opens_with_the_two_setup_commands():
    blocks = _fenced_blocks(README.read_text(encoding="utf-8"))
    main_job, test_suite = blocks[0], blocks[1]
    for block in (main_job, test_suite):
        assert block.startswith("python3 -m venv .venv && . .venv/bin/activate && "), block
        assert "\n" not in block, "each set-up command is one line, to paste as it is"
    assert "pip install -e . && wordvec train " in main_job
    assert "wordvec similar model " in main_job
    assert 'pip install -e ".[test' in test_suite
    assert test_suite.endswith("python -m pytest -q -n auto")  # pytest-xdist: a process per core


def test_readme_lists_every_engine():
    from wordvec import api

    text = README.read_text(encoding="utf-8")
    listed = re.search(r"--engine ([a-z|]+)", text)
    assert listed, "the README's command synopsis names the engines"
    assert sorted(listed.group(1).split("|")) == sorted(api.engines())


def test_python_names_in_the_readme_are_public():
    import wordvec

    code = "\n".join(b for b in re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M))
    used = set(re.findall(r"\bwordvec\.([A-Za-z_]\w*)", code))
    assert used, "the README has a Python example"
    subpackages = {"compat"}  # imported by their full name: wordvec.compat.gensim
    assert used - subpackages <= set(wordvec.__all__), f"not public: {sorted(used - subpackages - set(wordvec.__all__))}"


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_to_existing_files(path):
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans hold no links
    broken = []
    for target in re.findall(r"!?\[[^\]]*\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target} (no such heading)")
    assert not broken, f"{path.relative_to(ROOT)}: broken links {broken}"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    from wordvec import cli

    parser = cli.build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices)


def test_cli_reference_documents_every_command_and_option():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `wordvec ([a-z]+)`\n(.*?)(?=^## |\Z)", text, re.S | re.M))
    missing = []
    for name, sub in _subcommands().items():
        if name not in sections:
            missing.append(f"section `wordvec {name}`")
            continue
        jobs = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        parsers = list(jobs[0].choices.values()) if jobs else [sub]  # `wordvec classify train`, ...: one section
        for action in (action for parser in parsers for action in parser._actions):
            for option in action.option_strings:
                if option not in ("-h", "--help") and not re.search(rf"`{re.escape(option)}[ `\\]", sections[name]):
                    missing.append(f"wordvec {name} {option}")
            for choice in action.choices or ():
                if action.option_strings and str(choice) not in sections[name]:
                    missing.append(f"wordvec {name} {action.option_strings[0]} {choice}")
    assert not missing, f"docs/cli.md does not document: {missing}"


def test_architecture_lists_every_module_and_only_those():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- modules -->\n(.*?)<!-- /modules -->", text, re.S)
    assert table, "docs/architecture.md marks its module table with <!-- modules --> ... <!-- /modules -->"
    listed = re.findall(r"^\| `([^`]+)` \|", table.group(1), re.M)
    modules = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    unlisted = sorted(modules - set(listed))
    gone = sorted(entry for entry in listed if not (PACKAGE / entry).exists())
    assert not unlisted and not gone, (f"docs/architecture.md: modules not listed {unlisted}, "
                                       f"listed but gone {gone}")
