"""ttsbook.analysis: per-direction errors, curves, minima, rises, interactions and bootstraps,
checked against direct computations and hand-made curves."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ttsbook import analysis, cot, lsa, tasks

D = 4


@pytest.fixture(scope="module")
def chain():
    Lambda = tasks.by_name("skewed-trace-d", D)
    X, y, w = tasks.sample_prompts(np.eye(D), 12, 50, seed=3, dtype=torch.float64)
    return lsa.optimal(Lambda, 8), X, y, w


def test_direction_errors_sum_to_the_squared_error(chain):
    model, X, y, w = chain
    e = analysis.direction_errors(model, X, y, w, 6)
    assert e.shape == (7, 50, D) and e.dtype == np.float64
    total = cot.squared_error(cot.rollout(model, X, y, 6), w, per_prompt=True)
    np.testing.assert_allclose(e.sum(axis=-1), total, rtol=1e-13)
    # coordinate i of ŵ_k − w, squared, for one prompt and step
    its = cot.rollout(model, X, y, 6)
    assert e[3, 7, 2] == pytest.approx(float((its[3, 7, 2] - w[7, 2]) ** 2), rel=1e-13)
    with pytest.raises(ValueError, match="w must have shape"):
        analysis.direction_errors(model, X, y, w[:, :2], 6)


def test_curve_mean_and_median_over_prompts_of_the_summed_directions():
    rng = np.random.default_rng(0)
    e = rng.exponential(size=(5, 9, 3))
    np.testing.assert_allclose(analysis.curve(e), e.sum(-1).mean(-1))
    np.testing.assert_allclose(analysis.curve(e, "median"), np.median(e.sum(-1), -1))
    np.testing.assert_allclose(analysis.curve(e, directions=[0, 2]), (e[..., 0] + e[..., 2]).mean(-1))
    np.testing.assert_allclose(analysis.curve(np.stack([e, 2 * e])), [analysis.curve(e), 2 * analysis.curve(e)])
    with pytest.raises(ValueError, match="stat must be one of"):
        analysis.curve(e, "max")
    with pytest.raises(ValueError, match="errors must have shape"):
        analysis.curve(e[0, 0])


def test_k_star_and_rise_on_a_u_curve():
    c = np.array([10.0, 4.0, 1.0, 0.5, 2.0, 8.0])  # minimum at k = 3, then ×16 by k = 5
    assert analysis.k_star(c) == 3 and analysis.k_star(c, upto=2) == 2
    assert analysis.rise(c) == pytest.approx(16.0)
    assert analysis.rise(c, to=4) == pytest.approx(4.0)
    assert analysis.rise(c, start=1) == pytest.approx(2.0)
    assert analysis.rise(c, scale="absolute") == pytest.approx(7.5)
    assert analysis.rise(c[:4]) == pytest.approx(1.0)  # still falling: no rise
    # k = 0 (ŵ_0 = 0) never counts as the minimum
    assert analysis.k_star(np.array([0.1, 4.0, 2.0])) == 2
    np.testing.assert_array_equal(analysis.k_star(np.stack([c, c[::-1]])), [3, 2])
    with pytest.raises(ValueError, match="upto must be at most"):
        analysis.k_star(c, upto=6)
    with pytest.raises(ValueError, match="start must be at most"):
        analysis.rise(c, to=2, start=3)
    with pytest.raises(ValueError, match="scale must be one of"):
        analysis.rise(c, scale="ratio")


def test_interaction_is_mismatched_minus_matched():
    v = {
        ("skewed", "isotropic"): 8.0,
        ("isotropic", "skewed"): 3.0,
        ("skewed", "skewed"): 2.0,
        ("isotropic", "isotropic"): 4.0,
    }
    assert analysis.interaction(v) == pytest.approx(np.log(8 * 3 / (2 * 4)))
    assert analysis.interaction(v, "absolute") == pytest.approx(8 + 3 - 2 - 4)
    assert analysis.interaction(lambda train, test: v[train, test]) == pytest.approx(np.log(3.0))
    # a test effect and a training effect alone cancel: v = a(train) b(test)
    a, b = {"skewed": 2.0, "isotropic": 5.0}, {"skewed": 7.0, "isotropic": 0.3}
    assert analysis.interaction(lambda train, test: a[train] * b[test]) == pytest.approx(0.0, abs=1e-14)
    arrays = {cell: np.array([x, 2 * x]) for cell, x in v.items()}
    np.testing.assert_allclose(analysis.interaction(arrays), [np.log(3.0)] * 2)
    with pytest.raises(ValueError, match="scale must be one of"):
        analysis.interaction(v, "ratio")


def test_bootstrap_resamples_prompts_alike_for_every_key():
    rng = np.random.default_rng(1)
    e = rng.exponential(size=(3, 40, 2))
    reps = analysis.bootstrap(lambda r: analysis.curve(r["a"]) - analysis.curve(r["b"]), {"a": e, "b": e}, 50, 7)
    assert reps.shape == (50, 3) and np.all(reps == 0)  # the same prompts drawn for both keys
    means = analysis.bootstrap(lambda r: analysis.curve(r["a"])[0], {"a": e}, 2000, 7)
    total = e[0].sum(-1)
    # the bootstrap s.e. of a mean is s/√B (up to its Monte Carlo error of about 1/√(2·2000))
    assert means.std() == pytest.approx(total.std() / np.sqrt(40), rel=0.08)
    again = analysis.bootstrap(lambda r: analysis.curve(r["a"])[0], {"a": e}, 2000, 7)
    np.testing.assert_array_equal(means, again)
    with pytest.raises(ValueError, match="one B"):
        analysis.bootstrap(lambda r: 0, {"a": e, "b": e[:, :10]}, 5, 0)
    with pytest.raises(TypeError, match="statistic must be a function"):
        analysis.bootstrap(None, {"a": e}, 5, 0)


def test_mean_and_sem_against_hand_formula():
    rng = np.random.default_rng(3)
    per = rng.exponential(size=(4, 50))
    mean, sem = analysis.mean_and_sem(per)
    np.testing.assert_allclose(mean, per.sum(axis=1) / 50, rtol=1e-14)
    hand = np.sqrt(((per - per.mean(axis=1, keepdims=True)) ** 2).sum(axis=1) / 49 / 50)
    np.testing.assert_allclose(sem, hand, rtol=1e-12)
    mean0, sem0 = analysis.mean_and_sem(per.T, axis=0)
    np.testing.assert_allclose(mean0, mean, rtol=1e-14)
    np.testing.assert_allclose(sem0, sem, rtol=1e-14)
    per[1, 7] = np.inf
    mean, sem = analysis.mean_and_sem(per)
    assert np.isinf(mean[1]) and np.isinf(sem[1]) and np.all(np.isfinite(mean[[0, 2, 3]]))


def test_median_interval_covers_the_true_median_about_68_percent():
    """Order-statistic interval with z = 1 on exponential errors (true median ln 2): over 2,000
    replications of 101 prompts the coverage is within 3 binomial standard errors of the normal
    approximation's 68.3 % (the exact coverage of the rounded-out ranks is a little higher)."""
    rng = np.random.default_rng(0)
    samples = rng.exponential(size=(2000, 101))
    med, lo, hi = analysis.median_and_interval(samples, axis=1, z=1.0)
    assert np.allclose(med, np.median(samples, axis=1))
    covered = np.mean((lo <= np.log(2)) & (np.log(2) <= hi))
    sd = np.sqrt(0.683 * 0.317 / 2000)
    assert 0.683 - 3 * sd < covered < 0.683 + 0.06, covered
    # A diverged chain (inf) is the largest error, not an error.
    med, lo, hi = analysis.median_and_interval(np.array([1.0, 2.0, np.inf, 3.0, 4.0] * 8), z=1.0)
    assert med == 3.0 and np.isfinite(hi)
