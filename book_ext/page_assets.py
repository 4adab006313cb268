"""Small fixes to every page that only a browser shows (tests/test_browser.py checks them).

- pydata-sphinx-theme sets `data-mode` from the template variable `default_mode`, empty unless configured,
  and then logs "Got invalid theme mode" on every page: default to the light mode.
"""

__version__ = "0.1.0"


def _default_mode(app, config):
    config.html_context.setdefault("default_mode", "light")


def setup(app):
    app.connect("config-inited", _default_mode)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
