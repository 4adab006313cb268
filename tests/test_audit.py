"""The audit: claims are computed, verdict tables are never typed, and the collected table follows the chapters."""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from chaos_book.audit import (EDGES, ITEM_VERDICTS, ITEMS, KINDS, UNCHECKED, VERDICTS, Claim, audit_object, graph,
                              graph_svg, item_anchor, item_shape, item_verdict, part_verdict, rests_on,
                              row_verdict_label, summary, text_table, uses, verdicts)

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted((ROOT / "nbs").glob("*.ipynb"))


def claim(**kw):
    base = dict(item="Lemma 4.2", claim="$u \\le M$", scope="flat-topped data", check="max u / M", holds=True,
                number="1.00", expect="holds", kind="statement")
    return Claim(**(base | kw))


def test_verdict_follows_the_computation():
    assert claim(holds=True).verdict == "holds"
    assert claim(holds=False, expect="fails").verdict == "fails"
    assert claim(holds=False, if_false="holds with a corrected constant", expect="holds with a corrected constant").verdict \
        == "holds with a corrected constant"
    assert Claim.unchecked("Definition 2.1", "a driver is a map", why="a definition").verdict == UNCHECKED


def test_numpy_booleans_are_computed_booleans():
    np = pytest.importorskip("numpy")
    assert claim(holds=np.float64(0.3) < 1).holds is True


@pytest.mark.parametrize("bad, word", [(dict(item="Lemma 9.9"), "item"), (dict(expect="true"), "expect"),
                                        (dict(if_true="ok"), "if_true"), (dict(holds=1), "holds"),
                                        (dict(holds="yes"), "holds"), (dict(scope=""), "scope"),
                                        (dict(claim="two\nlines"), "claim"), (dict(holds=None), "holds=None"),
                                        (dict(kind=""), "kind"), (dict(kind="lemma"), "kind"),
                                        (dict(kind="Statement"), "kind")])
def test_bad_claims_are_refused(bad, word):
    with pytest.raises(ValueError, match=re.escape(word)):
        claim(**bad)


def test_a_wrong_expected_verdict_fails_the_chapter():
    verdicts(claim())
    with pytest.raises(AssertionError, match="computation gives 'fails' but the chapter says 'holds'"):
        verdicts(claim(holds=False))
    with pytest.raises(ValueError, match="at least one"):
        verdicts()


def test_markdown_is_the_directive_and_html_is_a_table():
    v = verdicts(claim(), claim(holds=False, expect="fails"))
    md = v._repr_markdown_()
    assert md.startswith("```{verdicts}\n") and md.rstrip().endswith("```")
    rows = json.loads(md.split("\n", 1)[1].rsplit("```", 1)[0])
    assert [r["verdict"] for r in rows] == ["holds", "fails"]
    assert v._repr_html_().count("<tr>") == 3


def test_text_table_in_paper_order():
    rows = [verdicts(claim(item="Lemma 4.3", claim="H1 bound")).rows()[0], verdicts(claim()).rows()[0]]
    lines = text_table(rows).splitlines()
    assert lines[2].startswith("Lemma 4.2") and lines[3].startswith("Lemma 4.3")


def test_items_and_verdicts_are_fixed():
    assert len(set(ITEMS)) == len(ITEMS) and ITEMS[0] == "Definition 2.1" and VERDICTS[-1] == UNCHECKED


# -- every verdict row in the book has a computation behind it --------------------------------------------------------

VERDICT_WORDS = re.compile(r"\|\s*\**(holds|fails|fail|holds, sharp)\b[^|]*\**\s*\|", re.I)


def _cells(path):
    return nbformat.read(path, as_version=4).cells


@pytest.mark.parametrize("path", NBS, ids=lambda p: p.name)
def test_no_typed_verdict_table(path):
    "A Markdown table whose cells are verdict words, in a notebook's Markdown or in a string a code cell prints."
    for cell in _cells(path):
        for line in cell.source.splitlines():
            assert not VERDICT_WORDS.search(line), f"{path.name}: a verdict typed by hand: {line.strip()[:120]}"


@pytest.mark.parametrize("path", NBS, ids=lambda p: p.name)
def test_claims_are_computed(path):
    "Every Claim(...) in a chapter gets `holds` from an expression, never a literal True/False."
    for cell in _cells(path):
        if cell.cell_type != "code":
            continue
        source = "\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith(("#|", "%", "!")))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Claim":
                for kw in node.keywords:
                    if kw.arg == "holds":
                        assert not isinstance(kw.value, ast.Constant), \
                            f"{path.name}: Claim({ast.unparse(node.args[0]) if node.args else ''}) has a literal holds"


# -- the collected table follows a chapter's computed verdict -----------------------------------------------------------

CHAPTER = """from chaos_book.audit import Claim, verdicts
x = {x}
verdicts(Claim("Lemma 4.2", "$u \\\\le M$", scope="a fixture", check="x < 1", holds=x < 1, number=f"x = {{x}}",
               expect="holds" if x < 1 else "fails", section="Checks", kind="statement"),
         Claim("Assumption 2.4(i)", "a control", scope="outside (i)", check="x > 1", holds=x > 1,
               number=f"$|\\\\int K - 1| = {{x * 1e-16:.1e}}$", expect="fails" if x <= 1 else "holds",
               section="Checks", kind="control"))"""


def _book(tmp: Path, x: float):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Fixture chapter"), nbformat.v4.new_markdown_cell("## Checks"),
                nbformat.v4.new_code_cell(CHAPTER.format(x=x))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp / "chapter.ipynb")


def _build(tmp: Path):
    jb = Path(sys.executable).with_name("jupyter-book")
    out = subprocess.run([str(jb), "build", "-W", "-n", str(tmp)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    page = (tmp / "_build/html/audit.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    intro = (tmp / "_build/html/intro.html").read_text(encoding="utf-8")
    audit = json.loads((tmp / "_build/html/audit.json").read_text(encoding="utf-8"))
    return page, text, intro, audit


def _check_shape(audit):
    "audit.json: an object with rows (each with its kind), one summary entry per item, and the graph."
    assert set(audit) == {"rows", "summary", "graph"}
    assert all(r["kind"] in KINDS and r["verdict"] in VERDICTS and r["docname"] for r in audit["rows"])
    assert [s["item"] for s in audit["summary"]] == list(ITEMS)
    assert all(s["verdict"] in ITEM_VERDICTS for s in audit["summary"])
    assert [n["item"] for n in audit["graph"]["nodes"]] == list(ITEMS)
    assert audit["graph"]["edges"] == [[a, b] for a, b, _ in EDGES] and len(audit["graph"]["steps"]) == len(EDGES)
    assert text_table(audit).splitlines()[0].startswith("item")


def test_changing_a_chapter_changes_the_audit_page(tmp_path):
    shutil.copytree(ROOT / "book_ext", tmp_path / "book_ext")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: chapter\n- file: audit\n")
    (tmp_path / "_config.yml").write_text(
        "title: fixture\nexecute:\n  execute_notebooks: cache\n  cache: _jcache\nparse:\n  myst_enable_extensions: [dollarmath]\n"
        "sphinx:\n  local_extensions:\n    nbdev_directives: book_ext/\n    audit_table: book_ext/\n"
        "  config:\n    nb_render_markdown_format: myst\n    nb_mime_priority_overrides: [[html, text/markdown, 25]]\n")
    (tmp_path / "intro.md").write_text("# Fixture\n\n```{audit-graph}\n```\n")
    (tmp_path / "audit.md").write_text("# Audit\n\n```{audit-summary}\n```\n\n```{audit-graph}\n```\n\n"
                                       "```{audit-table}\n```\n")
    _book(tmp_path, 0.5)
    page, text, intro, audit = _build(tmp_path)
    _check_shape(audit)
    assert [(r["kind"], r["verdict"]) for r in audit["rows"]] == [("control", "fails"), ("statement", "holds")]
    assert "x = 0.5" in text and '<span class="chaos-num">0.5</span>' in page and "chapter.html#checks" in page
    assert page.count("no chapter checks this item") == len(ITEMS) - 2
    by = {s["item"]: s["verdict"] for s in audit["summary"]}
    assert by["Lemma 4.2"] == "holds within the scope tested" and by["Assumption 2.4(i)"] == "no statement checked"
    # the control reads as the check working, never as a bold "fails" of the paper
    assert "the check fails, as designed" in page and "<strong>fails</strong>" not in page
    # the key number in scientific notation is typeset upright, split after its relation so that it can wrap
    assert r"\mathrm{5.0e{-}17}" in page and r"\(|\int K - 1| ={}\)" in page
    # one anchor per item, which the summary and the graph (on both pages) link to
    for item in ITEMS:
        assert page.count(f'id="{item_anchor(item)}"') == 1 and page.count(f'href="#{item_anchor(item)}"') == 2
        assert f'href="audit.html#{item_anchor(item)}"' in intro
    assert page.count("<svg") == 1 and intro.count("<svg") == 1 and "Theorem 3.1 reads" in intro
    _book(tmp_path, 2.0)  # the chapter's code changes: jupyter-cache runs it again, and the audit page follows
    page, text, intro, audit = _build(tmp_path)
    _check_shape(audit)
    assert [r["verdict"] for r in audit["rows"]] == ["holds", "fails"] and "x = 2.0" in text and "x = 0.5" not in text
    by = {s["item"]: s["verdict"] for s in audit["summary"]}
    assert by["Lemma 4.2"] == "fails" and "<strong>fails</strong>" in page
    assert "Failing as stated (1): Lemma 4.2 (used directly)" in intro


# -- kinds, the rule that makes an item's verdict, the graph ------------------------------------------------------------

def test_the_kind_vocabulary():
    assert KINDS == ("statement", "proof step", "beyond the paper", "method", "control")
    for kind in KINDS:
        assert claim(kind=kind).kind == kind
    assert Claim.unchecked("Remark 3.2", "singular", why="an argument").kind == "statement"
    assert Claim.unchecked("Remark 3.2", "singular", why="an argument", kind="beyond the paper").kind == "beyond the paper"
    with pytest.raises(ValueError, match="kind must be one of"):  # kind is required
        Claim("Lemma 4.2", "c", scope="s", check="k", holds=True, number="1", expect="holds")
    assert "Remark 3.2" in ITEMS and ITEMS.index("Remark 3.2") == ITEMS.index("Theorem 3.1") + 1


def test_a_control_never_reads_as_a_failure_of_the_paper():
    assert row_verdict_label("control", "fails") == "control: the check fails, as designed"
    assert row_verdict_label("control", "fails", with_kind=False) == "the check fails, as designed"
    assert row_verdict_label("control", "holds") == "control: the check passes, as designed"
    assert row_verdict_label("statement", "fails") == "fails" and row_verdict_label("method", "holds") == "method: holds"
    rendered = repr(verdicts(claim(kind="control", holds=False, expect="fails")))
    assert "**" not in rendered and "as designed" in rendered
    assert "**proof step: fails**" in repr(verdicts(claim(kind="proof step", holds=False, expect="fails")))
    for bad in (dict(kind="lemma", verdict="fails"), dict(kind="control", verdict="failed")):
        with pytest.raises(ValueError, match="must be one of"):
            row_verdict_label(**bad)


def _row(kind, verdict, item="Lemma 4.3"):
    return dict(item=item, kind=kind, verdict=verdict, scope=f"{kind} scope")


S, P = "statement", "proof step"
OUTCOMES = {  # one fixture per outcome of the rule
    "fails": [_row(S, "fails"), _row(S, "holds"), _row(P, "holds")],
    "statement holds, proof has a gap": [_row(S, "holds"), _row(P, "fails"), _row(P, "holds")],
    "proof has a gap, statement not checked": [_row(S, UNCHECKED), _row(P, "fails")],
    "holds with a corrected constant": [_row(S, "holds"), _row(P, "holds with a corrected constant")],
    "holds but vacuous": [_row(S, "holds but vacuous"), _row(P, "holds")],
    "holds within the scope tested": [_row(S, "holds"), _row(S, "holds but vacuous"), _row(S, UNCHECKED)],
    "proof steps hold, statement not checked": [_row(P, "holds")],
    UNCHECKED: [_row(S, UNCHECKED), _row(P, UNCHECKED)],
    "no statement checked": [],
}


def test_every_outcome_has_a_fixture():
    assert set(OUTCOMES) == set(ITEM_VERDICTS)


@pytest.mark.parametrize("expected", list(OUTCOMES))
def test_the_summary_rule(expected):
    assert item_verdict(OUTCOMES[expected]) == expected
    claims = [claim(item="Lemma 4.3", kind=r["kind"], holds=None if r["verdict"] == UNCHECKED else r["verdict"] != "fails",
                    if_true=r["verdict"] if r["verdict"] not in ("fails", UNCHECKED) else "holds",
                    expect=r["verdict"]) for r in OUTCOMES[expected]]
    assert item_verdict([c for c in claims if c.holds is not None]
                        + [Claim.unchecked("Lemma 4.3", "x", why="y", kind=c.kind) for c in claims if c.holds is None]) \
        == expected  # Claim objects and row dicts give the same verdict


OTHERS = [_row(k, v) for k in ("method", "control", "beyond the paper") for v in VERDICTS]


@pytest.mark.parametrize("expected", list(OUTCOMES))
@pytest.mark.parametrize("extra", OTHERS, ids=lambda r: f"{r['kind']}-{r['verdict']}")
def test_method_control_and_beyond_rows_never_move_a_verdict(expected, extra):
    assert item_verdict(OUTCOMES[expected] + [extra]) == expected
    assert item_verdict(OUTCOMES[expected] + OTHERS) == expected


def test_part_verdicts():
    assert part_verdict([], S) is None and part_verdict([_row(P, "fails")], S) is None
    assert part_verdict([_row(S, "holds"), _row(S, "holds but vacuous")], S) == "holds"
    assert part_verdict([_row(S, "holds but vacuous"), _row(S, UNCHECKED)], S) == "holds but vacuous"
    with pytest.raises(ValueError, match="row verdict"):
        part_verdict([_row(S, "fine")], S)
    with pytest.raises(ValueError, match="kind"):
        part_verdict([], "lemma")


def test_summary_has_one_entry_per_item_and_the_deciding_scope():
    rows = OUTCOMES["statement holds, proof has a gap"] + [_row("method", "fails"), _row(S, "fails", item="Lemma 4.2")]
    s = {e["item"]: e for e in summary(rows)}
    assert list(s) == list(ITEMS)
    assert s["Lemma 4.3"]["verdict"] == "statement holds, proof has a gap" and s["Lemma 4.3"]["scopes"] == ["proof step scope"]
    assert s["Lemma 4.3"]["kinds"] == {"statement": 1, "proof step": 2, "method": 1} and s["Lemma 4.3"]["rows"] == 4
    assert s["Lemma 4.2"]["verdict"] == "fails" and s["Theorem 3.1"]["verdict"] == "no statement checked"
    with pytest.raises(ValueError, match="row item"):
        summary([_row(S, "holds", item="Lemma 9.9")])


def test_the_graph_data():
    pairs = [(a, b) for a, b, _ in EDGES]
    assert all(a in ITEMS and b in ITEMS for a, b in pairs), "every edge's ends are items"
    assert all(a != b for a, b in pairs), "no self loops"
    assert len(set(pairs)) == len(pairs), "no duplicate edges"
    assert all(isinstance(step, str) and len(step.strip()) > 10 for *_, step in EDGES), "each edge cites its step"
    for item in ITEMS:  # acyclic: no item is used, through any chain, by itself
        assert item not in uses(item)
    # Theorem 3.1 is proved by the five steps of §4.1, and rests on the stability condition through Lemma 4.3
    direct = {b for a, b in pairs if a == "Theorem 3.1"}
    assert {"Proposition 4.1", "Lemma 4.2", "Lemma 4.3", "Proposition 4.4", "Proposition 4.5"} <= direct
    assert uses("Theorem 3.1")["Assumption 2.4(v)"] == ("Theorem 3.1", "Lemma 4.3", "Assumption 2.4(v)")
    shapes = {item_shape(i) for i in ITEMS}
    assert shapes == {"definition", "assumption", "theorem", "remark", "example", "section"}
    g = graph(summary(OUTCOMES["fails"]))
    node = {n["item"]: n for n in g["nodes"]}
    assert node["Lemma 4.3"]["statement"] == "fails" and node["Lemma 4.3"]["proof"] == "holds"
    assert node["Lemma 4.2"]["statement"] is None and g["edges"] == [list(p) for p in pairs]


def test_the_graph_is_a_static_svg():
    import xml.etree.ElementTree as ET
    svg = graph_svg(summary(OUTCOMES["statement holds, proof has a gap"]), href=lambda i: f"audit.html#{item_anchor(i)}")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    links = root.findall(f".//{ns}a")
    assert [a.get("href") for a in links] == [f"audit.html#{item_anchor(i)}" for i in ITEMS]
    assert len(root.findall(f".//{ns}path[@class='chaos-edge']")) == len(EDGES)
    assert "<script" not in svg and svg.count("http") == 1  # the xmlns only: nothing to fetch
    lemma = links[ITEMS.index("Lemma 4.3")]
    shape = lemma.find(f"{ns}ellipse")
    assert shape.get("fill") == "#cdebd3" and shape.get("stroke") == "#b03a2e"  # holds inside, a failing proof outside


def test_rests_on_follows_the_graph():
    rows = [_row(S, "fails", item="Lemma 4.2"), _row(P, "fails", item="Lemma 4.3"), _row(S, "holds", item="Lemma 4.3"),
            _row(S, "holds", item="Proposition 2.6"), _row("control", "fails", item="Proposition 4.5")]
    text = rests_on(summary(rows))
    assert "Failing as stated (1): Lemma 4.2 (used directly)" in text
    assert "Holding where checked, with a gap in the proof (1): Lemma 4.3 (used directly)" in text
    assert "Proposition 2.6" in text and "repairing Lemma 4.2, Lemma 4.3" in text
    assert "Proposition 4.5" in text and "Proposition 4.5 (" not in text  # a control moves nothing
    assert "No failure or gap reaches Theorem 3.1" in rests_on(summary([_row(S, "holds", item="Lemma 4.2")]))
    with pytest.raises(ValueError, match="item"):
        rests_on([], item="Lemma 9.9")


def test_text_table_takes_the_object_and_a_list():
    rows = [verdicts(claim(item="Lemma 4.3", claim="H1 bound")).rows()[0], verdicts(claim()).rows()[0]]
    obj = audit_object(rows)
    assert [r["item"] for r in obj["rows"]] == ["Lemma 4.2", "Lemma 4.3"]
    text = text_table(obj)
    assert "verdict at a glance" in text and "Lemma 4.3            holds within the scope tested" in text
    assert text_table(rows).splitlines()[2].startswith("Lemma 4.2  statement")
    assert text_table(json.loads(json.dumps(obj))) == text
    for bad in ({"summary": []}, "rows", 3):
        with pytest.raises(ValueError, match="audit must be"):
            text_table(bad)


@pytest.mark.parametrize("path", NBS, ids=lambda p: p.name)
def test_every_claim_names_its_kind(path):
    "Every Claim(...) in a notebook passes kind= (Claim.unchecked defaults to a statement)."
    for cell in _cells(path):
        if cell.cell_type != "code":
            continue
        source = "\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith(("#|", "%", "!")))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Claim":
                kws = {kw.arg for kw in node.keywords}
                assert "kind" in kws or None in kws or len(node.args) >= 11, \
                    f"{path.name}: Claim({ast.unparse(node.args[0]) if node.args else ''}, ...) has no kind="
