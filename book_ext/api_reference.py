"""The API reference (api/*.md, Sphinx autodoc + napoleon) in a nitpicky, offline build.

The book builds with `-n -W` and without intersphinx (no network). Three things would otherwise break it or the pages:

- **Types in numpydoc docstrings.** napoleon and Sphinx's typed fields turn every word of a type phrase
  ("ndarray of shape (N, 2)", "float, default DPI", "two ints") into a cross-reference. A `missing-reference` handler
  resolves what it can to `chaos_book`'s own objects (a short name such as `FPResult` or `DPI` that names exactly one
  documented object, of any kind) and leaves every other phrase as plain text: Python's, numpy's and matplotlib's
  names cannot be linked offline, and English words are not names. A target that starts with `chaos_book` and is not
  in the reference (a private, removed or misspelt name) is not touched, so it still fails the build.
- **Constants.** autodoc documents a module's data only when it has a `#:` comment, so `.. chaos-api:: module`
  (used by every page in api/) runs `automodule` for the functions and classes and `autodata` for every other
  name of `__all__` (a table or a constant, shown without its value): the index holds each public name.
- **Plain-text docstrings.** The docstrings are written for `help()`, where `|x|` is an absolute value; in
  reStructuredText it is a substitution reference. `autodoc-process-docstring` escapes `|` (after napoleon has
  rewritten the numpydoc sections), and turns `$...$` (math as the chapters write it) into `:math:` roles, so
  neither a bar nor a dollar reaches the page as markup.
"""

from __future__ import annotations

import importlib
import inspect
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

__version__ = "0.1.0"

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


def _no_type_docstring(app, what, name, obj, options, lines):
    "A constant with no `#:` comment would show its type's docstring (dict's, ndarray's): show none."
    if what in ("data", "attribute") and not inspect.isclass(obj) and not inspect.isroutine(obj):
        own = inspect.getdoc(type(obj)) or ""
        if own and "\n".join(lines).strip() == inspect.cleandoc(own).strip():
            lines.clear()


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


class ApiModule(SphinxDirective):
    """`.. chaos-api:: chaos_book.name`: the module's reference, every name of its `__all__` included."""

    required_arguments = 1

    def run(self):
        name = self.arguments[0]
        module = importlib.import_module(name)
        public = list(getattr(module, "__all__", []))
        data = [n for n in public if not (inspect.isclass(getattr(module, n)) or inspect.isroutine(getattr(module, n))
                                         or callable(getattr(module, n)))]
        lines = [f".. automodule:: {name}"]
        if data:
            lines.append(f"   :exclude-members: {', '.join(data)}")
        lines.append("")
        for n in data:
            lines += [f".. autodata:: {name}.{n}", "   :no-value:", ""]
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.env.docname), self.content_offset, node)
        return node.children


def setup(app):
    app.add_directive("chaos-api", ApiModule)
    app.connect("autodoc-process-docstring", _no_type_docstring, priority=400)  # before napoleon (500)
    app.connect("autodoc-process-docstring", _docstring, priority=600)  # after napoleon
    app.connect("missing-reference", _missing, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
