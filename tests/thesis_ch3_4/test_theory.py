"""Unit tests of robustsuite.theory (chapter 3 and 4 linear models): config errors and invariants."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustsuite.errors import ConfigError
from robustsuite.theory import freq_linear as fl
from robustsuite.theory import overparam_linear as ol
from robustsuite.theory import second_order as so
from robustsuite.theory import signgd_3d as sg


@pytest.mark.parametrize("call", [
    lambda: fl.FreqLinearSetup((0.01, 0.0), (1.0, 0.0), (0.0, 0.0), lr=-0.01),
    lambda: fl.FreqLinearSetup((0.01, 0.0), (1.0, 0.0), (0.0, 0.0), lr=0.0),
    lambda: fl.FreqLinearSetup((0.01, -1.0), (1.0, 0.0), (0.0, 0.0), lr=0.1),
    lambda: fl.FreqLinearSetup((0.01, 0.0), (1.0,), (0.0, 0.0), lr=0.1),
    lambda: fl.train(fl.FIG_4_7, "sgdm", 10), lambda: fl.train(fl.FIG_4_7, "gd", -1),
    lambda: fl.gd_limit(fl.FreqLinearSetup((0.01, 0.0), (1.0, 0.0), (0.0, 0.0), lr=300.0)),
    lambda: sg.ab_dynamics(np.ones(2), np.ones(2), 1.0, 1.0, -1.0, 5),
    lambda: sg.check_3d(fl.FreqLinearSetup((0.01, 0.0), (1.0, 0.0), (0.0, 0.0), lr=0.1)),
    lambda: ol.gd(np.zeros(3), 1.0, mu1=1.0, lr=-0.1, steps=5), lambda: ol.gd(np.zeros(3), 1.0, mu1=1.0, lr=3.0, steps=5),
    lambda: so.foar_max(np.ones(3), 0.1, 3), lambda: so.logistic_terms(1.0, 0.0),
])
def test_bad_configs_raise_config_errors(call):
    with pytest.raises(ConfigError):
        call()


def test_negative_step_size_error_is_clear():
    with pytest.raises(ConfigError, match=r"lr=-0\.01 .*> 0"):
        fl.FreqLinearSetup((0.01, 0.0025, 0.0), (5.0, 10.0, 0.0), (0.0, 0.0, 0.0), lr=-0.01)


@settings(max_examples=30, deadline=None)
@given(w=st.lists(st.floats(-5, 5), min_size=3, max_size=3))
def test_adversarial_risk_at_least_standard_and_norm_terms(w):
    wt = np.array(w)
    ra = float(fl.adversarial_risk(fl.FIG_4_7, wt))
    assert ra >= float(fl.standard_risk(fl.FIG_4_7, wt)) - 1e-12
    assert ra >= fl.FIG_4_7.eps ** 2 / 2 * wt @ wt - 1e-12


@settings(max_examples=30, deadline=None)
@given(e=st.lists(st.floats(-20, 20), min_size=3, max_size=3))
def test_signgd_never_increases_relevant_errors(e):
    et = np.array(e)
    nxt = sg.closed_form_step(fl.FIG_4_7, et[None])[0]
    step = math.sqrt(3) * fl.FIG_4_7.lr  # the largest move of one coordinate
    for i in (0, 1):
        assert abs(nxt[i]) <= abs(et[i]) + 1e-12 or abs(et[i]) < step


def test_gd_limit_keeps_irrelevant_init():
    np.testing.assert_array_equal(fl.gd_limit(fl.FIG_4_7), [5.0, 10.0, 0.02])


def test_frobenius_bounds_expected_norm():
    h = so.augmented_hessian(np.array([0.5, -1.0]), np.array([[2.0, 0.3], [0.3, -1.0]]))
    assert so.expected_norm_hz(h, 20_000) <= np.linalg.norm(h, "fro")
