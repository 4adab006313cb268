"""The committed notebooks (nbs/*.ipynb) as a reader gets them: they run top to bottom with no tag the book's reader
adds, and every module they import comes with `pip install 'chaos-book[notebooks]'`.

Both tests read the notebooks only (no kernel): that every cell runs is proved by the book build, which executes each
notebook with no error allowance (`allow_errors: false`, `raise_on_error: true`).
"""

import ast
import json
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "nbs").glob("*.ipynb"))
ERROR_DIRECTIVE = re.compile(r"^\s*#\s*\|\s*error\s*:", re.M)  # `#| error: true` (nbdev's directive syntax)
ERROR_TAGS = {"raises-exception", "skip-execution-on-error"}


def code_cells(path):
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] == "code":
            yield i, cell, "".join(cell["source"])


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 10


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_is_allowed_to_raise(path):
    """No committed notebook depends on a tag added by the book's reader: no `#| error` directive and no
    raises-exception tag. An expected error is shown as a result (`chaos_book.plotting.show_error`)."""
    bad = []
    for i, cell, source in code_cells(path):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if ERROR_DIRECTIVE.search(source) or tags & ERROR_TAGS:
            bad.append(f"cell {i}: {source.strip().splitlines()[0][:70]!r}")
    assert bad == [], (f"{path.name}: cells that raise on purpose stop JupyterLab's Run All and `jupyter execute`; "
                       f"use `with show_error(...)` instead: {bad}")


def _requirement_name(req):
    return re.split(r"[\s\[<>=!~;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _allowed_distributions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["notebooks"]
    return {_requirement_name(r) for r in reqs} | {"chaos-book"}


def _optional(node, parents):
    "True for an import inside `try: ... except ImportError` (or ModuleNotFoundError): the chapter does without it."
    for p in parents.get(node, []):
        if isinstance(p, ast.Try):
            for h in p.handlers:
                names = [h.type] if not isinstance(h.type, ast.Tuple) else list(h.type.elts)
                if any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError") for n in names):
                    return True
    return False


def notebook_imports(path):
    "Top-level module names a notebook imports, without the standard library and without optional imports."
    found = {}
    for i, _, source in code_cells(path):
        text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        tree = ast.parse(text, filename=f"{path.name} cell {i}")
        parents = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = parents.get(node, []) + [node]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                mods = [node.module]
            else:
                continue
            if _optional(node, parents):
                continue
            for m in mods:
                top = m.split(".")[0]
                if top not in sys.stdlib_module_names:
                    found.setdefault(top, i)
    return found


def test_the_import_reader_sees_through_cells():
    imports = notebook_imports(ROOT / "nbs" / "01_drivers.ipynb")
    assert "numpy" in imports and "chaos_book" in imports and "os" not in imports


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_imports_come_with_the_notebooks_extra(path):
    "Every module a chapter imports is installed by the core dependencies or the `notebooks` extra."
    allowed = _allowed_distributions()
    dists = packages_distributions()
    missing = []
    for module, cell in sorted(notebook_imports(path).items()):
        names = {d.lower().replace("_", "-") for d in dists.get(module, [])}
        if not names & allowed:
            missing.append(f"{module} (cell {cell}; distribution {sorted(names) or 'not installed'})")
    assert missing == [], (f"{path.name} imports modules that neither chaos-book's dependencies nor its "
                           f"[notebooks] extra install: {missing}")
