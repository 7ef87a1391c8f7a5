"""TRADES: beta = 0 is standard training; the inner maximisation raises the KL; both KL orders."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import ConfigError
from robustsuite.train.objectives import OBJECTIVES
from robustsuite.train.trades import trades_inner, trades_kl


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 5))


def test_beta_zero_is_cross_entropy():
    m, x, y = _model(), torch.rand(8, 1, 4, 4), torch.randint(0, 5, (8,))
    loss = OBJECTIVES.get("trades")(beta=0.0, eps=0.1, steps=3)(m, x, y)
    assert float(loss.detach()) == pytest.approx(float(F.cross_entropy(m(x), y).detach()), abs=1e-6)


@pytest.mark.parametrize("order", ["zhang", "thesis"])
def test_inner_maximisation_raises_kl(order):
    m, x = _model().eval(), torch.rand(64, 1, 4, 4)
    torch.manual_seed(1)
    adv = trades_inner(m, x, eps=0.3, steps=10, order=order)
    with torch.no_grad():
        clean = m(x)
        assert float(trades_kl(clean, m(adv), order)) > 10 * float(trades_kl(clean, m((x + 0.001).clamp(0, 1)), order))
    assert float((adv - x).abs().max()) <= 0.3 + 1e-6


def test_kl_orders_differ_and_are_nonnegative():
    a, b = torch.randn(16, 5), torch.randn(16, 5)
    z, t = trades_kl(a, b, "zhang"), trades_kl(a, b, "thesis")
    assert float(z) >= 0 and float(t) >= 0 and abs(float(z) - float(t)) > 1e-4
    assert float(trades_kl(a, a)) == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ConfigError, match="kl"):
        trades_kl(a, b, "reverse")
