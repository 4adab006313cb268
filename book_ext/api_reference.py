"""The API reference (api/*.md, Sphinx autodoc + napoleon) in a nitpicky, offline build.

The book builds with `-n -W` and without intersphinx (no network). Two things would otherwise break it:

- **Types in numpydoc docstrings.** napoleon and Sphinx's typed fields turn every word of a type phrase
  ("ndarray of shape (N, 2)", "float, default DPI", "two ints") into a cross-reference. A `missing-reference` handler
  resolves what it can to `chaos_book`'s own objects (a short name such as `FPResult` or `DPI` that names exactly one
  documented object, of any kind) and leaves every other phrase as plain text: Python's, numpy's and matplotlib's
  names cannot be linked offline, and English words are not names. A target that starts with `chaos_book` and is not
  in the reference (a private, removed or misspelt name) is not touched, so it still fails the build.
- **Plain-text docstrings.** The docstrings are written for `help()`, where `|x|` is an absolute value; in
  reStructuredText it is a substitution reference. `autodoc-process-docstring` escapes `|` (after napoleon has
  rewritten the numpydoc sections), and turns `$...$` (math as the chapters write it) into `:math:` roles, so
  neither a bar nor a dollar reaches the page as markup.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.addnodes import pending_xref

__version__ = "0.1.0"

TYPE_ALIASES = {
    "ndarray": "numpy.ndarray",
    "array_like": "numpy.typing.ArrayLike",
    "array-like": "numpy.typing.ArrayLike",
    "Generator": "numpy.random.Generator",
    "Figure": "matplotlib.figure.Figure",
    "Axes": "matplotlib.axes.Axes",
    "Executor": "concurrent.futures.Executor",
}

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_BAR = re.compile(r"(?<!\\)\|")


# $...$ on one line, not $$, not an environment variable such as $CHAOS_BOOK_SIZE
_MATH = re.compile(r"(?<![\\$\w])\$(?![\s$])(?![A-Z][A-Z0-9_]*\b)([^$`]+?)(?<!\s)\$(?![\w$])")
_ROLE = re.compile(r":math:`[^`]*`")


def escape_bars(lines: list[str]) -> None:
    """Rewrite docstring lines (in place) for reStructuredText: `$...$` becomes a `:math:` role, and every `|`
    outside a math role is escaped, so that `|x|` is text, not a substitution reference."""
    for i, line in enumerate(lines):
        if "$" in line:
            line = _MATH.sub(lambda m: ":math:`" + m.group(1) + "`", line)
        if "|" in line:
            pieces, at = [], 0
            for m in _ROLE.finditer(line):
                pieces += [_BAR.sub(r"\\|", line[at:m.start()]), m.group(0)]
                at = m.end()
            line = "".join(pieces) + _BAR.sub(r"\\|", line[at:])
        lines[i] = line


def _docstring(app, what, name, obj, options, lines):
    escape_bars(lines)


def _own_objects(env):
    "short name -> [(full name, objtype, docname, node_id)] for every documented chaos_book object."
    cache = getattr(env, "_chaos_api_short", None)
    objects = env.get_domain("py").data.get("objects", {})
    if cache is None or cache[0] != len(objects):
        short = {}
        for full, entry in objects.items():
            if not full.startswith("chaos_book."):
                continue
            docname, node_id, objtype = entry[0], entry[1], entry[2]
            parts = full.split(".")
            for k in range(1, len(parts) - 1):
                short.setdefault(".".join(parts[-k:]), []).append((full, objtype, docname, node_id))
        cache = (len(objects), short)
        env._chaos_api_short = cache
    return cache[1]


def _missing(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip("~.")
    if target.startswith("chaos_book"):
        return None  # a name of the package that the reference does not hold: let the build fail
    if _IDENT.match(target):
        found = _own_objects(env).get(target, [])
        if len(found) == 1:
            full, objtype, docname, node_id = found[0]
            ref = nodes.reference("", "", internal=True, reftitle=full)
            ref["refuri"] = app.builder.get_relative_uri(node.get("refdoc", docname), docname) + "#" + node_id
            ref.append(contnode)
            return ref
    return contnode  # Python, numpy, scipy, matplotlib ... or words of a type phrase: plain text


def _configure(app, config):
    aliases = dict(getattr(config, "napoleon_type_aliases", None) or {})
    for short, full in TYPE_ALIASES.items():
        aliases.setdefault(short, full)
    config.napoleon_type_aliases = aliases


def setup(app):
    app.connect("config-inited", _configure, priority=800)
    app.connect("autodoc-process-docstring", _docstring, priority=600)  # after napoleon (500)
    app.connect("missing-reference", _missing, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
