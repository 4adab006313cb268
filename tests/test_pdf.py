"""Checks on the whole-book PDF (`make pdf` -> _build/latex/chaos-book.pdf): every chapter is in it, every reference
resolved, the figures of the HTML book are all there, no markup shows as text, and the title page names the version.

They need poppler's pdftotext, pdfinfo and pdfimages (Debian's poppler-utils, installed by `make pdf`), and skip when
there is no built PDF. `.ci/run` runs them after `make pdf`.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import chaos_book

ROOT = Path(__file__).resolve().parents[1]
LATEX = ROOT / "_build" / "latex"
PDF = LATEX / "chaos-book.pdf"
TEX = LATEX / "chaos-book.tex"
HTML = ROOT / "_build" / "html"

pytestmark = [
    pytest.mark.skipif(not PDF.is_file(), reason="no PDF in _build/latex: run `make pdf`"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext, pdfinfo, pdfimages)"),
]


def toc_files():
    "The documents of the book, in the order of _toc.yml."
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def title_of(doc):
    "The first level-1 heading of a toc document (.ipynb or .md)."
    ipynb, md = ROOT / f"{doc}.ipynb", ROOT / f"{doc}.md"
    if ipynb.is_file():
        cells = json.loads(ipynb.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = md.read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


def words(text):
    return re.sub(r"\s+", " ", text).strip().casefold()


@pytest.fixture(scope="module")
def pdf_text():
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def pages():
    info = subprocess.run(["pdfinfo", str(PDF)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def test_page_count(pages):
    "At least two pages per document of the toc, and not an absurd number."
    n = len(toc_files())
    assert 2 * n <= pages <= 3000, f"{pages} pages for {n} documents"


def test_every_chapter_title_is_in_the_text(pdf_text):
    """Each document's title (its words outside math: pdftotext writes math as Unicode glyphs) is in the PDF,
    in the table of contents and at the chapter's start."""
    text = words(pdf_text)
    missing = []
    for doc in toc_files()[1:]:  # the root page's title is the book's (its title page); LaTeX prints no other
        for chunk in re.split(r"\$[^$]*\$|`", title_of(doc)):
            chunk = words(chunk.strip(" ()?.,:;"))
            if len(chunk) >= 3 and chunk not in text:
                missing.append((doc, chunk))
    assert missing == [], f"chapter titles missing from the PDF: {missing}"


def test_no_unresolved_reference(pdf_text):
    assert "??" not in pdf_text, "an unresolved reference (??) in the PDF: " + \
        pdf_text[max(0, pdf_text.find("??") - 80):pdf_text.find("??") + 20]


def test_title_page_has_version_and_build_date(pdf_text):
    first = pdf_text.split("\f", 1)[0]
    assert f"Release {chaos_book.__version__}" in first
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", first), first


# Markup that would show as text: a backslash or an HTML tag in prose. Code cells and their outputs (verbatim
# environments, inline code) may hold any characters, so they are cut out of the LaTeX source first.
VERBATIM = re.compile(r"\\begin\{sphinxVerbatim\}.*?\\end\{sphinxVerbatim\}|\\begin\{sphinxVerbatimOutput\}.*?"
                      r"\\end\{sphinxVerbatimOutput\}|\\sphinxcode\{\\sphinxupquote\{(?:[^{}]|\{[^{}]*\})*\}\}"
                      r"|\\sphinxAtStartPar\s*\\sphinxstyleliteralstrong|\\sphinxbfcode\{\\sphinxupquote\{[^}]*\}\}"
                      r"|\\sphinxstyleliteralintitle\{\\sphinxupquote\{[^}]*\}\}", re.S)
RAW = re.compile(r"\\textbackslash\{\}[A-Za-z]+|\\textless\{\}/?(div|span|br|p|img|a|table|sup|sub|b|i|em)\b"
                 r"|\\\$[^$\n]{1,80}?\\\$")  # a backslash command, an HTML tag, or $...$ math left as text


def test_no_raw_latex_or_html_in_the_text():
    prose = VERBATIM.sub(" ", TEX.read_text(encoding="utf-8"))
    found = [prose[max(0, m.start() - 60):m.end() + 30].replace("\n", " ") for m in RAW.finditer(prose)]
    assert found == [], f"{len(found)} places where markup shows as text, e.g. {found[:5]}"


def html_figures():
    "Figures of the HTML book: output and glued images, explorers (widget views) and animations, over all pages."
    from bs4 import BeautifulSoup

    count = {}
    for page in sorted(HTML.rglob("*.html")):
        if "_static" in page.relative_to(HTML).parts:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        n = len([i for i in soup.find_all("img") if "_images/" in i.get("src", "")])
        n += len(soup.find_all("script", type="application/vnd.jupyter.widget-view+json"))
        n += len(soup.select("div.animation"))
        if n:
            count[page.relative_to(HTML).as_posix()] = n
    return count


def pdf_images():
    "Images drawn in the PDF (each drawing of one counts; soft masks of transparent PNGs do not)."
    listing = subprocess.run(["pdfimages", "-list", str(PDF)], check=True, capture_output=True, text=True).stdout
    return sum(1 for line in listing.splitlines()[2:] if line.split()[2:3] == ["image"])


@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no HTML book to compare with: run `make book`")
def test_figure_count_matches_the_html():
    "Each explorer and animation is one picture in the PDF, each image one image."
    html = html_figures()
    assert pdf_images() == sum(html.values()), f"PDF: {pdf_images()} images; HTML: {sum(html.values())} ({html})"
