"""Bad attack arguments raise a ConfigError that names the value and what is allowed."""
import math

import pytest
import torch
from torch import nn

from robustsuite.attacks import attack, pgd
from robustsuite.errors import ConfigError

model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2)).eval()
x = torch.rand(3, 1, 2, 2)
y = torch.zeros(3, dtype=torch.long)


@pytest.mark.parametrize("kwargs, message", [
    ({"eps": -0.1}, "eps=-0.1"),
    ({"eps": math.nan}, "eps=nan"),
    ({"eps": math.inf}, "eps=inf"),
    ({"eps": 0.1, "norm": "l3"}, "norm='l3'"),
    ({"eps": 0.1, "steps": 0}, "steps=0"),
    ({"eps": 0.1, "loss": "hinge"}, "loss='hinge'"),
])
def test_bad_parameters(kwargs, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        pgd(model, x, y, **kwargs)


def test_inputs_outside_the_box():
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        pgd(model, x + 1, y, eps=0.1)


def test_shape_and_dtype_mismatch():
    with pytest.raises(ConfigError, match="batch size 3"):
        pgd(model, x, y[:2], eps=0.1)
    with pytest.raises(ConfigError, match="int64"):
        pgd(model, x, y.float(), eps=0.1)
    with pytest.raises(ConfigError, match="floating-point"):
        pgd(model, (x * 255).to(torch.uint8), y, eps=0.1)


def test_model_in_training_mode():
    with pytest.raises(ConfigError, match="training mode"):
        pgd(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)).train(), x, y, eps=0.1)


def test_unknown_attack_suggests_a_name():
    with pytest.raises(ConfigError, match="Did you mean 'pgd'"):
        attack("pgdd", eps=0.1)
