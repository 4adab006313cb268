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
