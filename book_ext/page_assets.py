"""Small fixes to every page that only a browser shows (tests/test_browser.py checks them), and the book's version.

- pydata-sphinx-theme sets `data-mode` from the template variable `default_mode`, empty unless configured,
  and then logs "Got invalid theme mode" on every page: default to the light mode.
- Every page's footer names the package version (`chaos_book.__version__`, read from chaos_book/__init__.py
  without importing it) and the build date; Sphinx's `version`, `release` and `today` get the same values, so the
  PDF's title page shows them too. The build date is today's UTC date, or `SOURCE_DATE_EPOCH` when set
  (reproducible builds).
"""

from __future__ import annotations

import html
import os
import re
from datetime import datetime, timezone
from pathlib import Path

__version__ = "0.1.0"

_VERSION = re.compile(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.M)


def package_version(srcdir) -> str:
    "The version string in `chaos_book/__init__.py` under the book's source folder."
    text = (Path(srcdir) / "chaos_book" / "__init__.py").read_text(encoding="utf-8")
    found = _VERSION.search(text)
    if found is None:
        raise ValueError("chaos_book/__init__.py has no __version__ line")
    return found.group(1)


def build_date() -> str:
    "The build date, ISO format (UTC): from `SOURCE_DATE_EPOCH` when it is set, else today."
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch else datetime.now(timezone.utc)
    return when.date().isoformat()


def footer_html(version: str, date: str) -> str:
    "The footer line every page carries."
    return (f'<p class="chaos-book-version">chaos-book version {html.escape(version)}, '
            f'built on {html.escape(date)}. Licensed under Apache-2.0.</p>')


def _default_mode(app, config):
    config.html_context.setdefault("default_mode", "light")


def _version(app, config):
    version, date = package_version(app.srcdir), build_date()
    config.version = config.release = version
    config.today = date
    options = dict(config.html_theme_options or {})
    extra = options.get("extra_footer") or ""
    options["extra_footer"] = footer_html(version, date) + extra
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _default_mode)
    app.connect("config-inited", _version)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
