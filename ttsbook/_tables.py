"""Result tables as a paper prints them: every number with a few significant digits, powers of
ten typeset (1.23 × 10⁻⁵), thousands separated (152,202), a diverged error as "diverged".

:func:`table_number` writes one cell, :func:`paper_table` shows a DataFrame with it, and
:func:`errors_at` tabulates error curves at a few CoT steps k. A table's HTML id is derived from
its headers and row names, never from computed numbers, so the same table has the same HTML on
every run and every CPU.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ._checks import positive_int, steps_array
from ._glue import number

__all__ = ["table_number", "paper_table", "errors_at"]


def table_number(value, digits: int = 3, *, infinite: str = "∞") -> str:
    """One cell of a result table, as a paper prints it.

    A real number gets ``digits`` significant digits, with a power of ten where Python would
    write e-notation (``1.23e-05`` → ``1.23 × 10⁻⁵``; from 10⁶ up and below 10⁻⁴), thousands
    separators and a true minus sign (:func:`ttsbook.number`); a real number from 1 to 10⁶ whose
    digits end at the units or above is written whole (``20,000``, not ``2 × 10⁴``); an integer
    is printed whole (``152,202``); ±∞ (a diverged
    error, an unbounded step count) is ``infinite``; NaN and ``None`` (no value) are "—";
    a string or a boolean is shown as it is.

    >>> table_number(1.23e-5), table_number(-1.45e17), table_number(2000), \
    ...     table_number(float("inf"), infinite="diverged")
    ('1.23 × 10⁻⁵', '−1.45 × 10¹⁷', '2000', 'diverged')
    """

    digits = positive_int("digits", digits)
    if not isinstance(infinite, str):
        raise TypeError(f"infinite must be the text shown for an infinite value, got {infinite!r}")
    if value is None:
        return "—"
    if isinstance(value, (str, bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return number(int(value))
    try:
        value = float(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"value must be a number, a string or None, got {value!r}") from err
    if np.isnan(value):
        return "—"
    if np.isinf(value):
        return infinite if value > 0 else "−" + infinite
    if 1 <= abs(value) < 1e6:
        exponent = int(np.floor(np.log10(abs(value))))
        if exponent >= digits - 1:  # the digits end at the units or above: a whole number
            return number(int(round(value, digits - 1 - exponent)))
    return number(value, f".{digits}g")


def paper_table(frame, digits: int = 3, *, formats: dict | None = None, index: bool = True, infinite: str = "∞"):
    """A DataFrame shown as a paper's table: every number through :func:`table_number`.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its column names are the headers (name a unit in them: "time (s)", "error (%)").
    digits : int
        Significant digits of every real number, unless ``formats`` says otherwise.
    formats : dict, optional
        Column name → significant digits (int) or a function of the value returning its text, for
        the columns that differ from ``digits``.
    index : bool
        Whether to show the index (its name is the header of the first column).
    infinite : str
        The text of an infinite value (``"∞"``; ``"diverged"`` for an error).

    Returns
    -------
    pandas.io.formats.style.Styler
        Its HTML id is derived from the headers and the row labels that are names (not their
        order, not real-valued labels), so the same table has the same HTML on every run and
        every CPU.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    digits = positive_int("digits", digits)
    formats = {} if formats is None else formats
    if not isinstance(formats, dict):
        raise TypeError(f"formats must map columns of the table to digits or a function, got {type(formats).__name__}")
    if any(c not in frame.columns for c in formats):
        raise ValueError(f"formats must map columns of the table to digits or a function, got {formats!r}")
    table_number(1.0, digits, infinite=infinite)  # checks infinite
    per_column = {}
    for column in frame.columns:
        spec = formats.get(column, digits)
        if callable(spec):
            per_column[column] = spec
        else:
            spec = positive_int(f"formats[{column!r}]", spec)
            per_column[column] = lambda v, spec=spec: table_number(v, spec, infinite=infinite)
    # The id names the table by its headers and its row names, never by computed numbers: not the
    # order of the rows (a sort with ties), nor labels that are real numbers (a last digit differs
    # from CPU to CPU), so the same table has the same id on every machine.
    names = [
        sorted(map(str, set(frame.index.get_level_values(i))))
        for i in range(frame.index.nlevels)
        if not pd.api.types.is_float_dtype(frame.index.get_level_values(i))
    ]
    uuid = hashlib.sha1(repr(([str(c) for c in frame.columns], names, frame.index.names)).encode()).hexdigest()[:10]
    styler = frame.style.set_uuid(f"table_{uuid}").format(per_column)
    styler = styler.format_index(lambda v: table_number(v, digits, infinite=infinite), axis=0)
    return styler if index else styler.hide(axis="index")


def errors_at(columns: dict, ks, digits: int = 3):
    """The errors of several curves at a few CoT steps k: one row per k, one column per curve.

    Parameters
    ----------
    columns : dict of str to array_like
        Curve name → its errors at k = 0, 1, …, K (every curve of the same length K + 1), in
        the order the columns are shown. An infinite error is shown as "diverged".
    ks : sequence of int
        The steps shown, each in 0, …, K, in the order given.
    digits : int
        Significant digits shown (:func:`table_number`).

    Returns
    -------
    pandas.io.formats.style.Styler
        The table (its ``.data`` is the DataFrame, index named ``"k"``). Its HTML id is derived
        from the column names and the ks, so the same table has the same HTML on every run.
    """
    if not isinstance(columns, dict) or not all(isinstance(c, str) for c in columns):
        raise TypeError(f"columns must be a non-empty dict of curve name -> errors, got {type(columns).__name__}")
    if not columns:
        raise ValueError("columns must be a non-empty dict of curve name -> errors, got an empty dict")
    try:
        curves = {name: np.asarray(errors, dtype=float) for name, errors in columns.items()}
    except (TypeError, ValueError) as err:
        raise TypeError("columns must map curve names to arrays of real numbers") from err
    shapes = [c.shape for c in curves.values()]
    if any(len(shape) != 1 or shape == (0,) for shape in shapes):
        raise ValueError(f"columns must be non-empty 1-d arrays, got shapes {shapes}")
    if len(set(shapes)) > 1:
        raise ValueError(f"columns must all have the same length, got {[c.size for c in curves.values()]}")
    size = shapes[0][0]
    ks, _ = steps_array("ks", ks)
    ks = ks.ravel()
    if ks.max() >= size:
        raise ValueError(f"ks must be at most K = {size - 1} (the curves' last step), got {ks.tolist()}")
    digits = positive_int("digits", digits)
    table = pd.DataFrame({name: c[ks] for name, c in curves.items()}, index=pd.Index(ks, name="k"))
    uuid = hashlib.sha1(repr((list(curves), ks.tolist())).encode()).hexdigest()[:10]
    return table.style.set_uuid(f"errors_at_{uuid}").format(lambda v: table_number(v, digits, infinite="diverged"))
