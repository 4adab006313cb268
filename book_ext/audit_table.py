"""The audit table: each chapter's verdict rows, collected into one table on the audit page (Sphinx's `todolist` pattern).

A chapter's `verdicts(...)` call displays Markdown holding a `{verdicts}` directive with its rows as JSON
(`chaos_book.audit.Verdicts._repr_markdown_`; the book renders code-cell Markdown as MyST). The directive renders the
chapter's table and stores its rows, with their parsed cells, in the build environment. `{audit-table}` on the audit
page is a placeholder, filled when the pages are resolved, once every chapter has been read. When any page is read
again the audit pages are read again too (`env-get-outdated`), so the table follows the chapters' cached outputs.
After the build, every row goes to `audit.json` in the output folder (printed by `make audit`).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

ITEMS_ORDER = None  # the paper's order, read from chaos_book.audit when first needed
COLUMNS = ("item", "claim", "scope", "how it is checked", "verdict", "key number")
AUDIT_COLUMNS = ("item", "claim, and the scope of the check", "how the book checks it", "verdict", "key number")


class verdicts_node(nodes.General, nodes.Element):
    "A chapter's verdict table (a container, so it renders as its children)."


class audit_table_node(nodes.General, nodes.Element):
    "Placeholder for the collected table."


def _items():
    global ITEMS_ORDER
    if ITEMS_ORDER is None:
        from chaos_book.audit import ITEMS
        ITEMS_ORDER = ITEMS
    return ITEMS_ORDER


def _cell_md(text: str) -> str:
    return text.replace("|", "\\|") if text else "–"


class VerdictsDirective(SphinxDirective):
    has_content = True

    def run(self):
        try:
            rows = json.loads("\n".join(self.content))
        except json.JSONDecodeError as e:
            raise self.error(f"verdicts: the content is not the JSON written by chaos_book.audit ({e})")
        for row in rows:
            row["verdict_md"] = f"**{row['verdict']}**" if row["verdict"] == "fails" else row["verdict"]
        keys = ("item", "claim", "scope", "check", "verdict_md", "number")
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(_cell_md(r[k]) for k in keys) + " |" for r in rows]
        node = verdicts_node(classes=["chaos-verdicts"])
        self.state.nested_parse(StringList(lines, source=self.env.docname), self.content_offset, node)
        tables = list(node.findall(nodes.table))
        if len(tables) != 1:
            raise self.error("verdicts: the rows did not parse as one table")
        tables[0]["classes"].append("chaos-verdict-table")
        body = [r for r in tables[0].findall(nodes.row) if isinstance(r.parent, nodes.tbody)]
        store = self.env.chaos_verdicts if hasattr(self.env, "chaos_verdicts") else {}
        self.env.chaos_verdicts = store
        ours = store.setdefault(self.env.docname, [])
        for row, tr in zip(rows, body):
            entries = [e.deepcopy() for e in tr.findall(nodes.entry)]
            ours.append({"row": {k: v for k, v in row.items() if k != "verdict_md"}, "cells": entries})
        return [node]


class AuditTableDirective(SphinxDirective):
    has_content = False

    def run(self):
        pages = getattr(self.env, "chaos_audit_pages", set())
        pages.add(self.env.docname)
        self.env.chaos_audit_pages = pages
        return [audit_table_node()]


def _purge(app, env, docname):
    if hasattr(env, "chaos_verdicts"):
        env.chaos_verdicts.pop(docname, None)
    if hasattr(env, "chaos_audit_pages"):
        env.chaos_audit_pages.discard(docname)


def _merge(app, env, docnames, other):
    env.chaos_verdicts = getattr(env, "chaos_verdicts", {})
    env.chaos_audit_pages = getattr(env, "chaos_audit_pages", set())
    for d in docnames:
        if d in getattr(other, "chaos_verdicts", {}):
            env.chaos_verdicts[d] = other.chaos_verdicts[d]
        if d in getattr(other, "chaos_audit_pages", set()):
            env.chaos_audit_pages.add(d)


def _outdated(app, env, added, changed, removed):
    """Any page read again (a chapter whose outputs changed) means the audit pages must be read and resolved again,
    and so must the landing page, which pastes figures glued in the chapters."""
    if added or changed or removed:
        pages = set(getattr(env, "chaos_audit_pages", set())) | {env.config.root_doc}
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


def _build_table(app, fromdoc, env):
    """The collected rows, in the paper's order: item | claim (and its scope) | how it is checked (a link to the
    chapter section) | verdict | key number. Items that no chapter checks get a row that says so."""
    stored = getattr(env, "chaos_verdicts", {})
    order = {d: i for i, d in enumerate(_toc_order(env))}
    items = _items()
    rows = sorted(((items.index(r["row"]["item"]), order.get(doc, len(order)), doc, r)
                   for doc, rs in stored.items() for r in rs), key=lambda x: (x[0], x[1]))
    table = nodes.table(classes=["chaos-audit", "colwidths-given"])
    group = nodes.tgroup(cols=len(AUDIT_COLUMNS))
    table += group
    for width in (13, 31, 23, 13, 20):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    hrow = nodes.row()
    for h in AUDIT_COLUMNS:
        hrow += _entry(nodes.paragraph(text=h))
    head += hrow
    group += head
    body = nodes.tbody()
    covered = set()
    for _, _, doc, r in rows:
        covered.add(r["row"]["item"])
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
        row = nodes.row(classes=[f"verdict-{r['row']['verdict'].split()[0]}"])
        row.extend([item.deepcopy(), _entry(nodes.paragraph("", "", *_inline(claim)), on),
                    _entry(nodes.paragraph("", "", link), where), verdict.deepcopy(), number.deepcopy()])
        body += row
    for item in items:
        if item not in covered:
            row = nodes.row(classes=["verdict-missing"])
            row.extend([_entry(nodes.paragraph(text=item)), _entry(nodes.paragraph(text="no chapter checks this item in this build")),
                        _entry(nodes.paragraph(text="–")), _entry(nodes.paragraph(text="missing")), _entry(nodes.paragraph(text="–"))])
            body += row
    group += body
    return table


def _resolve(app, doctree, fromdoc):
    for node in list(doctree.findall(audit_table_node)):
        node.replace_self(_build_table(app, fromdoc, app.env))


def _write_json(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    stored = getattr(app.env, "chaos_verdicts", {})
    rows = [r["row"] | {"docname": doc} for doc, rs in stored.items() for r in rs]
    Path(app.outdir, "audit.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def _visit_container(self, node):
    pass


def _depart_container(self, node):
    pass


def setup(app):
    app.add_node(verdicts_node, html=(_visit_container, _depart_container), latex=(_visit_container, _depart_container),
                 text=(_visit_container, _depart_container))
    app.add_node(audit_table_node)
    app.add_css_file("chaos.css")
    app.add_directive("verdicts", VerdictsDirective)
    app.add_directive("audit-table", AuditTableDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-resolved", _resolve)
    app.connect("build-finished", _write_json)
    return {"version": "0.1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
