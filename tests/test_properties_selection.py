"""Property-based tests (hypothesis) of the task-selection QP, :func:`ttsbook.selection.select_tasks`.

The paper's simplified QP is min_π ‖I − Σ⁻¹ Σ_ℓ π_ℓ Λ_ℓ‖_F² over the simplex (Section 4). It is
re-derived here in NumPy; the solver's π must lie on the simplex and be no worse than every
vertex (each single task) and than the uniform mixture.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ttsbook import selection, tasks

SETTINGS = settings(deadline=None, max_examples=30, derandomize=True)


def qp_objective(pi: np.ndarray, Lambdas: list[np.ndarray], Sigma: np.ndarray) -> float:
    """‖I − Σ⁻¹ Σ_ℓ π_ℓ Λ_ℓ‖_F², written independently of ttsbook."""
    Lbar = sum(p * L for p, L in zip(pi, Lambdas, strict=True))
    R = np.eye(Sigma.shape[0]) - np.linalg.solve(Sigma, Lbar)
    return float(np.sum(R**2))


@st.composite
def spd(draw, d: int) -> np.ndarray:
    evals = np.array(draw(st.lists(st.floats(0.05, 5.0), min_size=d, max_size=d)))
    Q = tasks.random_rotation(d, seed=draw(st.integers(0, 2**31 - 1)))
    A = Q @ np.diag(evals) @ Q.T
    return (A + A.T) / 2


@st.composite
def problems(draw):
    """L candidate tasks (some diagonal, some rotated), their prompt lengths and a target Σ."""
    d = draw(st.integers(1, 5))
    L = draw(st.integers(1, 5))
    Lambdas = [draw(spd(d)) for _ in range(L)]
    ns = [draw(st.integers(1, 100)) for _ in range(L)]
    Sigma = draw(spd(d))
    return Lambdas, ns, Sigma


@SETTINGS
@given(problem=problems())
def test_qp_solution_is_on_the_simplex_and_no_worse_than_any_vertex(problem):
    Lambdas, ns, Sigma = problem
    pi = np.asarray(selection.select_tasks(Lambdas, ns, Sigma), dtype=float)
    L = len(Lambdas)
    # on the simplex: non-negative (to 1e-12) and summing to one (to 1e-9)
    assert pi.shape == (L,)
    assert np.all(np.isfinite(pi))
    assert pi.min() >= -1e-12, pi
    assert abs(pi.sum() - 1) <= 1e-9, pi.sum()
    # no worse than every vertex e_ℓ and than the uniform mixture. Tolerance: 1e-7 of the scale
    # of the objective at the vertices (the solver stops at a relative tolerance ~1e-10..1e-14).
    value = qp_objective(pi, Lambdas, Sigma)
    vertices = [qp_objective(np.eye(L)[ell], Lambdas, Sigma) for ell in range(L)]
    uniform = qp_objective(np.full(L, 1 / L), Lambdas, Sigma)
    scale = max(1.0, max(vertices))
    assert value <= min(vertices) + 1e-7 * scale, (value, vertices)
    assert value <= uniform + 1e-7 * scale, (value, uniform)


@SETTINGS
@given(problem=problems())
def test_qp_solution_satisfies_the_kkt_conditions(problem):
    """At the minimum of a convex QP on the simplex every task in the support has the same
    gradient entry g_ℓ and no task outside it has a smaller one (to 1e-5 of the gradient scale)."""
    Lambdas, ns, Sigma = problem
    pi = np.asarray(selection.select_tasks(Lambdas, ns, Sigma), dtype=float)
    d = Sigma.shape[0]
    b = np.eye(d).ravel()
    B = np.stack([np.linalg.solve(Sigma, L).ravel() for L in Lambdas], axis=1)
    g = -2 * B.T @ (b - B @ pi)
    scale = max(1.0, np.abs(2 * B.T @ b).max(), np.abs(2 * B.T @ B).max())
    support = pi > 1e-6
    g_min = g[support].min()
    assert np.all(g[support] - g_min <= 1e-5 * scale), (pi, g)
    assert np.all(g >= g_min - 1e-5 * scale), (pi, g)
