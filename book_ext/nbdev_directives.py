"""Read nbdev notebooks for the book: `#|` cell directives become MyST-NB cell tags.

`nbdev_clean` strips cell tags from the committed notebooks, so the directives are the only markup.
MyST-NB reads every `.ipynb` through `read_nbdev` (set as `nb_custom_formats` in `_config.yml`),
before execution and the jupyter-cache, so the tags steer both what runs and what the reader sees:

    #| hide            -> remove-cell        (runs, not shown)
    #| include: false  -> remove-cell
    #| echo: false     -> remove-input       (output shown)
    #| output: false   -> remove-output
    #| eval: false     -> skip-execution     (shown, not run)
    #| code-fold: true -> hide-input         (runs, output shown, code folded behind a toggle)
    #| export          -> hide-input         (library code is one click away; nbdev keeps `key: value`
                                             directives in exported modules, so export cells need no code-fold)
    #| default_exp ... -> remove-cell

Every `#|` line is removed from the code the reader sees.

There is deliberately no mapping for `#| error: true`: a tag added by the book's reader is not in the committed
notebook, so JupyterLab's "Run All" and `jupyter execute` would stop at such a cell. A chapter shows an expected
error as a result instead (`chaos_book.plotting.show_error`); tests/test_notebooks.py refuses the directive.
"""

from __future__ import annotations

import re

import nbformat

__version__ = "0.1.0"

DIRECTIVE = re.compile(r"^\s*#\s*\|")  # nbdev's own test for a directive line (python cells)

TAGS = {
    ("hide", ""): "remove-cell",
    ("include", "false"): "remove-cell",
    ("default_exp", None): "remove-cell",
    ("echo", "false"): "remove-input",
    ("output", "false"): "remove-output",
    ("eval", "false"): "skip-execution",
    ("code-fold", "true"): "hide-input",
    ("export", None): "hide-input",
    ("exporti", None): "hide-input",
}


def parse_directive(line: str) -> tuple[str, str]:
    "`'#| echo: false'` -> `('echo', 'false')`; `'#| default_exp drivers'` -> `('default_exp', 'drivers')`."
    body = DIRECTIVE.sub("", line, count=1).strip().rstrip(":").strip()
    name, _, value = body.partition(":") if ":" in body else body.partition(" ")
    return name.strip(), value.strip().lower()


def directive_tags(lines: list[str]) -> list[str]:
    "MyST-NB tags for the directive lines of one cell, in order, without repeats."
    tags = []
    for line in lines:
        name, value = parse_directive(line)
        tag = TAGS.get((name, value)) or TAGS.get((name, None))
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def convert_cell(cell) -> None:
    "Strip the `#|` lines of a code cell (in place) and add the tags they ask for."
    if cell.cell_type != "code":
        return
    lines = cell.source.splitlines(keepends=True)
    directives = [line for line in lines if DIRECTIVE.match(line)]
    if not directives:
        return
    cell.source = "".join(line for line in lines if not DIRECTIVE.match(line)).lstrip("\n")
    tags = cell.setdefault("metadata", {}).setdefault("tags", [])
    tags.extend(t for t in directive_tags(directives) if t not in tags)


def convert(nb):
    "Apply `convert_cell` to every cell of a notebook (in place); returns the notebook."
    for cell in nb.cells:
        convert_cell(cell)
    return nb


def read_nbdev(text: str):
    "MyST-NB reader for `.ipynb`: a standard nbformat v4 read, then `convert`."
    return convert(nbformat.reads(text, as_version=4))


def _drop_thebe(app, pagename, templatename, context, doctree):
    "sphinx-thebe (always loaded by Jupyter Book) names a remote thebe script inline; the static book runs no kernel."
    keep = lambda js: "THEBE_JS_URL" not in (js.attributes.get("body") or "") and "sphinx-thebe" not in str(js.filename)
    context["script_files"] = [js for js in context.get("script_files", []) if keep(js)]


def setup(app):
    """Sphinx entry point (the reader is wired in via `nb_custom_formats`).
    MathJax goes on every page: the index and search pages show chapter titles that contain math."""
    app.set_html_assets_policy("always")
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
