"""The directive reader of the book (book_ext/nbdev_directives.py): nbdev `#|` lines become MyST-NB cell tags."""

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book_ext"))
from nbdev_directives import convert_cell, directive_tags  # noqa: E402


@pytest.mark.parametrize("lines, tags", [
    (["#| hide"], ["remove-cell"]), (["#| echo: false"], ["remove-input"]), (["#| output: false"], ["remove-output"]),
    (["#| eval: false"], ["skip-execution"]), (["#| error: true"], []),
    (["#| code-fold: true"], ["hide-input"]), (["#| export"], ["hide-input"]), (["#| exporti"], ["hide-input"]),
    (["#| default_exp drivers"], ["remove-cell"]), (["#| export", "#| code-fold: true"], ["hide-input"]),
    (["#| code-fold: false"], []), (["#| echo: true"], []),
])
def test_directive_tags(lines, tags):
    assert directive_tags(lines) == tags


def test_directive_lines_leave_the_code():
    cell = nbformat.v4.new_code_cell("#| export\n#| code-fold: true\nx = 1\n")
    convert_cell(cell)
    assert cell.source == "x = 1\n" and cell.metadata["tags"] == ["hide-input"]


# --- book_ext/latex_book.py, api_reference.py, notebook_downloads.py, page_assets.py ---

from api_reference import escape_bars  # noqa: E402
from latex_book import latex_macros  # noqa: E402
from notebook_downloads import with_outputs  # noqa: E402
from page_assets import build_date, footer_html, package_version  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_no_directive_maps_to_raises_exception():
    from nbdev_directives import TAGS

    assert "raises-exception" not in TAGS.values()


def test_latex_macros_match_the_mathjax_table():
    tex = latex_macros({"eps": "\\varepsilon", "norm": ["\\lVert #1 \\rVert", 1]})
    assert "\\renewcommand{\\eps}{\\varepsilon}" in tex
    assert "\\renewcommand{\\norm}[1]{\\lVert #1 \\rVert}" in tex
    assert tex.startswith("\\AtBeginDocument{")


def test_every_mathjax_macro_of_the_book_is_defined_for_latex():
    import yaml

    macros = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    tex = latex_macros(macros)
    assert all(f"\\renewcommand{{\\{name}}}" in tex for name in macros)


@pytest.mark.parametrize("line, out", [
    ("|x| <= 1", "\\|x\\| <= 1"),
    ("Exact $W_p$ in $\\mathbb R^d$", "Exact :math:`W_p` in :math:`\\mathbb R^d`"),
    ("norm $|x|^2$ and |y|", "norm :math:`|x|^2` and \\|y\\|"),
    ("or $CHAOS_BOOK_MAX_BYTES, else 8 GiB", "or $CHAOS_BOOK_MAX_BYTES, else 8 GiB"),
    ("already \\| escaped", "already \\| escaped"),
])
def test_docstring_lines_become_restructuredtext(line, out):
    lines = [line]
    escape_bars(lines)
    assert lines == [out]


def test_download_keeps_the_committed_cells_and_takes_the_outputs():
    source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"),
                                             nbformat.v4.new_code_cell("#| echo: false\nprint(1)")])
    done = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("print(1)")])
    done.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    done.cells[1].execution_count = 1
    merged = with_outputs(source, done)
    assert merged.cells[1].source == "#| echo: false\nprint(1)" and merged.cells[1].outputs[0]["text"] == "1\n"
    assert source.cells[1].outputs == []  # the committed notebook object is not modified
    with pytest.raises(ValueError, match="cells"):
        with_outputs(source, nbformat.v4.new_notebook(cells=done.cells[:1]))


def test_version_and_date_for_the_footer(monkeypatch):
    import chaos_book

    assert package_version(ROOT) == chaos_book.__version__
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    assert build_date() == "2026-01-01"
    assert "version 0.1.0" in footer_html("0.1.0", "2026-01-01") and "2026-01-01" in footer_html("0.1.0", "2026-01-01")
