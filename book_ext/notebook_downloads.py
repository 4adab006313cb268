"""The download menu of a chapter offers the executed notebook, with its outputs, beside the bare source.

The outputs come from the book's jupyter-cache (`_jcache/`, where the build executed the notebook, or found it
already executed): the committed notebook is read through the book's reader (book_ext/nbdev_directives.py), exactly
as the build reads it, matched in the cache, and the cached outputs, execution counts and widget state are put back
into the committed notebook, whose cells, `#|` directives and metadata stay as in git. The result is written to
`_notebooks/<docname>.ipynb` in the HTML output, so it opens in JupyterLab as the page shows it and still exports
with nbdev. The sphinx-book-theme download menu then lists ".ipynb (source)" and ".ipynb (with outputs)".
(MyST-NB's own copy in `_build/jupyter_execute/` has no outputs when the notebook came from the cache.)
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

__version__ = "0.1.0"

FOLDER = "_notebooks"


def executed_from_cache(cache_path, path):
    """The notebook at `path`, read by the book's reader, merged with its outputs from the jupyter-cache at
    `cache_path`; None when the cache holds no execution of its current code."""
    from jupyter_cache import get_cache
    from nbdev_directives import read_nbdev

    if not cache_path or not Path(cache_path).is_dir():
        return None
    converted = read_nbdev(Path(path).read_text(encoding="utf-8"))
    try:
        _, merged = get_cache(cache_path).merge_match_into_notebook(converted)
    except KeyError:
        return None
    return merged


def with_outputs(source, executed):
    """The notebook `source` with the outputs and execution counts of `executed` (the same cells, read by the
    book's reader and executed). Raises ValueError when the two do not have the same cells."""
    if len(source.cells) != len(executed.cells):
        raise ValueError(f"the executed notebook has {len(executed.cells)} cells, the source {len(source.cells)}")
    out = copy.deepcopy(source)
    for i, (cell, done) in enumerate(zip(out.cells, executed.cells)):
        if cell.cell_type != done.cell_type:
            raise ValueError(f"cell {i} is {cell.cell_type} in the source and {done.cell_type} once executed")
        if cell.cell_type == "code":
            cell.outputs = done.get("outputs", [])
            cell.execution_count = done.get("execution_count")
    if "widgets" in executed.metadata:
        out.metadata["widgets"] = executed.metadata["widgets"]
    return out


def _button(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or context.get("page_source_suffix") != ".ipynb":
        return
    config = app.env.mystnb_config
    if config.execution_mode != "cache":
        return
    source_path = app.env.doc2path(pagename)
    cache = Path(config.execution_cache_path or "")
    done = executed_from_cache(cache if cache.is_absolute() else Path(app.srcdir, cache), source_path)
    if done is None:
        return
    merged = with_outputs(nbformat.read(source_path, as_version=4), done)
    target = Path(app.outdir, FOLDER, f"{pagename}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(merged, target)
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        buttons = group["buttons"]
        for b in buttons:
            if b.get("label") == "download-source-button":
                b["text"] = ".ipynb (source)"
                b["tooltip"] = "Download the notebook as committed (no outputs)"
        at = next((i for i, b in enumerate(buttons) if b.get("label") == "download-source-button"), len(buttons) - 1)
        buttons.insert(at + 1, {
            "type": "link",
            "url": f"{context['pathto'](FOLDER, 1)}/{pagename}.ipynb",
            "text": ".ipynb (with outputs)",
            "tooltip": "Download the executed notebook, with the outputs this page shows",
            "icon": "fas fa-book-open",
            "label": "download-executed-notebook-button",
        })


def setup(app):
    app.connect("html-page-context", _button, priority=502)  # after sphinx-book-theme's add_header_buttons (501)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
