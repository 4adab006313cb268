"""The download menu of a chapter offers the executed notebook, with its outputs, beside the bare source.

MyST-NB writes every notebook it reads, with the outputs of its execution (or of the jupyter-cache), to
`_build/jupyter_execute/<docname>.ipynb`; that copy went through the book's reader, so its `#|` directives were
turned into tags. After an HTML build this extension writes `_notebooks/<docname>.ipynb` into the output folder: the
committed notebook (its cells, directives and metadata as in git) with the outputs and execution counts of the
executed one, so that it opens in JupyterLab as the page shows it and still exports with nbdev. The sphinx-book-theme
download menu then lists ".ipynb (source)" and ".ipynb (with outputs)".
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

__version__ = "0.1.0"

FOLDER = "_notebooks"


def executed_path(app, docname: str) -> Path:
    "Where MyST-NB wrote the executed notebook of `docname`."
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


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
    return out


def _notebook_docs(app):
    return sorted(d for d in app.env.found_docs if app.env.doc2path(d).suffix == ".ipynb")


def _write(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for docname in _notebook_docs(app):
        done = executed_path(app, docname)
        if not done.is_file():
            continue
        source = nbformat.read(app.env.doc2path(docname), as_version=4)
        merged = with_outputs(source, nbformat.read(done, as_version=4))
        target = Path(app.outdir, FOLDER, f"{docname}.ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(merged, target)


def _button(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or context.get("page_source_suffix") != ".ipynb":
        return
    if not executed_path(app, pagename).is_file():
        return
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
    app.connect("build-finished", _write)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
