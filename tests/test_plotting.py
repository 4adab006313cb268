"""chaos_book.plotting: the book style and explorers (grid -> picture mapping, budget, errors, live redraw)."""

import io
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from chaos_book.plotting import DPI, MAX_BYTES, _STYLE as STYLE, explore, label, render, show_error, use_style

PNG = b"\x89PNG\r\n\x1a\n"


def colour(a, b=0):
    "A figure filled with a grey level that encodes (a, b): the picture says which grid point drew it."
    fig = plt.figure(figsize=(1, 1))
    fig.patch.set_facecolor((a / 10, b / 10, 0.5))
    return fig


def rgb(png):
    "The colour of the top-left pixel of a PNG, as 0..1 floats."
    return tuple(plt.imread(io.BytesIO(bytes(png)))[0, 0, :3])


def near(measured, expected):
    "PNG stores 8-bit colour: equal to within one level."
    return all(abs(m - e) <= 1 / 255 + 1e-9 for m, e in zip(measured, expected))


def test_use_style_sets_rcparams():
    use_style()
    same = lambda a, b: list(a) == list(b) if isinstance(b, tuple) else a == b
    assert all(same(matplotlib.rcParams[k], v) for k, v in STYLE.items())


def test_render_is_png_at_the_dpi_and_closes_the_figure():
    fig = plt.figure(figsize=(2, 1))
    png = render(fig, dpi=50)
    assert png[:8] == PNG and plt.imread(io.BytesIO(png)).shape[:2] == (50, 100)
    assert not plt.fignum_exists(fig.number)


def test_labels():
    assert [label(v) for v in (0.1, 2, 1e-5, 3.14159265, "flat", True)] == ["0.1", "2", "1e-05", "3.142", "flat", "True"]


def test_grid_to_image_mapping_one_parameter():
    ex = explore(colour, live=False, a=[1, 4, 7])
    stack = ex.widget.children[-1]
    assert [bytes(child.value) for child in stack.children] == [ex.image(a=a) for a in (1, 4, 7)]
    assert all(near(rgb(ex.image(a=a)), (a / 10, 0, 0.5)) for a in (1, 4, 7))


def test_grid_to_image_mapping_two_parameters_nested_stacks_and_links():
    ex = explore(colour, live=False, a=[1, 2, 3], b=np.array([5.0, 9.0]))
    assert ex.grids == {"a": [1, 2, 3], "b": [5.0, 9.0]} and isinstance(ex.grids["b"][0], float)
    *sliders, outer = ex.widget.children
    assert [s.description for s in sliders] == ["a", "b"]
    assert [o[0] for o in sliders[1].options] == ["5", "9"]
    for i, a in enumerate([1, 2, 3]):
        for j, b in enumerate([5.0, 9.0]):
            png = bytes(outer.children[i].children[j].value)
            assert png == ex.image(a=a, b=b) and near(rgb(png), (a / 10, b / 10, 0.5))
    # one jslink per level: slider a -> outer stack, slider b -> each inner stack
    targets = {(l.source[0].model_id, l.source[1], l.target[0].model_id, l.target[1]) for l in ex.links}
    assert len(ex.links) == 1 + 3
    assert (sliders[0].model_id, "index", outer.model_id, "selected_index") in targets
    for inner in outer.children:
        assert (sliders[1].model_id, "index", inner.model_id, "selected_index") in targets
    assert "chaos-explorer" in ex.widget._dom_classes


def test_budget_is_enforced_and_reported():
    ex = explore(colour, live=False, a=[1, 2], b=[1, 2])
    assert ex.dpi == DPI and 0 < ex.nbytes == sum(len(p) for p in ex.images.values()) <= MAX_BYTES
    with pytest.raises(ValueError, match=r"over budget: .* after 2 of 4 pictures"):
        explore(colour, live=False, max_bytes=1.5 * len(ex.image(a=1, b=1)), a=[1, 2], b=[1, 2])


def test_a_typical_book_figure_is_well_within_budget():
    "A line plot at the book's size and DPI: at most 50 kB, so a 2 MB explorer holds 40 of them."
    use_style()

    def line(k):
        fig, ax = plt.subplots()
        x = np.linspace(0, 1, 500)
        ax.plot(x, np.sin(k * x), label=f"k={k}")
        ax.set(xlabel="x", ylabel="sin(kx)")
        ax.legend()
        return fig

    ex = explore(line, live=False, k=[1, 5, 20])
    assert plt.imread(io.BytesIO(ex.image(k=1))).shape[:2] == (288, 512)
    assert max(map(len, ex.images.values())) < 50_000


@pytest.mark.parametrize("grids, message", [
    ({}, "at least one parameter grid"),
    ({"a": []}, "grid 'a' is empty"),
    ({"a": np.array([])}, "grid 'a' is empty"),
    ({"a": 3}, "grid 'a' must be a sequence"),
    ({"a": "abc"}, "grid 'a' must be a sequence"),
    ({"a": [1.0, 1.000001]}, "grid 'a' has values that read the same"),
])
def test_bad_grids(grids, message):
    with pytest.raises(ValueError, match=message):
        explore(colour, live=False, **grids)


def test_bad_options():
    with pytest.raises(ValueError, match="dpi and max_bytes must be positive"):
        explore(colour, dpi=0, a=[1])
    with pytest.raises(TypeError, match="draw must be a function"):
        explore(None, a=[1])


def test_failing_draw_names_the_grid_point_and_closes_its_figures():
    def draw(a):
        if a > 1:
            plt.figure()
            raise ZeroDivisionError("boom")
        return colour(a)

    open_before = len(plt.get_fignums())
    with pytest.raises(RuntimeError, match=r"draw\(a=2\) failed: ZeroDivisionError: boom") as info:
        explore(draw, live=False, a=[1, 2])
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert len(plt.get_fignums()) == open_before


def test_draw_must_return_a_figure():
    with pytest.raises(TypeError, match=r"draw\(a=1\) must return a matplotlib Figure, got NoneType"):
        explore(lambda a: None, live=False, a=[1])


def test_live_explorer_redraws_off_grid_within_a_second():
    calls = []

    def draw(a, b):
        calls.append((a, b))
        return colour(a, {"x": 1, "y": 2}[b])

    ex = explore(draw, live=True, a=[1.0, 2.0, 3.0], b=["x", "y"])
    assert ex.live and "chaos-explorer-live" in ex.widget._dom_classes and calls == [(1.0, "x")]
    slider_a, slider_b, image = ex.widget.children
    assert slider_a.min == 1.0 and slider_a.max == 3.0 and [o[0] for o in slider_b.options] == ["x", "y"]
    start = time.perf_counter()
    slider_a.value = 2.5  # off the grid
    assert time.perf_counter() - start < 1.0
    assert calls[-1] == (2.5, "x") and near(rgb(image.value), (0.25, 0.1, 0.5))
    slider_a.value = 2.0  # on the grid: drawn once, then kept
    slider_a.value = 2.5
    slider_a.value = 2.0
    assert calls.count((2.0, "x")) == 1 and calls.count((2.5, "x")) == 2
    assert bytes(image.value) == ex.image(a=2.0, b="x")


def test_live_is_the_default_in_a_jupyter_server_kernel(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "/nbs/01_drivers.ipynb")
    assert explore(colour, a=[1, 2]).live
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert not explore(colour, a=[1, 2]).live


@pytest.mark.parametrize("kwargs, err, message", [
    ({"max_bytes": float("nan")}, ValueError, "max_bytes must be positive and finite"),
    ({"max_bytes": float("inf")}, ValueError, "positive and finite"),
    ({"max_bytes": -1}, ValueError, "positive and finite"),
    ({"dpi": float("nan")}, ValueError, "dpi and max_bytes must be positive and finite, got dpi=nan"),
    ({"dpi": float("inf")}, ValueError, "positive and finite"),
    ({"dpi": "80"}, TypeError, "dpi must be a number, got str"),
    ({"max_bytes": None}, TypeError, "max_bytes must be a number, got NoneType"),
    ({"dpi": True}, TypeError, "dpi must be a number, got bool"),
])
def test_nan_and_non_numbers_are_refused(kwargs, err, message):
    "explore(max_bytes=nan) must not turn the budget off; dpi=nan gives a clear error (issue 19)."
    with pytest.raises(err, match=message):
        explore(colour, live=False, a=[1], **kwargs)


@pytest.mark.parametrize("live", [False, True])
def test_display_carries_a_static_fallback(live):
    "Widget view first (HTML); then image/png of the default picture and a caption naming the live version (PDF)."
    import base64
    ex = explore(colour, live=live, a=[1, 2], b=[3, 4])
    bundle = ex._repr_mimebundle_()
    assert list(bundle)[0] == "application/vnd.jupyter.widget-view+json"
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.widget.model_id
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == PNG and png == ex.image(a=1, b=3) and near(rgb(png), (0.1, 0.3, 0.5))
    assert ex.default == ({"a": 1, "b": 3}, png)
    text = bundle["text/plain"]
    assert "default picture (a = 1, b = 3)" in text and "HTML book" in text and "JupyterLab" in text
    assert "a over 1, 2" in text and "b over 3, 4" in text


def test_display_in_ipython_uses_the_bundle():
    "IPython's formatter (what nbclient records) gets all three MIME types from one display."
    from IPython.core.formatters import DisplayFormatter
    data, _ = DisplayFormatter().format(explore(colour, live=False, a=[1]))
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(data)


def test_show_error_prints_and_checks(capsys):
    with show_error(ValueError):
        raise ValueError("bad b")
    assert capsys.readouterr().out == "ValueError: bad b\n"
    with pytest.raises(AssertionError, match="raised nothing"):
        with show_error(ValueError):
            pass
    with pytest.raises(KeyError):
        with show_error(ValueError):
            raise KeyError("x")
