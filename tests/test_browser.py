"""The built book in a real browser (Playwright driving Debian's chromium), and the chapters live in JupyterLab.

Every page of the book (CHAOS_BOOK_HTML, default _build/html) is served on 127.0.0.1 and opened. A page passes when
no request fails (status >= 400 included) and none leaves 127.0.0.1, the console shows no error, MathJax typeset every
formula (no raw `$$`, `\\frac` or `\\begin{` in the visible text), every visible image loads, and every explorer
responds with no kernel: moving any of its sliders changes the picture. The layout must fit, at 1280 and at 1920 px: no
element of a verdict or audit table is wider inside than its box (scrollWidth > clientWidth: a scrollbar, a clipped key
number, a word run into the next cell), no display equation shows a scrollbar while it is narrower than its column, and
(at 1280 px) no visible code cell scrolls sideways. Fixture pages check that each of these checks can fail. Screenshots and a JSON summary go to _build/browser/. A missing browser fails; it never skips.
"""

import http.server
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("CHAOS_BOOK_HTML", ROOT / "_build" / "html")).resolve()
OUT = HTML.parent / "browser"
FIXTURES = Path(__file__).with_name("browser_fixtures")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync"]
RAW_TEX = re.compile(r"\$\$|\\frac|\\begin\{")
LAB_CHAPTER = "17_plotting.ipynb"  # the quickest chapter with an explorer

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # a missing browser stack fails the run; it never skips
    sync_playwright = None


# ---------------------------------------------------------------- browser and servers

@pytest.fixture(scope="module")
def browser():
    if sync_playwright is None:
        pytest.fail("the Python package playwright is missing: `make venv` installs it (pip install playwright)")
    if not CHROMIUM:
        pytest.fail("no chromium found: install the Debian package `chromium` (apt-get install chromium), "
                    "or set CHROMIUM=/path/to/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)  # Playwright gives it a fresh profile dir
        yield b
        b.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(folder):
    "Serve a folder on 127.0.0.1 (a free port) in a thread; yields the base URL."
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Watch:
    "Everything a page does on the network and the console, as a list of problems."

    def __init__(self, page):
        self.problems, self.requests = [], 0
        page.route("**/*", self.route)
        page.on("requestfailed", lambda r: r.url.startswith("http://127.0.0.1")
                and self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"uncaught exception: {e}"))

    def route(self, route):
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            self.requests += 1
            route.continue_()
        else:  # never let it out: record and abort
            self.problems.append(f"request leaves 127.0.0.1: {url}")
            route.abort()

    def take(self):
        found, self.problems = self.problems, []
        return found


# ---------------------------------------------------------------- what one page must satisfy

VISIBLE_TEXT = """() => {
  const skip = "pre, code, script, style, textarea, mjx-container, .cell_input, .highlight";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip) || !el.checkVisibility()) continue;
    out.push(n.textContent);
  }
  return out.join(" ");
}"""

MATH = """() => {
  const spans = [...document.querySelectorAll(".math")];
  return {math: spans.length, typeset: spans.filter(s => s.querySelector("mjx-container")).length,
          containers: document.querySelectorAll("mjx-container").length,
          errors: [...document.querySelectorAll("mjx-merror")].map(e => e.getAttribute("data-mjx-error") || e.textContent),
          sources: window.MathJax && MathJax.startup && MathJax.startup.document ? [...MathJax.startup.document.math]
            .filter(m => m.typesetRoot && m.typesetRoot.querySelector("mjx-merror")).map(m => m.math.slice(0, 160)) : []};
}"""

IMAGES = """() => [...document.images].filter(i => i.checkVisibility())
  .map(i => ({src: i.src.slice(0, 120), ok: i.complete && i.naturalWidth > 0 && i.naturalHeight > 0}))"""

# Explorers embedded in the page: displayed VBox models whose DOM classes include chaos-explorer.
EXPECTED_EXPLORERS = """() => {
  const state = {};
  for (const s of document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]'))
    Object.assign(state, JSON.parse(s.textContent).state);
  const shown = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
    .map(s => JSON.parse(s.textContent).model_id);
  return shown.filter(id => state[id] && (state[id].state._dom_classes || []).includes("chaos-explorer")).length;
}"""

PICTURE = """e => [...e.querySelectorAll("img")].filter(i => i.checkVisibility()).map(i => i.src).join(" ")"""
READOUTS = """e => [...e.querySelectorAll(".widget-readout")].map(r => r.textContent).join(" | ")"""

# What does not fit (scrollWidth > clientWidth). MathJax's own boxes inside a formula (glyphs with their italic overhang) and its visually hidden
# assistive MathML are not layout; the formula's container is, and so is every HTML element of a table.
LAYOUT = """() => {
  const say = e => `${e.tagName.toLowerCase()}${typeof e.className === "string" && e.className.trim()
    ? "." + e.className.trim().split(/\\s+/).join(".") : ""} (${e.scrollWidth} > ${e.clientWidth}): `
    + (e.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60);
  // wider inside than its box: by any amount where the box scrolls or clips (overflow not visible), by more than
  // 1 px of subpixel rounding where the content spills visibly into the next box
  const wide = e => e.clientWidth > 0 && e.checkVisibility() && e.scrollWidth > e.clientWidth
    + (getComputedStyle(e).overflowX === "visible" ? 1 : 0);
  const mathjax = e => (e.closest("mjx-container") && e.tagName !== "MJX-CONTAINER") || e.closest("mjx-assistive-mml")
    || e.tagName === "MATH";
  const tables = [...document.querySelectorAll("table.chaos-audit, table.chaos-verdict-table")]
    .flatMap(t => [t, ...t.querySelectorAll("*")]).filter(e => !mathjax(e) && wide(e)).map(say);
  const column = e => { const c = e.closest("article, main") || document.body, s = getComputedStyle(c);
    return c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); };  // its content width
  const equations = [...document.querySelectorAll('div.math, mjx-container[display="true"]')]
    .filter(e => wide(e) && ["auto", "scroll"].includes(getComputedStyle(e).overflowX) && e.scrollWidth <= column(e))
    .map(say);
  const code = [...document.querySelectorAll("div.cell_input pre")].filter(wide).map(say);
  return {tables, equations, code};
}"""


def layout_problems(page, width, code=True):
    "What does not fit on the open page at this viewport width (the code check only where `code`)."
    found = page.evaluate(LAYOUT)
    problems = [f"at {width} px, an audit table element wider inside than its box: {t}" for t in found["tables"][:8]]
    problems += [f"at {width} px, a display equation shows a scrollbar though it fits its column: {e}"
                 for e in found["equations"][:8]]
    if code:
        problems += [f"at {width} px, a visible code cell scrolls sideways: {c}" for c in found["code"][:8]]
    return problems


def mathjax_done(page):
    "Wait for MathJax's first typeset, if the page loads MathJax."
    page.evaluate("""async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise)
                                       await MathJax.startup.promise; }""")


def explorers_respond(page, name, shots=None):
    "Move each slider of each explorer with the keyboard; the picture and the readout must change. Returns counts."
    problems, sliders = [], 0
    explorers = page.locator(".chaos-explorer:not(.chaos-explorer-live)")
    for k in range(explorers.count()):
        ex = explorers.nth(k)
        handles = ex.locator(".noUi-handle")
        if handles.count() == 0:
            problems.append(f"explorer {k}: no slider")
        for s in range(handles.count()):
            sliders += 1
            before, text = ex.evaluate(PICTURE), ex.evaluate(READOUTS)
            handle = handles.nth(s)
            handle.scroll_into_view_if_needed()
            handle.focus()
            key = "ArrowLeft" if handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax") else "ArrowRight"
            handle.press(key)
            try:
                page.wait_for_function(f"([e, b]) => ({PICTURE})(e) !== b && ({PICTURE})(e) !== ''", arg=[ex.element_handle(), before],
                                       timeout=3000)
            except Exception:
                problems.append(f"explorer {k}, slider {s}: moved ({key}) but the picture did not change")
                continue
            if ex.evaluate(READOUTS) == text:
                problems.append(f"explorer {k}, slider {s}: the picture changed but the shown values did not")
        if shots is not None:
            ex.screenshot(path=str(shots / f"explorer-{name}-{k}.png"))
    return problems, explorers.count(), sliders


def check_page(page, watch, url, name="page", shots=None, redirect=False):
    "Open one page (following its meta refresh when `redirect`) and return (problems, counts). Layout at the page's width."
    page.goto(url, wait_until="load")
    if redirect:
        page.wait_for_url(lambda u: u != url, timeout=10000)
        page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")  # late requests (the favicon) finish here, not aborted by the next page
    mathjax_done(page)
    expected = page.evaluate(EXPECTED_EXPLORERS)
    problems = []
    if expected:
        try:
            page.wait_for_function(f"n => document.querySelectorAll('.chaos-explorer').length >= n", arg=expected, timeout=15000)
            page.wait_for_function("() => [...document.querySelectorAll('.chaos-explorer img')].every(i => i.complete)", timeout=5000)
        except Exception:
            problems.append(f"{expected} explorers in the widget state, "
                            f"{page.locator('.chaos-explorer').count()} rendered")
    raw = RAW_TEX.findall(page.evaluate(VISIBLE_TEXT))
    if raw:
        problems.append(f"raw TeX in the visible text: {sorted(set(raw))}")
    math = page.evaluate(MATH)
    if math["typeset"] < math["math"]:
        problems.append(f"MathJax typeset {math['typeset']} of {math['math']} formulas")
    if math["errors"]:
        problems.append(f"MathJax errors: {math['errors'][:5]} in {math['sources'][:5]}")
    broken = [i["src"] for i in page.evaluate(IMAGES) if not i["ok"]]
    if broken:
        problems.append(f"images that did not load: {broken[:5]}")
    problems += layout_problems(page, page.viewport_size["width"])
    moved, n_explorers, n_sliders = explorers_respond(page, name, shots)
    problems += moved
    page.wait_for_timeout(50)  # let late console messages and responses arrive
    problems += watch.take()
    return problems, {"explorers": n_explorers, "sliders": n_sliders, "math": math["containers"]}


# ---------------------------------------------------------------- the book

def book_pages():
    return sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html") if "_static" not in p.relative_to(HTML).parts)


@pytest.fixture(scope="module")
def book():
    if not (HTML / "index.html").is_file():
        pytest.skip(f"no built book in {HTML}: run `make book` (make test builds it first)")
    with serve(HTML) as base:
        yield base


KEY_PAGES = {"nbs/index.html", "nbs/01_drivers.html", "nbs/07_linf_bound.html", "nbs/14_audit.html"}


def test_every_page_in_the_browser(browser, book):
    OUT.mkdir(parents=True, exist_ok=True)
    start, report = time.perf_counter(), {}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    watch = Watch(page)
    failures = {}
    for rel in book_pages():
        name = rel.removesuffix(".html").replace("/", "_")
        redirect = 'http-equiv="Refresh"' in (HTML / rel).read_text(encoding="utf-8")
        problems, counts = check_page(page, watch, book + rel, name, shots=OUT, redirect=redirect)
        if rel in KEY_PAGES or counts["explorers"]:
            page.screenshot(path=str(OUT / f"page-{name}.png"))
        report[rel] = counts
        if problems:
            failures[rel] = problems
    context.close()
    wide = browser.new_context(viewport={"width": 1920, "height": 1000}, service_workers="block")
    page = wide.new_page()
    watch = Watch(page)
    for rel in book_pages():  # the layout again at 1920 px, on every page with a table or a display equation
        source = (HTML / rel).read_text(encoding="utf-8")
        if not any(k in source for k in ("chaos-audit", "chaos-verdict-table", '<div class="math')):
            continue
        page.goto(book + rel, wait_until="load")
        mathjax_done(page)
        problems = layout_problems(page, 1920, code=False) + watch.take()
        if rel in KEY_PAGES:
            page.screenshot(path=str(OUT / f"page-{rel.removesuffix('.html').replace('/', '_')}-1920.png"), full_page=True)
        if problems:
            failures.setdefault(rel, []).extend(problems)
    wide.close()
    summary = {"pages": len(report), "requests": watch.requests, "math": sum(c["math"] for c in report.values()),
               "explorers": sum(c["explorers"] for c in report.values()),
               "sliders": sum(c["sliders"] for c in report.values()),
               "pages_with_explorers": sorted(p for p, c in report.items() if c["explorers"]),
               "seconds": round(time.perf_counter() - start, 1), "failures": failures}
    (OUT / "report.json").write_text(json.dumps(summary, indent=1))
    print(f"\nbrowser: {summary['pages']} pages, {summary['requests']} requests, {summary['math']} formulas typeset, {summary['explorers']} explorers "
          f"({summary['sliders']} sliders) on {len(summary['pages_with_explorers'])} pages, {summary['seconds']} s")
    assert report, f"no page found under {HTML}"
    assert not failures, "pages with problems:\n" + "\n".join(f"{p}: {v}" for p, v in failures.items())
    assert summary["requests"] >= summary["pages"]
    assert summary["explorers"] >= 1 and summary["sliders"] >= summary["explorers"], "no explorer found: the check would be empty"
    assert sum(c["math"] for c in report.values()) > 0 and report.get("nbs/index.html", {}).get("math", 1) > 0, \
        "no typeset math found: the landing page shows equations (1)-(9)"


# ---------------------------------------------------------------- the test of the test

def explorer_state(drop_links=False):
    "Widget state and view of a small two-parameter explorer (optionally with its jslinks removed: a dead slider)."
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from ipywidgets.embed import dependency_state

    from chaos_book.plotting import explore

    def draw(a, b):
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.set_title(f"a={a}, b={b}")
        return fig

    ex = explore(draw, live=False, a=[1, 2, 3], b=["x", "y"])
    state = dependency_state([ex.widget] + ex.links, drop_defaults=True)
    if drop_links:
        state = {k: v for k, v in state.items() if v["model_name"] != "LinkModel"}
    return ({"version_major": 2, "version_minor": 0, "state": state},
            {"version_major": 2, "version_minor": 0, "model_id": ex.widget.model_id})


def fixture_page(title, head="", body=""):
    return (FIXTURES / "page.html").read_text().format(title=title, head=head, body=body)


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    "Pages that pass, and one page per failure the test must catch; served with the book's own MathJax and embedder."
    import matplotlib.pyplot as plt

    vendor = ROOT / "_vendor"
    if not (vendor / "widgets" / "embed-amd.js").is_file():
        pytest.fail("_vendor/ is missing: run `make vendor` (make test does)")
    d = tmp_path_factory.mktemp("pages")
    static = d / "_static"  # laid out as in the built book: _vendor/ and book_ext/static/ merged
    (static / "widgets").mkdir(parents=True)
    for src in vendor.iterdir():
        if src.name != "widgets" and not src.name.startswith("."):
            (static / src.name).symlink_to(src)
    for src in [*(vendor / "widgets").iterdir(), *(ROOT / "book_ext/static/widgets").iterdir()]:
        (static / "widgets" / src.name).symlink_to(src)
    fig = plt.figure(figsize=(1, 1))
    fig.savefig(d / "dot.png")
    plt.close(fig)
    mathjax = '<script defer src="_static/mathjax/tex-chtml-full.js"></script>'
    widgets = ('<script src="_static/require.js"></script><script src="_static/widgets/embed-setup.js"></script>'
               '<script src="_static/widgets/embed-amd.js"></script>')

    def explorer(drop_links=False):
        state, view = explorer_state(drop_links)
        return (f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(state)}</script>'
                f'<script type="application/vnd.jupyter.widget-view+json">{json.dumps(view)}</script>')

    math = r'<p>Inline <span class="math notranslate nohighlight">\(\frac{a}{b}\)</span>.</p>'
    good = dict(head=mathjax + widgets, body=math + '<img src="dot.png" alt="dot">' + explorer() + GOOD_LAYOUT)
    pages = {
        "good": good,
        "remote_script": dict(good, head=good["head"] + '<script src="https://cdn.example.org/lib.js"></script>'),
        "missing_image": dict(good, body=good["body"] + '<img src="no-such-image.png" alt="missing">'),
        "raw_tex": dict(good, head=widgets, body=r"<p>$$\frac{a}{b}$$</p>" + explorer()),
        "untypeset_math": dict(good, body=good["body"] + r'<p class="tex2jax_ignore mathjax_ignore">'
                               r'<span class="math">\(x^2\)</span></p>'),
        "dead_slider": dict(good, body=math + explorer(drop_links=True)),
        "console_error": dict(good, body=good["body"] + "<script>console.error('broken')</script>"),
        "table_overflow": dict(good, body=good["body"] + TABLE_OVERFLOW),
        "formula_scrollbar": dict(good, body=good["body"] + FORMULA_SCROLLBAR),
        "display_scrollbar": dict(good, body=good["body"] + DISPLAY_SCROLLBAR),
        "code_overflow": dict(good, body=good["body"] + CODE_OVERFLOW),
    }
    for name, parts in pages.items():
        (d / f"{name}.html").write_text(fixture_page(name, **parts))
    with serve(d) as base:
        yield base


# Layout fixtures. GOOD_LAYOUT fits: a table whose cells wrap, a display equation with room, a long code line in a
# folded cell (closed <details>, as Jupyter Book folds it). Each of the others breaks one rule, at any width.
GOOD_LAYOUT = (
    '<table class="chaos-audit" style="width: 100%; table-layout: fixed"><tr><td style="width: 30%">a cell that wraps '
    r'<span class="math">\(x = 1\)</span></td><td>8.9e-16</td></tr></table>'
    r'<div class="math notranslate nohighlight">\[a + b = c\]</div>'
    '<details><summary>code</summary><div class="cell_input"><pre style="overflow-x: auto">'
    + "x = 1  # " + "long " * 60 + "</pre></div></details>")
TABLE_OVERFLOW = ('<table class="chaos-audit" style="width: 420px; table-layout: fixed"><tr><td style="width: 60px">'
                  "|∫K−1|=4.4e-16-and-more-that-will-not-fit</td><td>x</td></tr></table>")
FORMULA_SCROLLBAR = ('<table class="chaos-verdict-table"><tr><td><span class="math" style="display: inline-block; '
                     r'max-width: 40px; overflow-x: auto">\(a + b + c + d + e + f\)</span></td></tr></table>')
DISPLAY_SCROLLBAR = (r'<div class="math notranslate nohighlight" style="width: 50px; overflow-x: auto">'
                     r"\[a + b + c + d + e + f + g\]</div>")
CODE_OVERFLOW = ('<div class="cell"><div class="cell_input"><pre style="overflow-x: auto">'
                 + "x = 1  # " + "long " * 60 + "</pre></div></div>")
FIXTURE_PAGES = ["good", "remote_script", "missing_image", "raw_tex", "untypeset_math", "dead_slider", "console_error",
                 "table_overflow", "formula_scrollbar", "display_scrollbar", "code_overflow"]


@pytest.fixture(scope="module")
def fixture_results(browser, fixtures):
    "Every fixture page at 1280 px, and the layout fixtures again at 1920 px."
    results = {}
    for width in (1280, 1920):
        context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
        page = context.new_page()
        watch = Watch(page)
        for name in FIXTURE_PAGES if width == 1280 else ["good", "table_overflow", "formula_scrollbar",
                                                          "display_scrollbar"]:
            results[name if width == 1280 else f"{name}@1920"] = check_page(page, watch, fixtures + f"{name}.html", name)
        context.close()
    return results


def test_a_good_page_passes(fixture_results):
    problems, counts = fixture_results["good"]
    assert problems == [] and counts["explorers"] == 1 and counts["sliders"] == 2 and counts["math"] >= 1
    assert fixture_results["good@1920"][0] == []


@pytest.mark.parametrize("name, expected", [
    ("remote_script", r"request leaves 127\.0\.0\.1: https://cdn\.example\.org/lib\.js"),
    ("missing_image", r"HTTP 404: .*no-such-image\.png"),
    ("missing_image", r"images that did not load: .*no-such-image\.png"),
    ("raw_tex", r"raw TeX in the visible text: \['\$\$', '\\\\frac'\]"),
    ("untypeset_math", r"MathJax typeset 3 of 4 formulas"),
    ("dead_slider", r"explorer 0, slider 0: moved \(ArrowRight\) but the picture did not change"),
    ("dead_slider", r"explorer 0, slider 1: moved \(ArrowRight\) but the picture did not change"),
    ("console_error", r"console error: broken"),
    ("table_overflow", r"at 1280 px, an audit table element wider inside than its box: td .*4\.4e-16"),
    ("table_overflow@1920", r"at 1920 px, an audit table element wider inside than its box: td .*4\.4e-16"),
    ("formula_scrollbar", r"at 1280 px, an audit table element wider inside than its box: span\.math"),
    ("formula_scrollbar@1920", r"at 1920 px, an audit table element wider inside than its box: span\.math"),
    ("display_scrollbar", r"at 1280 px, a display equation shows a scrollbar though it fits its column: div\.math"),
    ("display_scrollbar@1920", r"at 1920 px, a display equation shows a scrollbar though it fits its column"),
    ("code_overflow", r"at 1280 px, a visible code cell scrolls sideways: pre .*long long"),
])
def test_each_check_can_fail(fixture_results, name, expected):
    problems, _ = fixture_results[name]
    assert any(re.search(expected, p) for p in problems), f"{name}: expected a problem matching {expected!r}, got {problems}"


# ---------------------------------------------------------------- JupyterLab, live

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LAB_SETTINGS = {  # no news pop-up, no update check, no extension manager: nothing asks to go online
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    "JupyterLab on 127.0.0.1 with a token, over a copy of one chapter (the run must not write into nbs/)."
    jupyter = Path(sys.executable).with_name("jupyter")
    if not (jupyter.parent / "jupyter-lab").exists():
        pytest.fail("JupyterLab is missing: `make lab` or `make venv` installs it (pip install jupyterlab)")
    d = tmp_path_factory.mktemp("lab")
    (d / "nbs").mkdir()
    shutil.copy(ROOT / "nbs" / LAB_CHAPTER, d / "nbs" / LAB_CHAPTER)
    for name, value in LAB_SETTINGS.items():
        (d / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (d / "settings" / name).write_text(json.dumps(value))
    token, port = secrets.token_hex(16), free_port()
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(d / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(d / "ws"),
               JUPYTER_RUNTIME_DIR=str(d / "runtime"), MPLBACKEND="module://matplotlib_inline.backend_inline")
    cmd = [str(jupyter), "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={d / 'nbs'}", "--LabApp.expose_app_in_browser=True",
           "--ServerApp.port_retries=0"]
    log = open(d / "lab.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=d / "nbs")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"jupyter lab exited: {(d / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail(f"jupyter lab did not answer in 60 s: {(d / 'lab.log').read_text()[-2000:]}")
        yield base, token, d
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_explorer_recomputes_off_grid_in_jupyterlab(browser, lab):
    base, token, d = lab
    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    page = context.new_page()
    watch = Watch(page)
    page.goto(f"{base}/lab/tree/{LAB_CHAPTER}?token={token}", wait_until="load")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=60000)
    try:  # a notebook that names no kernel asks for one
        page.locator(".jp-Dialog .jp-mod-accept").click(timeout=5000)
    except Exception:
        pass
    page.wait_for_function("""() => { const w = jupyterapp.shell.currentWidget;
        return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
               && w.sessionContext.session.kernel.status === 'idle'; }""", timeout=60000)
    page.evaluate("() => jupyterapp.commands.execute('notebook:run-all-cells')")
    explorer = page.locator(".chaos-explorer-live").first
    explorer.wait_for(timeout=120000)
    page.wait_for_function(f"e => ({PICTURE})(e).startsWith('blob:')", arg=explorer.element_handle(), timeout=30000)
    handle = explorer.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    before, grid_text = explorer.evaluate(PICTURE), explorer.evaluate(READOUTS)
    handle.focus()
    start = time.perf_counter()
    handle.press("ArrowRight")  # one step of a continuous slider: off the precomputed grid
    page.wait_for_function(f"([e, b]) => ({PICTURE})(e) !== b", arg=[explorer.element_handle(), before], timeout=30000)
    seconds = time.perf_counter() - start
    value = float(explorer.locator(".widget-readout").first.text_content())
    explorer.screenshot(path=str(OUT / "lab-explorer-off-grid.png"))
    problems = watch.take()
    context.close()
    print(f"\nlab: slider {grid_text.split(' | ')[0]} -> {value:g} (off the grid), figure redrawn by the kernel in {seconds:.2f} s")
    assert value not in (0.5, 1.0, 1.5), f"the slider moved onto a grid value ({value}): the check needs an off-grid one"
    assert not problems, f"JupyterLab page problems: {problems}"
