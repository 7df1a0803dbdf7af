"""``glue``: put a computed number into the book's prose, formatted as a paper prints it.

Inside a Jupyter Book build :func:`glue` is ``myst_nb.glue``; where myst-nb is not installed
(Colab, a plain Jupyter) it does nothing, so every chapter runs anywhere. In the prose,
``{glue:text}`name:.3g``` shows the value through :func:`number` (the book's ``paper_numbers``
extension formats every glued number that way): ``2.04 × 10¹³`` rather than ``2.04e+13``,
``152,202`` rather than ``152202``, a true minus sign. :func:`count` writes a count with its
noun in the singular or the plural (``1 skill``, ``3 skills``); glue its result, a string.
:func:`below` writes a rounding-level number as the fixed bound it stays under on every CPU
(``< 10⁻¹²``), never as its own last digits, which change with the processor's kernels.
"""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["glue", "number", "count", "below"]

SUPERSCRIPT = str.maketrans("-+0123456789", "⁻⁺⁰¹²³⁴⁵⁶⁷⁸⁹")
MINUS = "\u2212"
_EXPONENT = re.compile(r"^(?P<mantissa>[^eE]*?)[eE](?P<exp>[+-]?\d+)(?P<tail>%?)$")
_LONG_INTEGER = re.compile(r"^(?P<sign>[-+ ]?)(?P<digits>\d{5,})(?P<rest>(\.\d*)?%?)$")
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def glue(name: str, value, display: bool = False, digits: int = 6) -> None:
    """Store ``value`` under ``name`` for ``{glue:text}`` in the prose; shows nothing.

    Real numbers are stored as plain Python floats rounded to ``digits`` significant digits
    (never NumPy scalars), so that the stored text is the same on every run. Nothing is returned,
    so a ``glue(...)`` on the last line of a cell leaves no stray value on the page.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    if not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral):
        raise TypeError(f"digits must be an integer >= 1, got {digits!r}")
    if digits < 1:
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
        return None
    _glue(name, value, display=display)
    return None


def number(value, spec: str = "") -> str:
    """``value`` formatted with the format ``spec`` (as in ``format(value, spec)``), for prose.

    An exponent becomes a power of ten in Unicode superscripts (``2.0e+13`` → ``2.0 × 10¹³``,
    ``1e-11`` → ``10⁻¹¹``), an integer part of five digits or more gets thousands separators
    (``152202`` → ``152,202``; four digits stay as they are, ``2000``), and a negative number
    takes a true minus sign (``−0.5``). An empty ``spec`` prints integers whole and floats with
    ``g`` (six significant digits).

    >>> number(2.04e13, ".2g"), number(152202), number(1e-11, ".0e"), number(-0.25)
    ('2 × 10¹³', '152,202', '10⁻¹¹', '−0.25')
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"value must be finite to be quoted in the prose, got {value!r}")
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a format specification string, got {spec!r}")
    value = int(value) if isinstance(value, numbers.Integral) else float(value)
    if spec == "" and isinstance(value, float):
        spec = "g"
    try:
        text = format(value, spec)
    except (ValueError, TypeError) as err:
        raise ValueError(f"spec {spec!r} cannot format {value!r}: {err}") from err
    return _paper(text)


def _paper(text: str) -> str:
    """Python's number text → the text a paper prints."""
    text = text.strip()
    sign = ""
    if text[:1] in "-+":
        sign, text = ("−" if text[0] == "-" else ""), text[1:]
    found = _EXPONENT.match(text)
    if found:
        mantissa, exp = found["mantissa"], int(found["exp"])
        power = "10" + str(exp).translate(SUPERSCRIPT) if exp != 0 else ""
        if not power:
            text = mantissa
        elif mantissa.rstrip(".") in ("1", ""):
            text = power
        else:
            text = f"{mantissa} × {power}"
        text += found["tail"]
    else:
        long = _LONG_INTEGER.match(text)
        if long:
            text = f"{int(long['digits']):,}{long['rest']}"
    return sign + text


def count(n, noun: str, plural: str | None = None, *, words: bool = False) -> str:
    """``n`` with ``noun`` in the right number: ``count(1, "skill")`` → ``"1 skill"``,
    ``count(3, "skill")`` → ``"3 skills"``, ``count(152202, "parameter")`` → ``"152,202
    parameters"``. ``plural`` is the plural form when it is not ``noun + "s"``; ``words=True``
    spells out zero to nine (``"three skills"``), as prose does.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an integer >= 0, got {n!r}")
    if n < 0:
        raise ValueError(f"n must be an integer >= 0, got {n!r}")
    if not isinstance(noun, str):
        raise TypeError(f"noun must be a non-empty string, got {noun!r}")
    if not noun.strip():
        raise ValueError(f"noun must be a non-empty string, got {noun!r}")
    if plural is not None and not isinstance(plural, str):
        raise TypeError(f"plural must be a non-empty string or None, got {plural!r}")
    if plural is not None and not plural.strip():
        raise ValueError(f"plural must be a non-empty string or None, got {plural!r}")
    n = int(n)
    word = noun if n == 1 else (plural or noun + "s")
    amount = NUMBER_WORDS[n] if words and n < 10 else number(n)
    return f"{amount} {word}"


def below(value, floor: float) -> str:
    """A rounding-level ``value`` as the fixed bound ``floor`` it lies under: ``"< 10⁻¹²"``.

    Two computations that agree up to rounding differ by an amount that depends on the CPU
    (its BLAS and vector kernels sum in another order), so the amount itself is not a result:
    the bound is. ``floor`` is chosen from the precision and the size of the computation, well
    above the rounding of any CPU; a ``value`` at or above it is not rounding, and raises.

    >>> below(3.1e-16, 1e-12), below(0.0, 1e-12)
    ('< 10⁻¹²', '< 10⁻¹²')
    """
    for name, v in (("value", value), ("floor", floor)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name} must be a finite real number, got {v!r}")
        if not math.isfinite(v):
            raise ValueError(f"{name} must be a finite real number, got {v!r}")
    if floor <= 0:
        raise ValueError(f"floor must be > 0, got {floor!r}")
    if not abs(value) < floor:
        raise ValueError(
            f"value {value!r} is not below the rounding floor {floor:g}: the computations it compares "
            "disagree by more than rounding"
        )
    return f"< {number(float(floor), '.0e')}"
