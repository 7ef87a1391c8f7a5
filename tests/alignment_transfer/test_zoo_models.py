"""Pretrained-model adapter, defended targets and the logit ensemble (no downloads: random weights)."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from robustsuite.errors import ConfigError
from robustsuite.models import create_model
from robustsuite.models.defended import InputDefence
from robustsuite.models.pretrained import Normalized
from robustsuite.studies.alignment import MNIST_MINI, LogitEnsemble

torch.set_num_threads(1)


def test_torchvision_adapter_normalises_inside_and_checks_the_tag():
    m = create_model("torchvision", input_shape=(3, 32, 32), num_classes=10, arch="resnet18", weights=None).eval()
    assert isinstance(m, Normalized) and m(torch.rand(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ConfigError, match="IMAGENET1K_V1"):
        create_model("torchvision", input_shape=(3, 224, 224), num_classes=1000, arch="resnet18", weights="V9")
    with pytest.raises(ConfigError, match="not a torchvision classifier"):
        create_model("torchvision", input_shape=(3, 224, 224), num_classes=1000, arch="resnet999", weights=None)


class Probe(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.seen = None

    def forward(self, x):
        self.seen = x
        return x.flatten(1)[:, :3]


def test_input_defences_transform_before_the_classifier():
    x = torch.rand(2, 3, 8, 8)
    p = Probe()
    InputDefence(p, "bit_reduction", bits=1)(x)
    assert set(p.seen.unique().tolist()) <= {0.0, 1.0}
    InputDefence(p, "jpeg", quality=10)(x)
    assert p.seen.shape == x.shape and not torch.equal(p.seen, x)
    out = InputDefence(p, "smoothing", sigma=0.1, samples=4)(x)
    assert torch.allclose(out.exp().sum(1), torch.ones(2), atol=1e-5)
    with pytest.raises(ConfigError, match="defence"):
        InputDefence(p, "magic")


def test_logit_ensemble_averages_logits():
    a, b = nn.Linear(4, 3), nn.Linear(4, 3)
    x = torch.randn(5, 4)
    assert torch.allclose(LogitEnsemble(a, b)(x), (a(x) + b(x)) / 2)


def test_mini_zoo_never_uses_a_target_as_a_witness():
    members = {(arch, rep) for _, arch, rep in (MNIST_MINI.source, MNIST_MINI.self_witness, *MNIST_MINI.witnesses)}
    assert not members & {(arch, rep) for _, arch, rep in MNIST_MINI.targets}
    seeds = {MNIST_MINI.scratch(m, 0).seed for m in (MNIST_MINI.source, *MNIST_MINI.witnesses, *MNIST_MINI.targets)}
    assert len(seeds) == 1 + len(MNIST_MINI.witnesses) + len(MNIST_MINI.targets)  # independent training runs
