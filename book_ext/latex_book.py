"""The book as one PDF (`make pdf`): what Sphinx's LaTeX builder needs beyond the HTML book.

- The math macros of the HTML book (`mathjax3_config.tex.macros` in _config.yml) are defined in the LaTeX
  preamble as well, from the same table, so a chapter's `$\\ueps$` typesets in both.
- An explorer (a widget view whose MIME bundle also holds its default picture as image/png, see
  `chaos_book.plotting`) and an animation (text/html with an image/png frame) become a figure: the picture, with a
  caption that says where the live version is: the bundle's text/plain (`Explorer.caption()`), or, when that is
  only a widget's repr, a sentence of this module.
- The API reference is an appendix: its chapters are lettered.
- sphinx-jupyterbook-latex (`use_jupyterbook_latex: true`) turns the toc's parts into LaTeX parts; its document class
  and its unicode-math preamble are replaced by Sphinx's manual class and the few definitions its pages use, so the
  PDF needs only the Debian packages that `make tex` installs (see `_manual_class`).
- Figures that the landing page pastes from the chapters (`{glue:any}`) are found and copied (`_glued_images`).
- A `%` inside a formula is escaped (MathJax reads `27%` as text; LaTeX as a comment).
- The title page shows the version and the build date (book_ext/page_assets.py sets `release` and `today`).
- The verdict tables of the chapters and the audit table are long tables in a small font, with given column widths,
  so that they break across pages and fit the text width.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

__version__ = "0.1.0"

logger = logging.getLogger(__name__)

WIDGET = "application/vnd.jupyter.widget-view+json"
LIVE_EXPLORER = ("The live explorer, with its sliders, is on this chapter's page of the HTML book; "
                 "in a live kernel (make lab) it also recomputes values off its grid.")
LIVE_ANIMATION = "One frame of the animation; the HTML book and the notebook play it."
_REPR = re.compile(r"^\s*(<|[A-Z][A-Za-z]*\()")  # "VBox(children=...)", "<IPython.core.display.HTML object>"

# Column widths (relative) of the chapters' verdict tables: item, claim, scope, check, verdict, key number.
VERDICT_WIDTHS = (11, 24, 18, 20, 11, 16)
AUDIT_WIDTHS = (13, 31, 23, 13, 20)


def latex_macros(macros: dict) -> str:
    """LaTeX definitions of MathJax macros given as `{name: body}` or `{name: [body, nargs]}`; each one is
    (re)defined at the start of the document, after the packages have defined theirs."""
    lines = []
    for name, body in macros.items():
        nargs = 0
        if isinstance(body, (list, tuple)):
            body, nargs = body[0], int(body[1])
        args = f"[{nargs}]" if nargs else ""
        lines.append(rf"\providecommand{{\{name}}}{{}}\renewcommand{{\{name}}}{args}{{{body}}}")
    return "\\AtBeginDocument{%\n" + "\n".join(lines) + "\n}\n"


def _config(app, config):
    macros = ((getattr(config, "mathjax3_config", None) or {}).get("tex", {}) or {}).get("macros", {})
    elements = dict(config.latex_elements or {})
    elements.setdefault("papersize", "a4paper")
    elements.setdefault("pointsize", "10pt")
    elements.setdefault("figure_align", "htbp")
    elements.setdefault("extraclassoptions", "openany,oneside")  # no blank pages before chapters
    elements.setdefault("sphinxsetup", "verbatimwrapslines=true, verbatimforcewraps=true, verbatimmaxunderfull=1")
    elements["preamble"] = elements.get("preamble", "") + "\n" + latex_macros(macros)
    config.latex_elements = elements


_JBLATEX = re.compile(r"% Start of preamble defined in sphinx-jupyterbook-latex %.*?"
                      r"% End of preamble defined in sphinx-jupyterbook-latex %", re.S)
_JBLATEX_OURS = r"""
\addto\captionsenglish{\renewcommand{\contentsname}{Contents}}
\hypersetup{pdfencoding=auto}
% The code-cell environments that sphinx-jupyterbook-latex writes (from its jupyterBook.cls)
\usepackage[strict]{changepage}
\definecolor{CodeBlockInputBorderColor}{RGB}{204,204,204}
\definecolor{CodeBlockInputColor}{RGB}{247,247,247}
\definecolor{CodeBlockOutputBorderColor}{RGB}{247,247,247}
\definecolor{CodeBlockOutputColor}{RGB}{252,252,252}
\newenvironment{sphinxVerbatimInput}
  {\colorlet{VerbatimBorderColor}{CodeBlockInputBorderColor}\colorlet{VerbatimColor}{CodeBlockInputColor}%
   \begin{adjustwidth}{5pt}{}}
  {\end{adjustwidth}}
\newenvironment{sphinxVerbatimOutput}
  {\colorlet{VerbatimBorderColor}{CodeBlockOutputBorderColor}\colorlet{VerbatimColor}{CodeBlockOutputColor}%
   \begin{adjustwidth}{20pt}{}}
  {\end{adjustwidth}}
"""


def _manual_class(app, config):
    """sphinx-jupyterbook-latex makes the book's parts LaTeX parts, but also switches to its own document class,
    which loads bbm (texlive-fonts-extra, over 1 GB), tikz and pgfplots that no page uses: keep Sphinx's manual
    class. Its preamble loads unicode-math, and with hyperref's `psdextra` a chapter title with math (chapter 7's
    "Does 0 <= u^eps <= M hold?") stops XeLaTeX in the PDF bookmarks: keep amsmath's fonts and plain bookmarks."""
    if config.latex_theme == "jupyterBook":
        config.latex_theme = "manual"
    elements = dict(config.latex_elements or {})
    elements["preamble"] = _JBLATEX.sub(lambda m: _JBLATEX_OURS, elements.get("preamble", ""))
    config.latex_elements = elements


def _mime(bundle, mime_type):
    return next((c for c in bundle.children if c.get("mime_type") == mime_type), None)


def _caption_text(bundle, default):
    plain = _mime(bundle, "text/plain")
    text = plain.astext().strip() if plain is not None else ""
    if not text or _REPR.match(text):
        return default
    return text  # chaos_book.plotting.Explorer.caption(): the default picture, and where the live version is


class PictureOfLiveOutput(SphinxPostTransform):
    "An explorer or an animation becomes its picture with a caption (LaTeX only; before MyST-NB picks a MIME type)."

    default_priority = 3  # myst_nb's SelectMimeType runs at 4
    builders = ("latex",)

    def run(self, **kwargs):
        bundles = [n for n in self.document.findall(nodes.container) if n.get("nb_element") == "mime_bundle"]
        for bundle in bundles:
            png = _mime(bundle, "image/png")
            if png is None:
                continue
            if _mime(bundle, WIDGET) is not None:
                caption = _caption_text(bundle, LIVE_EXPLORER)
            elif _mime(bundle, "text/html") is not None and "anim" in _mime(bundle, "text/html").astext().lower():
                caption = LIVE_ANIMATION
            else:
                continue
            images = [i.deepcopy() for i in png.findall(nodes.image)]
            if not images:
                continue
            figure = nodes.figure("", *images, classes=["chaos-live-picture"])
            figure += nodes.caption("", caption)
            figure["align"] = "center"
            bundle.replace_self(figure)


def _raw(text):
    return nodes.raw("", text, format="latex")


def _widths(table, widths):
    """Give the table's columns the relative `widths`; a table with another number of columns keeps the widths
    it was given, or gets equal ones."""
    group = table.next_node(nodes.tgroup)
    specs = [c for c in group.children if isinstance(c, nodes.colspec)]
    if not specs:
        return False
    if len(specs) != len(widths):
        given = "colwidths-given" in table["classes"] and all(s.get("colwidth") for s in specs)
        widths = [s["colwidth"] for s in specs] if given else [1] * len(specs)
    for spec, width in zip(specs, widths):
        spec["colwidth"] = width
    if "colwidths-given" not in table["classes"]:
        table["classes"].append("colwidths-given")
    return True


def _long_tables(app, doctree, docname):
    "The verdict and audit tables: long tables in a small font with given column widths (LaTeX only)."
    if app.builder.format != "latex":
        return
    for table in list(doctree.findall(nodes.table)):
        classes = table["classes"]
        if "chaos-audit" in classes:
            ok = _widths(table, AUDIT_WIDTHS)
        elif "chaos-verdict-table" in classes:
            ok = _widths(table, VERDICT_WIDTHS)
        else:
            continue
        if not ok:
            logger.warning("latex_book: a verdict table has an unexpected number of columns", location=table)
            continue
        if "longtable" not in classes:
            classes.append("longtable")
        parent = table.parent
        at = parent.index(table)
        parent.insert(at + 1, _raw("\\endgroup\n"))
        parent.insert(at, _raw("\\begingroup\\scriptsize\\setlength{\\tabcolsep}{3pt}\n"))


def _glued_images(app, doctree, docname):
    """A figure that the landing page pastes from a chapter (`{glue:any}` with `:doc:`) gets an image path relative
    to the HTML page ("../<hash>.png") that Sphinx's LaTeX builder neither knows nor copies. Point it at MyST-NB's
    copy of the output image (_build/jupyter_execute/<hash>.png) and register it, so the PDF has the figure."""
    if app.builder.format != "latex":
        return
    outputs = Path(app.outdir).parent / "jupyter_execute"
    for image in doctree.findall(nodes.image):
        uri = image.get("uri", "")
        if uri in app.builder.images or uri in app.env.images or "://" in uri:
            continue
        found = outputs / Path(uri).name
        if found.is_file():
            image["uri"] = str(found)
            image["candidates"] = {"*": str(found)}
            app.builder.images[str(found)] = found.name


_PERCENT = re.compile(r"(?<!\\)%")


def _math_percent(app, doctree, docname):
    """`$M/b = 27%$` is fine for MathJax, but in LaTeX `%` starts a comment and swallows the rest of the formula:
    escape it in every formula (LaTeX only)."""
    if app.builder.format != "latex":
        return
    for node in list(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))):
        text = node.astext()
        if "%" in text:
            node.children = []
            node.append(nodes.Text(_PERCENT.sub(r"\\%", text)))


APPENDIX_FROM = "api/index"  # the first page of the API reference: its chapters are lettered (A, B, ...)


def _appendix(app, doctree, docname):
    "LaTeX's \\appendix before the API reference, whose pages the HTML book does not number either."
    if app.builder.format != "latex":
        return
    for start in doctree.findall(addnodes.start_of_file):
        if start.get("docname") == APPENDIX_FROM:
            start.insert(0, _raw("\\appendix\n"))
            return


def setup(app):
    app.connect("config-inited", _config, priority=400)  # before sphinx-jupyterbook-latex appends its preamble
    app.connect("config-inited", _manual_class, priority=900)  # after sphinx-jupyterbook-latex sets its class
    app.add_post_transform(PictureOfLiveOutput)
    app.connect("doctree-resolved", _long_tables, priority=700)
    app.connect("doctree-resolved", _appendix, priority=700)
    app.connect("doctree-resolved", _glued_images, priority=700)
    app.connect("doctree-resolved", _math_percent, priority=700)  # after book_ext/audit_table.py fills the table
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
