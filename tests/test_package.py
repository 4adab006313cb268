"""Something to cite: the license, the citation file and the version agree, and no placeholder URL is left."""

import ast
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
import yaml

import chaos_book

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"example\.(invalid|com|org)|your[-_]?(name|org|user)|TODO:? url", re.I)


@pytest.fixture(scope="module")
def citation():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_version_is_the_package_version(citation):
    assert str(citation["version"]) == chaos_book.__version__
    assert str(citation["preferred-citation"]["version"]) == chaos_book.__version__


def test_citation_has_date_license_and_the_paper(citation):
    assert citation["cff-version"] == "1.2.0"
    assert isinstance(citation["date-released"], date)
    assert citation["license"] == "Apache-2.0"
    paper = [r for r in citation["references"] if "Regular Drivers" in r["title"]]
    assert paper and paper[0]["authors"][0]["family-names"] == "Qi" and paper[0]["year"] == 2025


def test_license_is_the_one_pyproject_declares():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]["text"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert declared == "Apache-2.0"
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_settings_version_is_the_package_version():
    settings = (ROOT / "settings.ini").read_text()
    assert re.search(r"^version\s*=\s*(\S+)", settings, re.M).group(1) == chaos_book.__version__


@pytest.mark.parametrize("name", ["settings.ini", "pyproject.toml", "_config.yml", "_toc.yml", "README.md",
                                  "CITATION.cff", "chaos_book/_modidx.py"])
def test_no_placeholder_url(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    assert not PLACEHOLDER.search(text), f"{name} holds a placeholder: {PLACEHOLDER.search(text).group(0)!r}"


def test_public_modules_have_a_reference_page():
    "Every public module of chaos_book has its page in api/, and the toc lists it."
    toc = (ROOT / "_toc.yml").read_text()
    modules = sorted(p.stem for p in (ROOT / "chaos_book").glob("*.py") if not p.stem.startswith("_"))
    for m in modules:
        page = ROOT / "api" / f"{m}.md"
        assert page.is_file(), f"chaos_book.{m} has no page api/{m}.md"
        assert f"chaos-api:: chaos_book.{m}" in page.read_text()
        assert f"file: api/{m}" in toc


def test_all_lists_public_names_only():
    for path in sorted((ROOT / "chaos_book").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
                names = ast.literal_eval(node.value)
                private = [n for n in names if n.startswith("_")]
                assert private == [], f"{path.name}: __all__ lists private names {private}"
