"""``glue``: put a computed number into the book's prose.

Inside a Jupyter Book build this is ``myst_nb.glue``; where myst-nb is not installed (Colab,
a plain Jupyter) it does nothing, so every chapter runs anywhere.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["glue"]


def glue(name: str, value, display: bool = False, digits: int = 6):
    """Store ``value`` under ``name`` for ``{glue:text}`` in the prose and return it.

    Real numbers are stored as plain Python floats rounded to ``digits`` significant digits
    (never NumPy scalars), so that the stored text is the same on every run.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) or digits < 1:
        raise ValueError(f"digits must be an integer >= 1, got {digits!r}")
    if isinstance(value, numbers.Real) and not math.isfinite(value):
        raise ValueError(f"value must be finite to be quoted in the prose, got {value!r}")
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = int(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(f"{float(value):.{digits}g}")
    try:
        from myst_nb import glue as _glue
    except ImportError:  # pragma: no cover - outside a book build
        return value
    _glue(name, value, display=display)
    return value
