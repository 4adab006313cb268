"""The audit: each chapter's verdict rows, collected on the audit page (Sphinx's `todolist` pattern).

A chapter's `verdicts(...)` call displays Markdown holding a `{verdicts}` directive with its rows as JSON
(`chaos_book.audit.Verdicts._repr_markdown_`; the book renders code-cell Markdown as MyST). The directive renders the
chapter's table and stores its rows, with their parsed cells, in the build environment. Three placeholders are filled
when the pages are resolved, once every chapter has been read:

- `{audit-summary}`: one line per numbered item, its verdict by `chaos_book.audit.item_verdict`, its scope, a link;
- `{audit-graph}`: the argument as a static SVG (`chaos_book.audit.graph_svg`), and what Theorem 3.1 rests on;
- `{audit-table}`: every row, in the paper's order, each item's rows under an anchor the other two link to.

When any page is read again the pages holding these directives are read again too (`env-get-outdated`), so they
follow the chapters' cached outputs. After the build, `audit.json` in the output folder holds the object of
`chaos_book.audit.audit_object` (`rows`, `summary`, `graph`), printed by `make audit`.

Rendering: a number in a cell is one unbreakable token (`span.chaos-num`), a number in scientific notation inside
maths is typeset upright (`\\mathrm{4.4e{-}16}`), a control's verdict reads as the check working, and each row carries
`verdict-<verdict>` and `kind-<kind>` classes (book_ext/static/chaos.css colours every verdict).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

COLUMNS = ("item", "claim", "scope", "how it is checked", "verdict", "key number")
AUDIT_COLUMNS = ("item", "claim, and the scope of the check", "how the book checks it", "verdict", "key number")
CHAPTER_WIDTHS = (14, 20, 17, 18, 13, 18)  # a chapter's table: fixed layout, so a long cell wraps instead of widening it
SUMMARY_COLUMNS = ("item", "verdict at a glance", "scope of the deciding rows", "rows")
SCI = re.compile(r"(?<![\\\w.{])(\d+(?:\.\d+)?)[eE]([+\-−]?)(\d+)(?![\w.])")
TOKEN = re.compile(r"\S*\d\S*")
NAME = re.compile(r"[^\s_]*\w_\w\S*")  # a token such as check_assumptions; (breakable after `_` when long)


class verdicts_node(nodes.General, nodes.Element):
    "A chapter's verdict table (a container, so it renders as its children)."


class audit_table_node(nodes.General, nodes.Element):
    "Placeholder for the collected table."


class audit_summary_node(nodes.General, nodes.Element):
    "Placeholder for the one-line-per-item table."


class audit_graph_node(nodes.General, nodes.Element):
    "Placeholder for the graph and its paragraph."


def _audit():
    import chaos_book.audit as audit
    return audit


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _cell_md(text: str) -> str:
    return text.replace("|", "\\|") if text else "–"


def _verdict_md(row) -> str:
    label = _audit().row_verdict_label(row["kind"], row["verdict"])
    return f"**{label}**" if row["verdict"] == "fails" and row["kind"] in ("statement", "proof step") else label


RELATIONS = ("=", "<", ">", "\\le", "\\leq", "\\ge", "\\geq", "\\approx", "\\ne", "\\neq", "\\sim", "\\lesssim")


BINARY = ("\\cdot", "\\times", "\\pm", "\\mp")


def _split_relations(tex: str, shortest: int = 16):
    """Split inline TeX where TeX itself may break a line: after each top-level relation (outside braces,
    \\left...\\right and environments) and after each binary operator outside parentheses; and after each top-level comma
    (a list such as $\\eps \\in \\{0.2, 0.1\\}$, which a table cell may break too). MathJax 3 never breaks inline maths,
    so a long formula would overflow its cell. Each piece is valid TeX on its own."""
    if len(tex) < shortest:
        return [tex]
    pieces, depth, paren, bars, start, i, prev = [], 0, 0, 0, 0, 0, ""
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            word = re.match(r"\\([A-Za-z]+|.)", tex[i:])[0]
            if word in ("\\left", "\\begin"):
                depth += 1
            elif word in ("\\right", "\\end"):
                depth -= 1
            elif word in ("\\{", "\\langle", "\\lVert", "\\lvert"):
                paren += 1
            elif word in ("\\}", "\\rangle", "\\rVert", "\\rvert"):
                paren -= 1
            elif word in ("\\|", "\\Vert", "\\vert"):  # a norm or an absolute value: open, then close
                bars ^= 2
            elif depth == 0 and not tex[i + len(word):i + len(word) + 1].isalpha() and (
                    word in RELATIONS or (word in BINARY and paren == 0 and not bars)):
                i += len(word)
                pieces.append(tex[start:i])
                start, prev = i, "op"
                continue
            i += len(word)
            prev = "atom"
            continue
        if c in "([":
            paren += 1
        elif c in ")]":
            paren -= 1
        elif c == "|":
            bars ^= 1
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and i > 0 and (c in "=<>," or (c in "+-" and paren == 0 and not bars and prev == "atom")):
            pieces.append(tex[start:i + 1])
            start, prev = i + 1, "op"
            i += 1
            continue
        if not c.isspace():
            prev = "op" if c in "=<>,+-([" or (c == "|" and bars) else "atom"
        i += 1
    pieces.append(tex[start:])
    pieces = [p.strip() for p in pieces if p.strip()]
    return pieces if len(pieces) > 1 and depth == 0 else [tex]


def _breakable_literals(tree):
    "Long code names in a cell may break after `_` or `.` (a <wbr>, as in a URL), never inside a word."
    for lit in list(tree.findall(nodes.literal)):
        text = lit.astext()
        if len(text) < 12 or len(lit.children) != 1 or not isinstance(lit.children[0], nodes.Text):
            continue
        parts = re.split(r"(?<=[_.])(?=\w)", text)
        if len(parts) == 1:
            continue
        lit.children = []
        for k, part in enumerate(parts):
            if k:
                lit += nodes.raw("", "<wbr>", format="html")
            lit += nodes.Text(part)


def _upright_numbers(tree):
    """Numbers in scientific notation inside maths become upright text (`\\mathrm{4.4e{-}16}`), long formulas are
    split after their relations so that they can wrap, and numbers outside maths become one unbreakable token each,
    so no cell breaks `8.9e-16` or clips `4.4e-16`."""
    for m in list(tree.findall(nodes.math)):
        tex = m.astext()
        new = SCI.sub(lambda g: rf"\mathrm{{{g[1]}e{{{'-' if g[2] in '-−' else g[2]}}}{g[3]}}}", tex)
        pieces = _split_relations(new)
        if len(pieces) > 1 and m.parent is not None:
            parent, index = m.parent, m.parent.index(m)
            parent.remove(m)
            out = []
            for k, piece in enumerate(pieces):
                last = k == len(pieces) - 1
                if not last and not piece.endswith(","):
                    piece += "{}"  # keeps the relation's or operator's space on its right, as in the whole formula
                out.append(nodes.math(piece, piece, classes=list(m.get("classes", []))))
                if not last:  # a break opportunity: a space after a comma, a zero-width one after an operator
                    out.append(nodes.Text(" " if piece.endswith(",") else "\u200b"))
            for k, node in enumerate(out):
                parent.insert(index + k, node)
        elif new != tex:
            m.children = []
            m += nodes.Text(new)
    _breakable_literals(tree)
    for text in list(tree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, (nodes.math, nodes.literal, nodes.math_block, nodes.raw)) \
                or "chaos-num" in parent.get("classes", []):
            continue
        s = str(text)
        if not TOKEN.search(s) and not NAME.search(s):
            continue
        parts, last = [], 0
        for g in re.finditer(r"\S+", s):
            token = g[0]
            name = len(token) >= 10 and NAME.fullmatch(token)
            if not (name or TOKEN.fullmatch(token)):
                continue
            if g.start() > last:
                parts.append(nodes.Text(s[last:g.start()]))
            if name:  # a long code name, written without backticks: it may break after `_`
                for k, piece in enumerate(re.split(r"(?<=_)(?=\w)", token)):
                    if k:
                        parts.append(nodes.raw("", "<wbr>", format="html"))
                    parts.append(nodes.Text(piece))
            else:
                parts.append(nodes.inline(token, token, classes=["chaos-num"]))
            last = g.end()
        if last < len(s):
            parts.append(nodes.Text(s[last:]))
        index = parent.index(text)
        parent.remove(text)
        for k, p in enumerate(parts):
            parent.insert(index + k, p)


def _row_classes(row):
    return [f"verdict-{_slug(row['verdict'])}", f"kind-{_slug(row.get('kind') or 'none')}"]


class VerdictsDirective(SphinxDirective):
    has_content = True

    def run(self):
        try:
            rows = json.loads("\n".join(self.content))
        except json.JSONDecodeError as e:
            raise self.error(f"verdicts: the content is not the JSON written by chaos_book.audit ({e})")
        kinds = _audit().KINDS
        for row in rows:
            if row.get("kind") not in kinds:
                raise self.error(f"verdicts: row {row.get('item')!r} has kind {row.get('kind')!r}, not one of {kinds}")
            row["verdict_md"] = _verdict_md(row)
        keys = ("item", "claim", "scope", "check", "verdict_md", "number")
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(_cell_md(r[k]) for k in keys) + " |" for r in rows]
        node = verdicts_node(classes=["chaos-verdicts"])
        self.state.nested_parse(StringList(lines, source=self.env.docname), self.content_offset, node)
        tables = list(node.findall(nodes.table))
        if len(tables) != 1:
            raise self.error("verdicts: the rows did not parse as one table")
        tables[0]["classes"] = [c for c in tables[0]["classes"] if c != "colwidths-auto"] \
            + ["chaos-verdict-table", "colwidths-given"]
        for colspec, width in zip(tables[0].findall(nodes.colspec), CHAPTER_WIDTHS):
            colspec["colwidth"] = width
        _upright_numbers(tables[0])
        body = [r for r in tables[0].findall(nodes.row) if isinstance(r.parent, nodes.tbody)]
        store = self.env.chaos_verdicts if hasattr(self.env, "chaos_verdicts") else {}
        self.env.chaos_verdicts = store
        ours = store.setdefault(self.env.docname, [])
        for row, tr in zip(rows, body):
            tr["classes"].extend(_row_classes(row))
            entries = [e.deepcopy() for e in tr.findall(nodes.entry)]
            ours.append({"row": {k: v for k, v in row.items() if k != "verdict_md"}, "cells": entries})
        return [node]


def _placeholder(cls, attr):
    class Directive(SphinxDirective):
        has_content = False

        def run(self):
            pages = getattr(self.env, attr, set())
            pages.add(self.env.docname)
            setattr(self.env, attr, pages)
            return [cls()]
    return Directive


AuditTableDirective = _placeholder(audit_table_node, "chaos_audit_pages")
AuditSummaryDirective = _placeholder(audit_summary_node, "chaos_summary_pages")
AuditGraphDirective = _placeholder(audit_graph_node, "chaos_graph_pages")
PAGE_SETS = ("chaos_audit_pages", "chaos_summary_pages", "chaos_graph_pages")


def _purge(app, env, docname):
    if hasattr(env, "chaos_verdicts"):
        env.chaos_verdicts.pop(docname, None)
    for attr in PAGE_SETS:
        if hasattr(env, attr):
            getattr(env, attr).discard(docname)


def _merge(app, env, docnames, other):
    env.chaos_verdicts = getattr(env, "chaos_verdicts", {})
    for attr in PAGE_SETS:
        setattr(env, attr, getattr(env, attr, set()))
    for d in docnames:
        if d in getattr(other, "chaos_verdicts", {}):
            env.chaos_verdicts[d] = other.chaos_verdicts[d]
        for attr in PAGE_SETS:
            if d in getattr(other, attr, set()):
                getattr(env, attr).add(d)


def _outdated(app, env, added, changed, removed):
    """Any page read again (a chapter whose outputs changed) means the audit pages must be read and resolved again,
    and so must the landing page, which pastes figures glued in the chapters and shows the graph."""
    if added or changed or removed:
        pages = set().union(*(getattr(env, a, set()) for a in PAGE_SETS)) | {env.config.root_doc}
        return sorted(pages - set(added) - set(changed))
    return []


def _toc_order(env):
    "Docnames in reading order (depth-first through the toctrees from the root document)."
    order, seen = [], set()

    def walk(doc):
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return order


def _anchor(env, docname, section):
    "The id of the section titled `section` in `docname` (or of the section holding its verdict table)."
    doctree = env.get_doctree(docname)
    if section:
        for sec in doctree.findall(nodes.section):
            title = sec.next_node(nodes.title)
            if title is not None and title.astext().strip().lower() == section.strip().lower() and sec["ids"]:
                return sec["ids"][0]
    for node in doctree.findall(verdicts_node):
        parent = node.parent
        while parent is not None and not isinstance(parent, nodes.section):
            parent = parent.parent
        if parent is not None and parent["ids"]:
            return parent["ids"][0]
    return ""


def _entry(*children):
    entry = nodes.entry()
    entry.extend(children)
    return entry


def _inline(entry):
    "The inline content of a one-paragraph table entry."
    para = entry.next_node(nodes.paragraph)
    return [c.deepcopy() for c in para.children] if para is not None else [nodes.Text(entry.astext())]


def _stored_rows(env):
    "Every stored row, in the paper's order, then reading order: (doc, stored) pairs."
    stored = getattr(env, "chaos_verdicts", {})
    order = {d: i for i, d in enumerate(_toc_order(env))}
    items = _audit().ITEMS
    ranked = sorted(((items.index(r["row"]["item"]), order.get(doc, len(order)), k, doc, r)
                     for doc, rs in stored.items() for k, r in enumerate(rs)), key=lambda x: x[:3])
    return [(doc, r) for *_, doc, r in ranked]


def _audit_uri(app, fromdoc, env, item):
    "The link from `fromdoc` to an item's rows on the audit page."
    anchor = _audit().item_anchor(item)
    pages = sorted(getattr(env, "chaos_audit_pages", set()))
    if not pages or fromdoc in pages:
        return f"#{anchor}"
    return app.builder.get_relative_uri(fromdoc, pages[0]) + f"#{anchor}"


def _table(classes, columns, widths):
    table = nodes.table(classes=classes + ["colwidths-given"])
    group = nodes.tgroup(cols=len(columns))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head, hrow = nodes.thead(), nodes.row()
    for h in columns:
        hrow += _entry(nodes.paragraph(text=h))
    head += hrow
    group += head
    body = nodes.tbody()
    group += body
    return table, body


def _verdict_entry(row):
    "The verdict cell: the kind as a tag, then the verdict as it reads for that kind."
    label = _audit().row_verdict_label(row["kind"], row["verdict"], with_kind=False)
    text = nodes.strong(text=label) if row["verdict"] == "fails" and row["kind"] in ("statement", "proof step") \
        else nodes.Text(label)
    return _entry(nodes.paragraph("", "", nodes.inline(text=row["kind"], classes=["chaos-kind"])),
                  nodes.paragraph("", "", text, classes=["chaos-verdict"]))


def _build_table(app, fromdoc, env):
    """The collected rows, in the paper's order: item | claim (and its scope) | how it is checked (a link to the
    chapter section) | kind and verdict | key number. Items that no chapter checks get a row that says so.
    The first row of each item carries the item's anchor."""
    audit = _audit()
    table, body = _table(["chaos-audit"], AUDIT_COLUMNS, (15, 30, 21, 15, 19))
    covered = set()
    for doc, r in _stored_rows(env):
        item_name = r["row"]["item"]
        item, claim, scope, check, verdict, number = r["cells"]
        anchor = _anchor(env, doc, r["row"].get("section", ""))
        uri = app.builder.get_relative_uri(fromdoc, doc) + (f"#{anchor}" if anchor else "")
        link = nodes.reference("", "", *_inline(check), internal=True, refuri=uri)
        title = env.titles.get(doc)
        where = nodes.paragraph(classes=["chaos-where"])
        where.extend(copy.deepcopy(title.children) if title is not None else [nodes.Text(doc)])
        on = nodes.paragraph(classes=["chaos-scope"])
        on += nodes.emphasis(text="on: ")
        on.extend(_inline(scope))
        row = nodes.row(classes=_row_classes(r["row"]))
        if item_name not in covered:
            row["ids"].append(audit.item_anchor(item_name))
        covered.add(item_name)
        row.extend([item.deepcopy(), _entry(nodes.paragraph("", "", *_inline(claim)), on),
                    _entry(nodes.paragraph("", "", link), where), _verdict_entry(r["row"]), number.deepcopy()])
        body += row
    for item in audit.ITEMS:
        if item not in covered:
            row = nodes.row(classes=["verdict-missing"], ids=[audit.item_anchor(item)])
            row.extend([_entry(nodes.paragraph(text=item)),
                        _entry(nodes.paragraph(text="no chapter checks this item in this build")),
                        _entry(nodes.paragraph(text="–")), _entry(nodes.paragraph(text="missing")),
                        _entry(nodes.paragraph(text="–"))])
            body += row
    return table


def _summary(env):
    return _audit().summary([r["row"] for _, r in _stored_rows(env)])


def _build_summary(app, fromdoc, env):
    "One line per item: the item (a link to its rows), its verdict at a glance, the scope that decides it, its rows."
    audit = _audit()
    stored = _stored_rows(env)
    table, body = _table(["chaos-audit", "chaos-summary"], SUMMARY_COLUMNS, (17, 20, 43, 20))
    for s in _summary(env):
        item = s["item"]
        link = nodes.reference("", item, internal=True, refuri=_audit_uri(app, fromdoc, env, item))
        scope = nodes.paragraph()
        seen = set()
        for _, r in stored:
            row = r["row"]
            if row["item"] == item and row["scope"] in s["scopes"] and row["scope"] not in seen:
                if seen:
                    scope += nodes.Text(" · ")
                seen.add(row["scope"])
                scope.extend(_inline(r["cells"][2]))
        if not seen:
            scope += nodes.Text("–" if s["rows"] else "no rows in this build")
        counts = ", ".join(f"{n} {k}" for k, n in s["kinds"].items()) or "none"
        row = nodes.row(classes=[f"verdict-{_slug(s['verdict'])}"])
        row.extend([_entry(nodes.paragraph("", "", link)),
                    _entry(nodes.paragraph("", "", nodes.Text(s["verdict"]), classes=["chaos-verdict"])),
                    _entry(scope), _entry(nodes.paragraph(text=counts))])
        body += row
    _upright_numbers(table)
    return table


def _build_graph(app, fromdoc, env):
    "The graph as inline SVG (links work offline), the edges with their steps, and the paragraph on Theorem 3.1."
    import html
    audit = _audit()
    s = _summary(env)
    svg = audit.graph_svg(s, href=lambda item: _audit_uri(app, fromdoc, env, item))
    steps = "".join(f"<li><b>{html.escape(a)}</b> uses {html.escape(b)}: {html.escape(step)}</li>"
                    for a, b, step in audit.EDGES)
    raw = (f'<figure class="chaos-graph-figure">{svg}</figure>'
           f'<details class="chaos-edges"><summary>The {len(audit.EDGES)} edges and the steps that use them</summary>'
           f"<ul>{steps}</ul></details>")
    container = nodes.container(classes=["chaos-graph-block"])
    container += nodes.raw("", raw, format="html")
    container += nodes.paragraph(text=audit.rests_on(s), classes=["chaos-rests-on"])
    return container


def _resolve(app, doctree, fromdoc):
    for cls, build in ((audit_table_node, _build_table), (audit_summary_node, _build_summary),
                       (audit_graph_node, _build_graph)):
        for node in list(doctree.findall(cls)):
            node.replace_self(build(app, fromdoc, app.env))


def _write_json(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    rows = [r["row"] | {"docname": doc} for doc, r in _stored_rows(app.env)]
    obj = _audit().audit_object(rows)
    Path(app.outdir, "audit.json").write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")


def _visit_container(self, node):
    pass


def _depart_container(self, node):
    pass


def setup(app):
    app.add_node(verdicts_node, html=(_visit_container, _depart_container), latex=(_visit_container, _depart_container),
                 text=(_visit_container, _depart_container))
    for node in (audit_table_node, audit_summary_node, audit_graph_node):
        app.add_node(node)
    app.add_css_file("chaos.css")
    app.add_directive("verdicts", VerdictsDirective)
    app.add_directive("audit-table", AuditTableDirective)
    app.add_directive("audit-summary", AuditSummaryDirective)
    app.add_directive("audit-graph", AuditGraphDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-resolved", _resolve)
    app.connect("build-finished", _write_json)
    return {"version": "0.2.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
