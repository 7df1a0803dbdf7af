"""The package's modules form one chain of imports, and no private name crosses a module.

Order (each module may import only those before it): _checks → tasks → theory → lsa → cot →
analysis, then selection, gpt2 and plots above them; claims and the glue helpers stand apart. The
gpt2 subpackage is laid out as in nanoGPT: its model below its training loop, both below the
package that gathers them. An order with no module importing one above it has no import cycle, so
each module also imports alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ttsbook"
ORDER = [
    "_checks",
    "_glue",
    "tasks",
    "theory",
    "lsa",
    "cot",
    "analysis",
    "selection",
    "gpt2.model",
    "gpt2.training",
    "gpt2",
    "gpt2.__main__",
    "_interactive",
    "_tables",
    "_figure_layout",
    "plots",
    "claims",
]


def module_name(path: Path) -> str:
    """``gpt2.model`` for ttsbook/gpt2/model.py, ``gpt2`` for ttsbook/gpt2/__init__.py."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {module_name(p): p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.stem != "__init__"}
MODULES = sorted(FILES)


def package_imports(module: str) -> list[tuple[str, list[str]]]:
    """(imported module, names) for every relative import (``from . import …``, ``from ..X import …``)
    in ``module``, the imported module named relative to the package."""
    path = FILES[module]
    base = list(path.relative_to(PACKAGE).parent.parts)  # the subpackage that holds the file
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            prefix = base[: len(base) - (node.level - 1)]
            names = [a.name for a in node.names]
            if node.module is None:
                found += [(".".join(prefix + [n]), []) for n in names]
            else:
                found.append((".".join(prefix + [node.module]), names))
    return found


def test_order_lists_every_module():
    assert sorted(ORDER) == MODULES


@pytest.mark.parametrize("module", MODULES)
def test_imports_only_modules_below(module):
    rank = ORDER.index(module)
    for target, _ in package_imports(module):
        assert ORDER.index(target) < rank, f"ttsbook.{module} imports ttsbook.{target}, which sits above it"


@pytest.mark.parametrize("module", MODULES)
def test_no_private_name_crosses_a_module(module):
    source = FILES[module].read_text()
    for target, names in package_imports(module):
        private = [n for n in names if n.startswith("_")]
        assert not private, f"ttsbook.{module} imports private {private} from ttsbook.{target}"
    tree = ast.parse(source)
    imported = {t for t, names in package_imports(module) if not names}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in {t.rpartition(".")[2] for t in imported}
        ):
            assert not node.attr.startswith("_"), f"ttsbook.{module} uses {node.value.id}.{node.attr}"
