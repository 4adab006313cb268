"""The README's library example must run as printed (docs that match the code)."""
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs_and_w1_is_small(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1, "the README should hold exactly one python example"
    scope = {}
    exec(compile(blocks[0], str(README), "exec"), scope)
    w1 = float(capsys.readouterr().out.strip().splitlines()[-1])
    # 1e5 particles: sampling error ~ N^{-1/2} = 3e-3, plus the O(dt) Euler-Maruyama bias; 0.02 would mean a broken chain
    assert np.isfinite(w1) and 0 < w1 < 0.02


def test_readme_names_only_what_exists():
    "Every `make X` the README names is a Makefile target, and every extra it names is in pyproject.toml."
    import tomllib

    text = README.read_text()
    root = README.parent
    targets = set(re.findall(r"^([a-z][\w-]*):", (root / "Makefile").read_text(), re.M))
    named = set(re.findall(r"\bmake ([a-z][\w-]*)", text))
    assert named and named <= targets, f"the README names make targets that do not exist: {named - targets}"
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for extra in re.findall(r"chaos-book\[(\w+)\]|\.\[(\w+)\]", text):
        name = extra[0] or extra[1]
        assert name in extras, f"the README names an extra that pyproject.toml lacks: {name}"


def test_readme_says_how_to_run_a_chapter_live():
    text = README.read_text()
    assert "pip install 'chaos-book[notebooks]'" in text
    assert "CHAOS_BOOK_SIZE=large" in text and "jupyter execute" in text
    assert "numba" in text and "make pdf" in text
