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
