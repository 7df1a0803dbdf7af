"""Execute chapters with their changeable numbers varied: every seed shifted, or d doubled.

Run from the repository root (not part of the tests' pass/fail; one chapter at a time)::

    python benchmarks/variants.py book/06_finite_m.md --shift 0 1 2000 4000
    python benchmarks/variants.py "book/0[2-7]*.md" --double-d
    python benchmarks/variants.py book/03_cot.md --shift 1 --json out.json

The cell of changeable numbers is the first code cell after the sentence "The numbers a reader
may change sit in the next cell" (in chapter 4, the cell that starts "# Change any of these").
In it, every assignment whose targets include a name containing ``seed`` (any case) gets the
shift added to each of its values; with ``--double-d`` the value assigned to ``d`` (or ``D``) is
doubled. Each variant is executed from its MyST source with nbclient in a fresh ``python3``
kernel, as ``benchmarks/run.py`` does; the table lists, per chapter and variant, whether every
cell ran (its asserts held), the wall time and the kernel's CPU time (user + system, which a
busy machine inflates less than the wall time; nan when a cell failed before the last). A
failure prints the exception's last line that names an error.
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cell_index(nb) -> int:
    for i, cell in enumerate(nb.cells):
        src = cell.source
        if cell.cell_type == "markdown" and "numbers a reader may change" in src:
            return next(j for j in range(i + 1, len(nb.cells)) if nb.cells[j].cell_type == "code")
        if cell.cell_type == "code" and src.lstrip().startswith("# Change any of these"):
            return i
    raise ValueError("no cell of changeable numbers found")


def _rewrite(line: str, shift: int, double_d: bool) -> str:
    """One line of the cell, with its seeds shifted and its d doubled."""
    code, _, comment = line.partition("#")
    try:
        tree = ast.parse(code.strip())
    except SyntaxError:
        return line
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assign) or len(tree.body[0].targets) != 1:
        return line
    target, value = tree.body[0].targets[0], tree.body[0].value
    names = [t.id for t in (target.elts if isinstance(target, ast.Tuple) else [target]) if isinstance(t, ast.Name)]
    values = value.elts if isinstance(value, ast.Tuple) and isinstance(target, ast.Tuple) else [value]
    if len(names) != len(values):
        return line
    new, changed = [], False
    for name, val in zip(names, values, strict=False):
        src = ast.unparse(val)
        if "seed" in name.lower() and shift:
            src, changed = f"({src}) + {shift}", True
        if name in ("d", "D") and double_d:
            src, changed = f"2 * ({src})", True
        new.append(src)
    if not changed:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}{', '.join(names)} = {', '.join(new)}" + (f"  #{comment}" if comment else "")


def rewrite_cell(nb, shift: int = 0, double_d: bool = False) -> str:
    """Rewrite the notebook's cell of changeable numbers in place (seeds shifted, d doubled); its new source."""
    cell = nb.cells[_cell_index(nb)]
    cell.source = "\n".join(_rewrite(line, shift, double_d) for line in cell.source.splitlines())
    return cell.source


def variant(path: Path, shift: int = 0, double_d: bool = False):
    import jupytext

    nb = jupytext.read(path)
    return nb, rewrite_cell(nb, shift, double_d)


MARKER = "TTSBOOK-VARIANT-CPU-S="


def execute(nb, path: Path, timeout: int) -> tuple[bool, float, float, str]:
    """Run the notebook; whether every cell ran, the wall time, the kernel's CPU time, the error."""
    import nbformat
    from nbclient import NotebookClient

    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import resource as _r; _u = _r.getrusage(_r.RUSAGE_SELF); _c = _r.getrusage(_r.RUSAGE_CHILDREN); "
            f"print('{MARKER}' + str(_u.ru_utime + _u.ru_stime + _c.ru_utime + _c.ru_stime))"
        )
    )
    client = NotebookClient(
        nb, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": str(path.parent)}}
    )
    t0 = time.perf_counter()
    try:
        client.execute()
        ok, err = True, ""
    except Exception as exc:  # a failing variant is reported, not fatal
        ok = False
        lines = [ln for ln in str(exc).splitlines() if "Error" in ln or "assert" in ln.lower()]
        err = (lines[-1] if lines else str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:300]
    wall = time.perf_counter() - t0
    cpu = float("nan")
    for out in nb.cells[-1].get("outputs", []):
        for line in out.get("text", "").splitlines():
            if line.startswith(MARKER):
                cpu = float(line[len(MARKER) :])
    return ok, wall, cpu, err


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chapters", nargs="+", help="chapter sources (globs allowed)")
    ap.add_argument("--shift", type=int, nargs="*", default=[], help="seed shifts to run")
    ap.add_argument("--double-d", action="store_true", help="also run with d doubled (seeds unshifted)")
    ap.add_argument("--timeout", type=int, default=1200, help="per-cell timeout in seconds")
    ap.add_argument("--show", action="store_true", help="print the rewritten cell of each variant")
    ap.add_argument("--dry-run", action="store_true", help="print the rewritten cells, execute nothing")
    ap.add_argument("--json", help="append each result as one JSON line to this file")
    args = ap.parse_args()
    paths = sorted({Path(p) for pattern in args.chapters for p in glob.glob(pattern)})
    runs = [(s, False) for s in args.shift] + ([(0, True)] if args.double_d else [])
    print(f"{'chapter':24} {'variant':12} {'holds':6} {'time s':>7} {'CPU s':>7}  error", flush=True)
    for path in paths:
        for shift, dd in runs:
            nb, cell = variant(path, shift, dd)
            if args.show or args.dry_run:
                print(cell)
            if args.dry_run:
                continue
            ok, wall, cpu, err = execute(nb, path, args.timeout)
            name = "d doubled" if dd else f"seed +{shift}"
            print(f"{path.stem:24} {name:12} {'yes' if ok else 'NO':6} {wall:7.1f} {cpu:7.1f}  {err}", flush=True)
            if args.json:
                with open(args.json, "a") as fh:
                    fh.write(
                        json.dumps(
                            dict(
                                chapter=path.stem,
                                variant=name,
                                holds=ok,
                                seconds=round(wall, 1),
                                cpu_seconds=round(cpu, 1),
                                error=err,
                            )
                        )
                        + "\n"
                    )


if __name__ == "__main__":
    main()
