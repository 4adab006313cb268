"""The API reference (api/*.md, Sphinx autodoc + napoleon) in a nitpicky, offline build.

The book builds with `-n -W` and without intersphinx (no network), so a type named in a numpydoc docstring or in a
signature's annotation that belongs to Python, numpy, scipy, matplotlib, ipywidgets, numba or the standard library
cannot be cross-referenced. Those names are listed here (`EXTERNAL`) and left unlinked; a name of `chaos_book`
itself is never ignored, so a link to a name that the reference does not hold (a private or a misspelt one) still
fails the build.

napoleon turns the type phrases of numpydoc ("ndarray of shape (n,)", "float, optional", "int or None") into
cross-references of each word; `napoleon_type_aliases` maps the short names to the ones listed here.
"""

from __future__ import annotations

__version__ = "0.1.0"

# Regular expressions over the target of a py:class / py:obj / py:data ... reference.
EXTERNAL = [
    # Python: builtins, typing, abstract collections, the standard library
    r"(builtins\.)?(int|float|complex|bool|str|bytes|object|type|list|tuple|dict|set|frozenset|slice|range)",
    r"(builtins\.)?(None|NoneType|Ellipsis|NotImplemented|callable|iterable|sequence|mapping)",
    r"(typing|typing_extensions|collections\.abc|collections|abc|types)\..*",
    r"(Any|Callable|Iterable|Iterator|Sequence|Mapping|MutableMapping|Optional|Union|Literal|Generator"
    r"|Hashable|Self|ClassVar|TypeVar|Protocol|Path|PathLike|Executor|Future|Future\[.*\])",
    r"(os|pathlib|concurrent|concurrent\.futures|dataclasses|datetime|json|contextlib|io|numbers|enum)\..*",
    r".*Error|.*Exception|.*Warning",
    # numpy, scipy, matplotlib, numba, ipywidgets, IPython, tqdm, dask
    r"(np|numpy|numpy\.typing|npt|scipy|matplotlib|mpl|plt|numba|cuda|ipywidgets|widgets|IPython|tqdm|dask)(\..*)?",
    r"(ndarray|ArrayLike|NDArray|DTypeLike|dtype|array|array_like|array-like|arraylike|Generator|SeedSequence"
    r"|BitGenerator|Figure|Axes|Artist|Colormap|Normalize|DeviceNDArray|Widget|DOMWidget|Client)",
    # the words numpydoc type phrases are made of
    r"(optional|default|or|of|shape|length|size|positive|non-negative|nonnegative|scalar|number|numbers|real"
    r"|function|functions|method|instance|class|object|objects|keyword|arguments|args|kwargs|\*args|\*\*kwargs"
    r"|same|as|the|a|an|any|one|each|per|with|and|to|in|n|N|m|d|k|x|y|z|t|G|1D|2D|3D|1-D|2-D|int64|float64"
    r"|bool_|uint8|int32|float32|complex128|path|file|str-like|path-like|dict-like|list-like|mapping-like)",
    r"\(.*|.*\)|.*,|\d.*|['\"].*|.*['\"]",  # "(n,)", "(n, 2)", literals such as 'exact'
]

TYPE_ALIASES = {
    "ndarray": "numpy.ndarray",
    "array_like": "numpy.typing.ArrayLike",
    "array-like": "numpy.typing.ArrayLike",
    "Generator": "numpy.random.Generator",
    "Figure": "matplotlib.figure.Figure",
    "Axes": "matplotlib.axes.Axes",
    "Executor": "concurrent.futures.Executor",
}


def _configure(app, config):
    ignore = list(getattr(config, "nitpick_ignore_regex", []) or [])
    for role in ("py:class", "py:obj", "py:data", "py:exc", "py:func", "py:meth", "py:attr", "py:mod"):
        ignore.extend((role, pattern) for pattern in EXTERNAL)
    config.nitpick_ignore_regex = ignore
    aliases = dict(getattr(config, "napoleon_type_aliases", None) or {})
    for short, full in TYPE_ALIASES.items():
        aliases.setdefault(short, full)
    config.napoleon_type_aliases = aliases


def setup(app):
    app.connect("config-inited", _configure, priority=800)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
