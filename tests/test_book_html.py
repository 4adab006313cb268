"""Checks on the built book in _build/html: it works offline, shows no `#|` lines, renders math, hides hidden cells.

`make test` builds the book first; run alone, these tests skip when there is no built book.
"""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
HIDDEN_MARKER = "HIDDEN-CELL-MARKER-7f3a"  # printed by a `#| hide` cell of nbs/index.ipynb

pytestmark = pytest.mark.skipif(
    not (HTML / "index.html").is_file(), reason="no built book in _build/html: run `make book` (make test builds it first)"
)

REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, protocol-relative //
CSS_REMOTE = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:[a-z][a-z0-9+.-]*:)?//[^)'"\s]*)""", re.I)
DIRECTIVE = re.compile(r"^\s*#\s*\|", re.M)
RESOURCE_LINK_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon", "shortcut", "apple-touch-icon"}


def book_pages():
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.relative_to(HTML).parts)


def parse(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def pages():
    found = {p.relative_to(HTML).as_posix(): parse(p) for p in book_pages()}
    assert "index.html" in found
    return found


@pytest.fixture(scope="module")
def landing(pages):
    "The page of nbs/index.ipynb (the root index.html redirects to it)."
    refresh = pages["index.html"].find("meta", attrs={"http-equiv": "Refresh"})
    page = refresh["content"].split("url=", 1)[1] if refresh else "index.html"
    assert page in pages, f"the landing page {page} was not built"
    return page


def resources(soup):
    "(kind, url) of everything a page loads by itself: scripts, stylesheets, icons, fonts, images."
    for tag in soup.find_all("script", src=True):
        yield "script", tag["src"]
    for tag in soup.find_all("link", href=True):
        if RESOURCE_LINK_RELS & {r.lower() for r in tag.get("rel", [])}:
            yield "link", tag["href"]
    for tag in soup.find_all(["img", "source", "iframe", "embed"], src=True):
        yield tag.name, tag["src"]
    for tag in soup.find_all("style"):
        for url in CSS_REMOTE.findall(tag.get_text()):
            yield "inline style", url
    for tag in soup.find_all(style=True):
        for url in CSS_REMOTE.findall(tag["style"]):
            yield "style attribute", url


def local_file(page, url):
    "The file a relative URL of a page points at, or None for data: URLs."
    if url.startswith("data:"):
        return None
    path = unquote(urlsplit(url).path)
    return (HTML / page).parent.joinpath(path).resolve() if path else None


def test_no_remote_resources_in_pages(pages):
    remote = [(page, kind, url) for page, soup in pages.items() for kind, url in resources(soup) if REMOTE.match(url)]
    assert remote == [], f"pages load remote resources (the book must work offline): {remote[:10]}"


INLINE_REMOTE_ASSET = re.compile(r"""['"]((?:[a-z][a-z0-9+.-]*:)?//[^'"\s]+?\.(?:m?js|css|woff2?|ttf|otf|eot)(?:[?#][^'"\s]*)?)['"]""", re.I)


def test_no_remote_assets_named_in_inline_scripts(pages):
    "A script, stylesheet or font URL in inline JavaScript is a reference too: a click or a config switch loads it."
    remote = [(page, url) for page, soup in pages.items() for tag in soup.find_all("script", src=False)
              for url in INLINE_REMOTE_ASSET.findall(tag.get_text())]
    assert remote == [], f"inline scripts name remote assets (the book must work offline): {sorted(set(remote))[:10]}"


def test_no_remote_urls_in_shipped_css():
    css = sorted(HTML.rglob("*.css"))
    assert css, "no stylesheet shipped at all"
    remote = [(p.relative_to(HTML).as_posix(), u) for p in css for u in CSS_REMOTE.findall(p.read_text("utf-8", "replace"))]
    assert remote == [], f"shipped CSS loads remote fonts or stylesheets: {remote[:10]}"


def test_local_resources_exist(pages):
    missing = []
    for page, soup in pages.items():
        for kind, url in resources(soup):
            target = None if REMOTE.match(url) else local_file(page, url)
            if target is not None and not target.is_file():
                missing.append((page, kind, url))
    assert missing == [], f"pages reference files that are not in the build: {missing[:10]}"


def test_no_directive_lines_in_code_cells(pages):
    cells = {page: soup.select("div.cell_input") for page, soup in pages.items()}
    assert sum(map(len, cells.values())) > 0, "no rendered code cell found: the check would be empty"
    shown = [(page, line) for page, found in cells.items() for cell in found
             for line in cell.get_text().splitlines() if DIRECTIVE.match(line)]
    assert shown == [], f"`#|` directive lines are visible in the book: {shown[:10]}"


def mathjax_scripts(page, soup):
    return [local_file(page, s["src"]) for s in soup.find_all("script", src=True)
            if "mathjax" in s["src"].lower() and not REMOTE.match(s["src"])]


def test_math_is_rendered_by_local_mathjax(pages, landing):
    with_math = {page: soup for page, soup in pages.items() if soup.select(".math")}
    assert landing in with_math, "the landing page shows equations (1)-(9): no math markup found"
    for page, soup in with_math.items():
        text = " ".join(m.get_text() for m in soup.select(".math"))
        assert "\\(" in text or "\\[" in text, f"{page}: math is not in MathJax delimiters"
        scripts = mathjax_scripts(page, soup)
        assert scripts and all(s is not None and s.is_file() for s in scripts), f"{page}: no local MathJax script on disk"
        config = " ".join(s.get_text() for s in soup.find_all("script") if "MathJax" in s.get_text())
        assert "Keps" in config and "nueps" in config, f"{page}: the book's TeX macros are not configured"
    mathjax_dir = mathjax_scripts(landing, pages[landing])[0].parent
    assert (mathjax_dir / "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff").is_file(), "MathJax fonts not shipped"


def test_hidden_cell_is_executed_but_absent(pages, landing):
    source = (ROOT / "nbs" / "index.ipynb").read_text(encoding="utf-8")
    assert HIDDEN_MARKER in source and "#| hide" in source, "nbs/index.ipynb lost its hidden test cell"
    leaking = [page for page in pages if HIDDEN_MARKER in (HTML / page).read_text(encoding="utf-8")]
    assert leaking == [], f"a `#| hide` cell reached the HTML: {leaking}"
    assert "chaos_book " in pages[landing].get_text(), f"{landing} lacks the output of its last code cell"


MAX_VISIBLE_CODE_LINES = 25  # between two consecutive headings of a chapter; helper and plotting cells are folded
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def visible_code_runs(soup):
    "(heading, visible code lines after it, up to the next heading) for a page, in reading order."
    main = soup.find("main") or soup
    runs, heading, count = [], "(top)", 0
    for tag in main.find_all(list(HEADINGS) + ["div"]):
        if tag.name in HEADINGS:
            runs.append((heading, count))
            heading, count = tag.get_text(" ", strip=True)[:60], 0
        elif "cell_input" in tag.get("class", []):
            cell = tag.find_parent("div", class_="cell")
            if cell is not None and not {"tag_hide-input", "tag_remove-input"} & set(cell.get("class", [])):
                pre = tag.find("pre")
                count += sum(1 for line in (pre.get_text() if pre else "").splitlines() if line.strip())
    return runs + [(heading, count)]


def test_code_is_one_click_away(pages):
    "No chapter shows more than MAX_VISIBLE_CODE_LINES lines of unfolded code between two headings."
    long = [f"{name} § {heading!r}: {n} lines" for name, soup in pages.items() if soup.find("div", class_="cell")
            for heading, n in visible_code_runs(soup) if n > MAX_VISIBLE_CODE_LINES]
    assert not long, "too much visible code (fold helper and plotting cells with `#| code-fold: true`):\n" + "\n".join(long)


def test_visible_code_counter_sees_folded_cells():
    "The counter behind test_code_is_one_click_away: folded and removed inputs do not count, visible ones do."
    cell = '<div class="cell {tag}"><div class="cell_input"><pre>{code}</pre></div></div>'
    html = ("<main><h1>A</h1>" + cell.format(tag="", code="a = 1\n\nb = 2") + "<h2>B</h2>"
            + cell.format(tag="tag_hide-input", code="x\n" * 40) + cell.format(tag="", code="c = 3") + "</main>")
    assert visible_code_runs(BeautifulSoup(html, "html.parser")) == [("(top)", 0), ("A", 2), ("B", 1)]


# --- the book as a reference and something to cite (issues 18 and 20) ---

PUBLIC_MODULES = ["drivers", "mollifiers", "particles", "fokker_planck", "diagnostics", "wasserstein", "experiments",
                  "field2d", "vortex", "keller_segel", "plotting", "audit", "gpu"]


def test_every_page_footer_names_version_and_build_date(pages):
    import chaos_book

    missing = []
    for name, soup in pages.items():
        if soup.find("meta", attrs={"http-equiv": "Refresh"}):
            continue  # the root index.html only redirects to the landing page
        footer = soup.select_one(".chaos-book-version")
        text = footer.get_text(" ", strip=True) if footer else ""
        if f"version {chaos_book.__version__}" not in text or not re.search(r"built on 20\d\d-\d\d-\d\d", text):
            missing.append(name)
    assert missing == [], f"pages without the version and build date in their footer: {missing[:10]}"


def test_chapter_download_menu_offers_the_executed_notebook(pages):
    "Each notebook chapter links '.ipynb (with outputs)': the committed notebook with the outputs the page shows."
    import json

    chapters = [n for n in pages if n.startswith("nbs/")]
    assert chapters
    for name in chapters:
        link = pages[name].find("a", href=re.compile(r"_notebooks/.*\.ipynb$"))
        assert link is not None and "with outputs" in link.get_text(), f"{name}: no executed notebook to download"
        source = pages[name].find("a", href=re.compile(r"_sources/.*\.ipynb$"))
        assert source is not None, f"{name}: the source notebook is no longer offered"
        nb = json.loads(local_file(name, link["href"]).read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert any(c["outputs"] for c in code), f"{name}: the downloaded notebook has no outputs"
        committed = json.loads((ROOT / f"{name[:-5]}.ipynb").read_text(encoding="utf-8"))
        text = lambda cells: ["".join(c["source"]) for c in cells]  # a cell's text, however its lines are split
        assert text(nb["cells"]) == text(committed["cells"]), \
            f"{name}: the download's cells differ from the committed notebook's"


def inventory():
    from sphinx.util.inventory import InventoryFile

    with open(HTML / "objects.inv", "rb") as f:
        return InventoryFile.load(f, "", lambda base, uri: uri)


def test_objects_inv_lists_every_public_name():
    "objects.inv (and so the index and the chapters' {py:...} links) holds every name in every module's __all__."
    import importlib

    inv = inventory()
    python = {name for kind, entries in inv.items() if kind.startswith("py:") for name in entries}
    missing = []
    for m in PUBLIC_MODULES:
        module = importlib.import_module(f"chaos_book.{m}")
        assert f"chaos_book.{m}" in inv.get("py:module", {}), f"chaos_book.{m} has no reference page"
        missing += [f"chaos_book.{m}.{n}" for n in module.__all__ if f"chaos_book.{m}.{n}" not in python]
    assert missing == [], f"{len(missing)} public names missing from objects.inv: {missing[:20]}"


def test_general_index_lists_the_api(pages):
    index = pages.get("genindex.html")
    assert index is not None
    assert len(index.select("table.indextable a")) >= 100, "the general index is (nearly) empty"
