"""Import a Python file by its path: the one loader of the tools and tests.

Some files the tools and tests need sit in no importable package: ``book/conftest.py`` (nbval's
comparison of the chapters), ``benchmarks/variants.py``, ``.github/anchors.py``, the Sphinx
extensions of ``book/_ext`` and the pytest plugin ``tests/noskips.py``. :func:`load` imports one
under a module name (its file name by default) and keeps it in ``sys.modules``, so that loading
the same file again returns the same module and a name is never given to two files.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["load"]


def load(path: str | Path, name: str | None = None) -> ModuleType:
    """The module of the Python file ``path``, imported as ``name`` (default: the file's stem).

    Returns the module already imported from the same file under that name, if there is one.
    Raises ``FileNotFoundError`` for a missing file and ``ImportError`` when ``name`` is taken by a
    module from another file.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"path must name a Python file, got {path}")
    name = name or path.stem
    known = sys.modules.get(name)
    if known is not None:
        origin = getattr(known, "__file__", None)
        if origin is not None and Path(origin).resolve() == path:
            return known
        raise ImportError(f"name {name!r} is taken by the module from {origin}; pass another name for {path}")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"path {path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # before running it, as `import` does (dataclasses look it up)
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
