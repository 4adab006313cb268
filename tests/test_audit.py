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

from chaos_book.audit import ITEMS, UNCHECKED, VERDICTS, Claim, text_table, verdicts

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted((ROOT / "nbs").glob("*.ipynb"))


def claim(**kw):
    base = dict(item="Lemma 4.2", claim="$u \\le M$", scope="flat-topped data", check="max u / M", holds=True,
                number="1.00", expect="holds")
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
                                        (dict(claim="two\nlines"), "claim"), (dict(holds=None), "holds=None")])
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
               expect="holds" if x < 1 else "fails", section="Checks"))"""


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
    rows = json.loads((tmp / "_build/html/audit.json").read_text(encoding="utf-8"))
    return page, rows


def test_changing_a_chapter_changes_the_audit_table(tmp_path):
    shutil.copytree(ROOT / "book_ext", tmp_path / "book_ext")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: chapter\n- file: audit\n")
    (tmp_path / "_config.yml").write_text(
        "title: fixture\nexecute:\n  execute_notebooks: cache\n  cache: _jcache\nparse:\n  myst_enable_extensions: [dollarmath]\n"
        "sphinx:\n  local_extensions:\n    nbdev_directives: book_ext/\n    audit_table: book_ext/\n"
        "  config:\n    nb_render_markdown_format: myst\n    nb_mime_priority_overrides: [[html, text/markdown, 25]]\n")
    (tmp_path / "intro.md").write_text("# Fixture\n")
    (tmp_path / "audit.md").write_text("# Audit\n\n```{audit-table}\n```\n")
    _book(tmp_path, 0.5)
    page, rows = _build(tmp_path)
    assert [r["verdict"] for r in rows] == ["holds"] and "x = 0.5" in page and "chapter.html#checks" in page
    assert page.count("no chapter checks this item") == len(ITEMS) - 1
    _book(tmp_path, 2.0)  # the chapter's code changes: jupyter-cache runs it again, and the audit page follows
    page, rows = _build(tmp_path)
    assert [r["verdict"] for r in rows] == ["fails"] and "x = 2.0" in page and "x = 0.5" not in page
