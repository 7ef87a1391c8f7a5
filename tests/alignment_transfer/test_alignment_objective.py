"""The alignment objective (thesis Eq. 6.1) and its training recipe (C003-6.01's spec)."""
from __future__ import annotations

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from robustsuite.data import DataSpec
from robustsuite.errors import ConfigError
from robustsuite.metrics.similarity import kl_divergence, mean_kl
from robustsuite.train import OBJECTIVES, TrainConfig, kw, train_model
from robustsuite.train.alignment import EMBEDDING_LOSSES, distill_kl, forward_with_embedding, shift_noise

torch.set_num_threads(1)


def mlp(seed: int, hidden: int = 16) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, hidden), nn.ReLU(), nn.Linear(hidden, 4))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-5, 5), t=st.sampled_from([1.0, 4.0]))
def test_kl_is_nonnegative_and_zero_only_for_shifted_logits(seed, shift, t):
    g = torch.Generator().manual_seed(seed)
    zw = 3 * torch.randn(8, 5, generator=g)
    zs = 3 * torch.randn(8, 5, generator=g)
    assert (kl_divergence(zw, zs, t) >= -1e-6).all()
    assert distill_kl(zs, zw, t) >= -1e-6
    assert kl_divergence(zw, zw + shift, t).abs().max() < 1e-5
    assert distill_kl(zw + shift, zw, t).abs() < 1e-5


def test_t_squared_scaling_keeps_gradients_comparable_across_temperatures():
    g = torch.Generator().manual_seed(0)
    zw = torch.randn(64, 10, generator=g)
    norms = {}
    for t in (1.0, 4.0):
        zs = torch.randn(64, 10, generator=torch.Generator().manual_seed(1)).requires_grad_(True)
        (grad,) = torch.autograd.grad(distill_kl(zs, zw, t), zs)
        norms[t] = grad.norm().item()
    assert 0.5 <= norms[4.0] / norms[1.0] <= 2.0


def test_multi_witness_loss_is_the_mean_over_witnesses():
    x, y = torch.rand(10, 1, 4, 4), torch.randint(0, 4, (10,))
    src, w1, w2 = mlp(0), mlp(1), mlp(2)
    single = [OBJECTIVES.get("alignment")(witness=w)(src, x, y) for w in (w1, w2)]
    both = OBJECTIVES.get("alignment")(witness=w1, witness_2=w2)(src, x, y)
    assert both.item() == pytest.approx((single[0].item() + single[1].item()) / 2, rel=1e-6)
    with_ce = OBJECTIVES.get("alignment")(witness=w1, ce_weight=0.5)(src, x, y)
    ce = torch.nn.functional.cross_entropy(src(x), y)
    assert with_ce.item() == pytest.approx(single[0].item() + 0.5 * ce.item(), rel=1e-6)


def test_bad_arguments_name_what_is_allowed():
    with pytest.raises(ConfigError, match="at least one witness"):
        OBJECTIVES.get("alignment")()
    with pytest.raises(ConfigError, match="unknown alignment arguments"):
        OBJECTIVES.get("alignment")(witness=mlp(0), teacher=mlp(1))
    with pytest.raises(ConfigError, match="method"):
        OBJECTIVES.get("alignment")(witness=mlp(0), space="embedding", method="kl")
    with pytest.raises(ConfigError, match="equal embedding widths"):
        OBJECTIVES.get("alignment")(witness=mlp(1, hidden=8), space="embedding", method="hint")(
            mlp(0), torch.rand(4, 1, 4, 4), torch.zeros(4, dtype=torch.long))


def test_embedding_is_the_input_of_the_last_linear_and_relational_losses_are_scale_free():
    m = mlp(0)
    x = torch.rand(6, 1, 4, 4)
    logits, emb = forward_with_embedding(m, x)
    assert torch.equal(logits, m(x)) and torch.allclose(emb, m[2](m[1](m[0](x))))
    e = torch.randn(6, 8)
    assert EMBEDDING_LOSSES["rkd"](3 * e, e).item() == pytest.approx(0.0, abs=1e-6)
    assert EMBEDDING_LOSSES["ega"](e * torch.rand(6, 1).add(0.5), e).item() == pytest.approx(0.0, abs=1e-6)
    assert EMBEDDING_LOSSES["hint"](e, e + 1).item() == pytest.approx(1.0)


def test_shift_noise_keeps_the_box_and_the_shape():
    x = torch.rand(5, 1, 6, 6)
    out = shift_noise(x, 1, 0.3)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1 and not torch.equal(out, x)
    assert torch.equal(shift_noise(x, 0, 0.0), x)


def test_alignment_changes_only_the_source_and_lowers_the_held_out_loss():
    """C003-6.01 (i)-(ii): one epoch of alignment on digits; the witness is bit-identical afterwards."""
    data = DataSpec("digits16", n_train=600)
    train = data.load(None, train=True)
    held = DataSpec("digits16", n_test=300).load(None, train=False)
    src_cfg = TrainConfig(data, "mlp", kw(hidden=(32,)), epochs=3, batch_size=32, seed=0)
    wit_cfg = src_cfg.replace(seed=1, model_kwargs=kw(hidden=(64,)))
    zoo: dict = {}

    def load(cfg):
        if cfg not in zoo:
            zoo[cfg] = train_model(cfg, train, load=load)[0]
        return zoo[cfg]

    witness = load(wit_cfg)
    before = copy.deepcopy(witness.state_dict())
    align = TrainConfig(data, "mlp", lr=0.05, momentum=0.9, epochs=1, batch_size=32, seed=2, init=src_cfg,
                        objective="alignment", objective_kwargs=kw(witness=wit_cfg, temperature=4.0))
    aligned, _ = train_model(align, train, load=load)
    assert all(torch.equal(before[k], v) for k, v in load(wit_cfg).state_dict().items())
    assert mean_kl(aligned, witness, held.x, 4.0) < mean_kl(load(src_cfg), witness, held.x, 4.0)
