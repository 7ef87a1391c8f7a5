"""Closed forms of the manifold family's toy arguments against Monte Carlo."""
from __future__ import annotations

import pytest
import torch

from robustsuite.errors import ConfigError
from robustsuite.theory.manifold_toys import (point_mass_posterior, tangent_gradient_ratio, tsipras_bayes_accuracy,
                                              tsipras_flip_fraction, tsipras_flip_fraction_mc, tsipras_sample,
                                              tsipras_log_odds)


def test_point_masses():
    assert point_mass_posterior(0.5, 0.5) == {1: 0.0, -1: 1.0}
    assert point_mass_posterior(0.0, 0.5) == {1: 1.0, -1: 0.0}
    with pytest.raises(ConfigError):
        point_mass_posterior(0.2, 0.5)


@pytest.mark.parametrize("p,eta,dim", [(0.9, 3.0, 2), (0.7, 1.0, 2), (0.8, 0.5, 4)])
def test_tsipras_closed_forms_match_monte_carlo(p, eta, dim):
    assert abs(tsipras_flip_fraction(p, eta, dim) - tsipras_flip_fraction_mc(200_000, p, eta, dim)) < 0.005
    x, y = tsipras_sample(200_000, p, eta, dim)
    acc = float((torch.sign(tsipras_log_odds(x, p, eta)) == y).double().mean())
    assert abs(acc - tsipras_bayes_accuracy(p, eta, dim)) < 0.005


def test_tangent_gradient_is_zero_for_a_loss_constant_on_the_manifold():
    assert tangent_gradient_ratio(dim=10, seed=1) < 1e-10
