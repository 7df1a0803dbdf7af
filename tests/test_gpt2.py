"""Tests for ttsbook.gpt2: shapes, causality, parameter count, training, checkpoints, CoT rollout."""

import dataclasses

import numpy as np
import pytest
import torch

from ttsbook import cot, gpt2, lsa, tasks, theory

TINY = dict(d=4, n_layer=1, n_head=2, n_embd=16)


def expected_params(cfg: gpt2.GPT2Config) -> int:
    """Parameter count re-derived by hand: read-in, L blocks of 12C² + 13C (with biases), ln_f, read-out."""
    C, d, r = cfg.n_embd, cfg.d, cfg.mlp_ratio
    block = 2 * C + (3 * C * C + 3 * C) + (C * C + C) + 2 * C + (r * C * C + r * C) + (r * C * C + C)
    return (2 * d + 2) * C + C + cfg.n_layer * block + 2 * C + C * d + d


@pytest.mark.parametrize("cfg", [gpt2.GPT2Config(), gpt2.GPT2Config(**TINY), gpt2.GPT2Config.paper()])
def test_parameter_count(cfg):
    assert gpt2.GPT2(cfg).num_params() == expected_params(cfg)


def test_paper_configuration_is_about_9_5M():
    cfg = gpt2.GPT2Config.paper()
    assert (cfg.n_layer, cfg.n_head, cfg.n_embd) == (12, 8, 256)
    # The paper quotes "about 9.5M"; within 2% of it.
    assert abs(gpt2.GPT2(cfg).num_params() - 9.5e6) < 0.02 * 9.5e6


def test_shapes_and_causality():
    torch.manual_seed(0)
    model = gpt2.GPT2(gpt2.GPT2Config(**TINY)).eval()
    tokens = torch.randn(3, 9, 10)
    out = model(tokens)
    assert out.shape == (3, 9, 4)
    changed = tokens.clone()
    changed[:, 5:] = torch.randn(3, 4, 10) * 10  # change every token after position t = 4
    out2 = model(changed)
    # Positions 0..4 are unaffected (float32 round-off only), later ones do change.
    assert torch.allclose(out[:, :5], out2[:, :5], atol=1e-6, rtol=0)
    assert (out[:, 5:] - out2[:, 5:]).abs().max() > 1e-3
    X, y, _ = tasks.sample_prompts(np.eye(4), 7, 3, seed=1)
    w_hat = model.predict(X, y)
    assert w_hat.shape == (3, 4)
    assert torch.equal(w_hat, model(lsa.embed(X, y).transpose(1, 2))[:, -1])


def test_tiny_model_learns():
    """A tiny model trained for a few seconds beats the zero predictor ŵ = 0 by a clear margin.

    The zero predictor has loss ½ E‖w‖² = d/2 = 2; the best linear (LSA) predictor for Λ = I,
    n = 8 has ``theory.optimal_loss`` ≈ 0.77. We require the final averaged training loss to be
    below d/4 (half the zero predictor's loss) and the held-out loss to be below d/4 too.
    """
    torch.manual_seed(0)
    cfg = gpt2.GPT2Config(**TINY)
    Lambda = np.eye(cfg.d)
    model, hist = gpt2.train(
        cfg, Lambda, n=8, steps=400, batch=64, lr=3e-3, warmup=20, seed=0, record_every=50, progress=False
    )
    d = cfg.d
    assert hist.loss[0] > 0.8 * d / 2, hist.loss  # starts near the zero predictor
    assert hist.loss[-1] < d / 4, hist.loss
    X, y, w = tasks.sample_prompts(Lambda, 8, 2000, seed=123)
    with torch.no_grad():
        held_out = 0.5 * (model.predict(X, y) - w).pow(2).sum(1).mean().item()
    assert held_out < d / 4, held_out


def test_unused_estimate_slot_never_trains():
    """Training with an empty estimate slot (w_0 = 0) leaves the read-in columns of that slot at
    their initial values: a model trained this way cannot interpret a fed-back estimate."""
    cfg = gpt2.GPT2Config(**TINY)
    torch.manual_seed(3)
    init = gpt2.GPT2(cfg).read_in.weight.detach().clone()
    model, _ = gpt2.train(cfg, np.eye(cfg.d), n=6, steps=20, batch=16, seed=3, progress=False)
    w_cols = lsa.Blocks(cfg.d).w
    assert torch.equal(model.read_in.weight[:, w_cols], init[:, w_cols])
    assert not torch.equal(model.read_in.weight[:, lsa.Blocks(cfg.d).x], init[:, lsa.Blocks(cfg.d).x])


def test_checkpoint_round_trip(tmp_path):
    cfg = gpt2.GPT2Config(**TINY)
    model, hist = gpt2.train(cfg, np.eye(cfg.d), n=6, steps=10, batch=8, seed=1, record_every=5, progress=False)
    path = tmp_path / "m.pt"
    gpt2.save(path, model, hist, extra={"note": "x"})
    raw = torch.load(path, weights_only=True)  # plain types and tensors only
    assert raw["config"] == dict(cfg.__dict__)
    loaded, meta = gpt2.load(path)
    assert meta["history"]["steps"] == [5, 10] and meta["settings"]["n"] == 6 and meta["extra"]["note"] == "x"
    X, y, _ = tasks.sample_prompts(np.eye(cfg.d), 6, 5, seed=2)
    assert torch.equal(loaded.predict(X, y), model.predict(X, y))


def test_entry_point_reproduces_checkpoint(tmp_path):
    args = [
        "train",
        "--n",
        "6",
        "--d",
        "4",
        "--layers",
        "1",
        "--heads",
        "2",
        "--width",
        "16",
        "--steps",
        "15",
        "--batch",
        "8",
        "--seed",
        "7",
        "--spectrum",
        "skewed",
        "--no-progress",
    ]
    a, b = tmp_path / "a.pt", tmp_path / "b.pt"
    assert gpt2.main(args + ["--out", str(a)]) == 0
    assert gpt2.main(args + ["--out", str(b)]) == 0
    sa, sb = torch.load(a, weights_only=True), torch.load(b, weights_only=True)
    assert sa["state_dict"].keys() == sb["state_dict"].keys()
    for key in sa["state_dict"]:
        assert torch.equal(sa["state_dict"][key], sb["state_dict"][key]), key
    # The same as calling train() directly with those settings.
    model, _ = gpt2.train(gpt2.GPT2Config(**TINY), tasks.skewed(4), n=6, steps=15, batch=8, seed=7, progress=False)
    for key, value in model.state_dict().items():
        assert torch.equal(value, sa["state_dict"][key]), key
    # A different seed gives different weights.
    c = tmp_path / "c.pt"
    gpt2.main(args[:-3] + ["--seed", "8", "--no-progress", "--out", str(c)])
    sc = torch.load(c, weights_only=True)
    assert not torch.equal(sc["state_dict"]["read_in.weight"], sa["state_dict"]["read_in.weight"])


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        gpt2.main(["train", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0 and "--n N" in out and "--out OUT" in out and "--device" in out


@pytest.mark.parametrize("n", [10, 25])
def test_residual_rollout_of_lsa_is_pseudo_newton(n):
    """The LSA special case of the residual re-prompting scheme is the pseudo-Newton recursion
    of chapter 3 (and the paper's append-the-estimate rollout), to float64 round-off."""
    Lambda = tasks.with_trace(tasks.skewed(6), 6)
    model = lsa.optimal(Lambda, n)
    X, y, _ = tasks.sample_prompts(np.eye(6), 40, 50, seed=4, dtype=torch.float64)
    ours = cot.rollout_reprompt(model, X, y, 8, batch_size=16)
    newton = cot.pseudo_newton(theory.gamma(Lambda, n), X, y, 8)
    paper = cot.rollout(model, X, y, 8)
    scale = newton.abs().max()
    assert (ours - newton).abs().max() < 1e-10 * scale
    assert (ours - paper).abs().max() < 1e-10 * scale


def test_rollout_with_exact_solver_converges_in_one_step():
    """With a model that returns the least-squares solution, step 1 is exact and later steps stay there."""

    class LeastSquares:
        def predict(self, X, y):
            return torch.linalg.solve(X @ X.transpose(1, 2), torch.einsum("bdn,bn->bd", X, y))

    X, y, w = tasks.sample_prompts(np.eye(3), 9, 20, seed=5, dtype=torch.float64)
    its = cot.rollout_reprompt(LeastSquares(), X, y, 3)
    err = cot.squared_error(its, w)
    assert err[0] == pytest.approx(cot.squared_error(its[:1], w)[0])
    assert np.all(err[1:] < 1e-20)


def test_rollout_reports_divergence_as_inf():
    Lambda = tasks.skewed(4)
    model = lsa.optimal(Lambda, 2)  # Γ far too small for Σ = 100 I: the iteration blows up
    X, y, w = tasks.sample_prompts(100 * np.eye(4), 6, 4, seed=0)
    err = cot.squared_error(cot.rollout_reprompt(model, X, y, 200), w)
    assert np.isinf(err[-1])


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="n_embd"):
        gpt2.GPT2Config(n_embd=30, n_head=4)
    with pytest.raises(ValueError, match="n_layer"):
        gpt2.GPT2Config(n_layer=0)
    cfg = gpt2.GPT2Config(**TINY)
    with pytest.raises(ValueError, match="n must"):
        gpt2.train(cfg, np.eye(4), n=0, steps=1, progress=False)
    with pytest.raises(ValueError, match="Lambda"):
        gpt2.train(cfg, np.eye(5), n=3, steps=1, progress=False)
    with pytest.raises(ValueError, match="device"):
        gpt2.train(cfg, np.eye(4), n=3, steps=1, device="tpu", progress=False)
    model = gpt2.GPT2(cfg)
    X, y, _ = tasks.sample_prompts(np.eye(4), 5, 2, seed=0)
    with pytest.raises(ValueError, match="k must"):
        cot.rollout_reprompt(model, X, y, -1)
    with pytest.raises(ValueError, match="d = 3"):
        model.predict(X[:, :3], y)
    with pytest.raises(TypeError, match="model"):
        cot.rollout_reprompt(object(), X, y, 1)


def test_the_two_training_records_have_distinct_names():
    """lsa and gpt2 record different things, under names of their own (no older aliases remain)."""
    assert lsa.LSAHistory is not gpt2.GPT2History
    assert {f.name for f in dataclasses.fields(lsa.LSAHistory)} == {"steps", "loss", "rel_error", "optimal_loss"}
    assert {f.name for f in dataclasses.fields(gpt2.GPT2History)} == {"steps", "loss", "settings"}
    for module, name in [(lsa, "TrainingHistory"), (gpt2, "TrainingHistory"), (gpt2, "rollout"), (gpt2, "SPECTRA")]:
        assert not hasattr(module, name), f"{module.__name__}.{name}: an older alias"
    assert not hasattr(gpt2, "spectrum")
    assert "LSAHistory" in lsa.__all__ and "GPT2History" in gpt2.__all__


# ----------------------------------------------------------------------------- the appended-token chain
def tiny_model(seed: int = 0) -> gpt2.GPT2:
    torch.manual_seed(seed)
    return gpt2.GPT2(gpt2.GPT2Config(**TINY)).eval()


def test_extend_with_cached_keys_equals_the_whole_sequence():
    """Keys and values of earlier tokens reused: the read-out of appended tokens is the one of the
    whole sequence run at once (float32 round-off), for one appended token and for several."""
    model = tiny_model()
    tokens = torch.randn(3, 11, 10)
    whole = model(tokens)
    with torch.no_grad():
        _, past = model.extend(tokens[:, :7])
        several, past2 = model.extend(tokens[:, 7:10], past)
        one, _ = model.extend(tokens[:, 10:], past2)
    assert torch.allclose(several, whole[:, 7:10], atol=1e-6, rtol=0)
    assert torch.allclose(one, whole[:, 10:], atol=1e-6, rtol=0)
    assert past2[0][0].shape == (3, TINY["n_head"], 10, TINY["n_embd"] // TINY["n_head"])


def chain_by_hand(model, X, y, k, window=None):
    """The paper's chain written out: the whole sequence (examples, then the estimate tokens
    [0_d; 0; ŵ_j; 1], the last `window` of them) re-run at every step; ŵ_{i+1} is the last read-out."""
    d, m = X.shape[1], X.shape[2]
    examples = lsa.embed(X, y)[:, :, :m].transpose(1, 2)
    ws = [torch.zeros(X.shape[0], d)]
    for _ in range(k):
        est = torch.zeros(X.shape[0], len(ws), 2 * d + 2)
        est[:, :, d + 1 : 2 * d + 1] = torch.stack(ws, dim=1)
        est[:, :, -1] = 1
        if window is not None:
            est = est[:, -window:]
        with torch.no_grad():
            ws.append(model(torch.cat([examples, est], dim=1))[:, -1])
    return torch.stack(ws)


@pytest.mark.parametrize("window", [None, 1, 2, 20])
def test_rollout_of_gpt2_is_the_appended_token_chain(window):
    model = tiny_model(1)
    X, y, _ = tasks.sample_prompts(np.eye(4), 9, 5, seed=2)
    k = 6
    its = cot.rollout(model, X, y, k, window=window)
    ref = chain_by_hand(model, X, y, k, window)
    assert its.shape == (k + 1, 5, 4) and torch.equal(its[0], torch.zeros(5, 4))
    assert torch.allclose(its, ref, atol=1e-5, rtol=0), float((its - ref).abs().max())
    # The first step is the plain prediction from the empty slot.
    assert torch.allclose(its[1], model.predict(X, y), atol=1e-6, rtol=0)
    # Re-running the whole sequence ("append") gives the cached chain's iterates.
    full = cot.rollout(model, X, y, k, method="append", window=window)
    assert torch.allclose(its, full, atol=1e-5, rtol=0)


def test_window_changes_the_chain_once_it_is_shorter_than_the_chain():
    model = tiny_model(2)
    X, y, _ = tasks.sample_prompts(np.eye(4), 9, 5, seed=3)
    whole, short = cot.rollout(model, X, y, 5), cot.rollout(model, X, y, 5, window=2)
    assert torch.allclose(whole[:3], short[:3], atol=1e-6, rtol=0)  # steps 1, 2 see at most 2 estimates
    assert (whole[3:] - short[3:]).abs().max() > 1e-4


def test_chain_loss_is_the_mean_error_of_the_rollout():
    """The training loss with the chain unrolled is the mean over k = 1..K of ½ mean ‖ŵ_k − w‖²
    of the test-time rollout itself (the fed-back estimates are the chain's own)."""
    from ttsbook.gpt2.training import _chain_loss

    model = tiny_model(4)
    X, y, w = tasks.sample_prompts(np.eye(4), 8, 16, seed=5)
    K = 4
    its = chain_by_hand(model, X, y, K)
    by_hand = np.mean([0.5 * (its[i] - w).pow(2).sum(1).mean().item() for i in range(1, K + 1)])
    assert _chain_loss(model, X, y, w, K).item() == pytest.approx(by_hand, rel=1e-5)


def test_chain_training_trains_the_estimate_slot():
    """With the chain unrolled (k_train ≥ 2) the read-in of the estimate slot is trained; with
    k_train = 1 the loss is that of the empty slot (k_train = 0) and so are the weights."""
    cfg = gpt2.GPT2Config(**TINY)
    torch.manual_seed(3)
    init = gpt2.GPT2(cfg).read_in.weight.detach().clone()
    w_cols = lsa.Blocks(cfg.d).w
    common = dict(n=6, steps=20, batch=16, seed=3, warmup=0, progress=False)
    chained, hist = gpt2.train(cfg, np.eye(cfg.d), k_train=3, **common)
    assert (chained.read_in.weight[:, w_cols] - init[:, w_cols]).abs().max() > 1e-3
    assert hist.settings["k_train"] == 3 and hist.settings["n"] == 6
    empty, _ = gpt2.train(cfg, np.eye(cfg.d), k_train=0, **common)
    one, _ = gpt2.train(cfg, np.eye(cfg.d), k_train=1, **common)
    for key, value in empty.state_dict().items():
        assert torch.allclose(value, one.state_dict()[key], atol=1e-6, rtol=0), key


def test_chain_length_curriculum():
    cfg = gpt2.GPT2Config(**TINY)
    common = dict(n=6, steps=12, batch=8, seed=5, progress=False, record_every=1)
    a, ha = gpt2.train(cfg, np.eye(cfg.d), k_train=2, k_pretrain=5, pretrain_steps=6, **common)
    b, hb = gpt2.train(cfg, np.eye(cfg.d), k_train=2, **common)
    assert ha.settings["k_pretrain"] == 5 and ha.settings["pretrain_steps"] == 6
    # The first step's loss is that of the longer chain (a different objective), then they differ.
    assert ha.loss[0] != hb.loss[0]
    assert not torch.equal(a.read_in.weight, b.read_in.weight)


def test_learning_rate_warms_up_then_decays_to_a_tenth():
    """The schedule of :func:`gpt2.train`: linear warm-up to the peak, then a cosine to lr/10."""
    from ttsbook.gpt2.training import _lr_factor

    factors = [_lr_factor(t, warmup=4, steps=20) for t in range(21)]
    assert factors[:5] == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert factors[12] == pytest.approx(0.55) and factors[20] == pytest.approx(0.1)
    assert all(np.diff(factors[4:]) < 0)
    assert _lr_factor(0, warmup=0, steps=1) == 1.0


def test_chain_lengths_follow_the_curriculum_then_k_train():
    from ttsbook.gpt2.training import _chain_lengths

    assert _chain_lengths(6, 3, 8, 2, False, seed=0) == [8, 8, 3, 3, 3, 3]
    assert _chain_lengths(3, 0, 0, 0, False, seed=0) == [0, 0, 0]
    drawn = _chain_lengths(200, 4, 8, 2, True, seed=0)
    assert drawn[:2] == [8, 8] and set(drawn[2:]) == {1, 2, 3, 4}
    assert drawn == _chain_lengths(200, 4, 8, 2, True, seed=0) != _chain_lengths(200, 4, 8, 2, True, seed=1)


def test_entry_point_reproduces_a_chain_trained_checkpoint(tmp_path):
    args = [
        "train",
        "--n",
        "6",
        "--d",
        "4",
        "--layers",
        "1",
        "--heads",
        "2",
        "--width",
        "16",
        "--steps",
        "12",
        "--batch",
        "8",
        "--seed",
        "9",
        "--spectrum",
        "skewed",
        "--k-train",
        "3",
        "--k-pretrain",
        "5",
        "--pretrain-steps",
        "4",
        "--no-progress",
    ]
    a, b = tmp_path / "a.pt", tmp_path / "b.pt"
    assert gpt2.main(args + ["--out", str(a)]) == 0 and gpt2.main(args + ["--out", str(b)]) == 0
    sa, sb = torch.load(a, weights_only=True), torch.load(b, weights_only=True)
    model, _ = gpt2.train(
        gpt2.GPT2Config(**TINY),
        tasks.skewed(4),
        n=6,
        steps=12,
        batch=8,
        seed=9,
        k_train=3,
        k_pretrain=5,
        pretrain_steps=4,
        progress=False,
    )
    for key, value in model.state_dict().items():
        assert torch.equal(sa["state_dict"][key], sb["state_dict"][key]), key
        assert torch.equal(value, sa["state_dict"][key]), key
    assert sa["settings"]["k_train"] == 3 and sa["settings"]["k_pretrain"] == 5


def test_shipped_checkpoints_are_the_book_checkpoints():
    """Every shipped checkpoint is one of gpt2.BOOK_CHECKPOINTS and was trained with its settings
    (n, Λ by name, k_train, seed, steps, the recipe and the size), is found by book_name from its
    settings, and is at most 1 MB (5 MB at Garg et al.'s "small" size)."""
    folder = gpt2.checkpoint("gpt2_n20").parent
    shipped = sorted(p.name.removesuffix(".pt") for p in folder.glob("*.pt"))
    assert shipped == sorted(gpt2.BOOK_CHECKPOINTS)
    for name, want in gpt2.BOOK_CHECKPOINTS.items():
        path = gpt2.checkpoint(name)
        assert path.stat().st_size <= (5_000_000 if "size" in want else 1_000_000), name
        _, meta = gpt2.load(path)
        s = meta["settings"]
        Lambda = tasks.by_name(want["spectrum"], want["d"])
        assert (s["n"], s["k_train"], s["seed"], s["steps"]) == (
            want["n"],
            want["k_train"],
            want["seed"],
            want["steps"],
        ), name
        assert np.allclose(s["Lambda"], np.diag(Lambda)), name
        assert meta["config"]["d"] == want["d"] and meta["extra"]["threads"] == 1, name
        assert (s.get("k_pretrain", 0), s.get("pretrain_steps", 0), s.get("k_random", False)) == (
            want.get("k_pretrain", 0),
            want.get("pretrain_steps", 0),
            want.get("k_random", False),
        ), name
        assert meta["config"].get("n_positions", 0) == want.get("positions", 0), name
        default = gpt2.GPT2Config()
        size = (meta["config"]["n_layer"], meta["config"]["n_head"], meta["config"]["n_embd"])
        assert size == want.get("size", (default.n_layer, default.n_head, default.n_embd)), name
        assert want["group"] in {"paper", "controls", "finite-m"}, name
        assert (
            gpt2.book_name(
                want["n"],
                want["k_train"],
                want["seed"],
                want["spectrum"],
                **{key: want[key] for key in ("positions", "k_random", "k_pretrain", "size") if key in want},
            )
            == name
        )


def test_book_name_finds_one_checkpoint_or_says_why():
    assert gpt2.book_name(30, k_train=25, seed=1) == "gpt2_chain_n30_k25_seed1"
    assert gpt2.book_name(30, k_train=25, seed=1, spectrum="isotropic") == "gpt2_chain_iso_n30_k25_seed1"
    assert gpt2.book_name(30, positions=128) == "gpt2_pos_n30_k3"
    assert gpt2.book_name(30, size=(6, 4, 128)) == "gpt2_small_n30_k3"
    with pytest.raises(ValueError, match="name 0 of the book's checkpoints"):
        gpt2.book_name(31)
    with pytest.raises(ValueError, match="settings must be among"):
        gpt2.book_name(30, layers=6)


def test_book_command_trains_what_the_registry_says(capsys):
    argv = gpt2.book_command("gpt2_chain_iso_n30_k3_seed1", out="x.pt")
    assert argv[:1] == ["train"] and argv[-2:] == ["--out", "x.pt"]
    opts = dict(zip(argv[1::2], argv[2::2], strict=True))
    assert opts == {
        "--n": "30",
        "--d": "10",
        "--spectrum": "isotropic",
        "--steps": "2500",
        "--seed": "1",
        "--k-train": "3",
        "--threads": "1",
        "--out": "x.pt",
    }
    opts = gpt2.book_command("gpt2_chain_n30_k8to3", out="x.pt")
    assert opts[opts.index("--k-pretrain") + 1] == "8" and opts[opts.index("--pretrain-steps") + 1] == "1250"
    assert "--k-random" in gpt2.book_command("gpt2_chain_n30_krand25", out="x.pt")
    pos = gpt2.book_command("gpt2_pos_n30_k25", out="x.pt")
    assert pos[pos.index("--positions") + 1] == "128" and pos[pos.index("--k-train") + 1] == "25"
    assert gpt2.main(["commands", "gpt2_n20"]) == 0
    assert capsys.readouterr().out.split() == ["python", "-m", "ttsbook.gpt2"] + gpt2.book_command("gpt2_n20")
    small = gpt2.book_command("gpt2_small_n30_k25", out="x.pt")
    assert small[small.index("--layers") + 1 :][:5] == ["6", "--heads", "4", "--width", "128"]


def test_position_embedding_keeps_the_cache_exact_and_names_its_limit():
    """With learned absolute positions (n_positions > 0) appended tokens take the positions after
    the cached ones: the cached chain is the whole sequence re-run; positions change the output;
    a sequence longer than the table raises ValueError naming n_positions."""
    torch.manual_seed(0)
    model = gpt2.GPT2(gpt2.GPT2Config(**TINY, n_positions=16)).double().eval()
    tokens = torch.randn(3, 11, 10, dtype=torch.float64)
    with torch.no_grad():
        whole = model(tokens)
        _, past = model.extend(tokens[:, :7])
        rest, _ = model.extend(tokens[:, 7:], past)
        shifted, _ = model.extend(tokens[:, 1:], model.extend(tokens[:, :1])[1])
    torch.testing.assert_close(rest, whole[:, 7:], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(shifted, whole[:, 1:], rtol=1e-12, atol=1e-12)
    with torch.no_grad():  # the same tokens one position later read out differently
        later = model(torch.cat([tokens[:, :1], tokens], dim=1))[:, 1:]
    assert (later - whole).abs().max() > 1e-6
    X, y, _ = tasks.sample_prompts(np.eye(4), 6, 2, seed=0, dtype=torch.float64)
    with torch.no_grad():
        cached = cot.rollout(model, X, y, 9)
    # chain_by_hand builds its tokens in float32: agreement to float32 round-off (a wrong position: order one)
    torch.testing.assert_close(cached, chain_by_hand(model, X, y, 9), rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="n_positions = 16"):
        cot.rollout(model, X, y, 11)
    with pytest.raises(ValueError, match="n_positions"):
        gpt2.GPT2Config(**TINY, n_positions=-1)


def test_random_chain_lengths_draw_every_length_up_to_k_train(monkeypatch):
    seen = []
    real = gpt2.training._chain_loss

    def spy(model, X, y, w, K):
        seen.append(K)
        return real(model, X, y, w, K)

    monkeypatch.setattr(gpt2.training, "_chain_loss", spy)
    cfg = gpt2.GPT2Config(**TINY)
    common = dict(n=6, steps=40, batch=4, seed=1, progress=False, record_every=1)
    _, hist = gpt2.train(cfg, np.eye(cfg.d), k_train=4, k_random=True, **common)
    assert set(seen) == {1, 2, 3, 4} and hist.settings["k_random"] is True
    seen.clear()
    gpt2.train(cfg, np.eye(cfg.d), k_train=4, **common)
    assert set(seen) == {4}
    with pytest.raises(ValueError, match="k_train must be >= 1"):
        gpt2.train(cfg, np.eye(cfg.d), k_train=0, k_random=True, **common)
    with pytest.raises(TypeError, match="k_random must be a bool"):
        gpt2.train(cfg, np.eye(cfg.d), k_train=2, k_random=1, **common)


def test_entry_point_writes_positions_and_random_chain_lengths(tmp_path):
    out = tmp_path / "p.pt"
    argv = ["train", "--n", "6", "--d", "4", "--layers", "1", "--heads", "2", "--width", "16", "--steps", "3"]
    argv += ["--batch", "4", "--k-train", "3", "--k-random", "--positions", "16", "--threads", "1", "--no-progress"]
    assert gpt2.main(argv + ["--out", str(out)]) == 0
    model, meta = gpt2.load(out)
    assert model.cfg.n_positions == 16 and model.wpe.weight.shape == (16, 16)
    assert meta["settings"]["k_random"] is True and meta["settings"]["k_train"] == 3
