"""Every registered model builds and maps its input shape to class scores; bounds are right."""
import pytest
import torch
from torch import nn

from robustsuite.errors import ConfigError
from robustsuite.metrics import conv_spectral_norm, lipschitz_upper_bound
from robustsuite.models import create_model, list_models

SHAPES = {"mlp": (1, 28, 28), "small_cnn": (1, 28, 28), "lenet5": (1, 28, 28), "thesis_cnn": (1, 28, 28),
          "kw_convnet": (1, 28, 28), "madry_lenet": (1, 28, 28), "stutz_cnn": (1, 28, 28), "stutz_mlp": (1, 28, 28),
          "stutz_resnet13": (1, 28, 28), "stutz_vgg": (1, 28, 28), "m5": (1, 8000)}  # others: (3, 32, 32)
NOT_CLASSIFIERS = {"cvae", "cvae_gan"}  # class-conditional decoders, tested in tests/manifold
NEED_WEIGHTS = {"torchvision", "vit_b16_frozen"}  # pretrained downloads, tested by their families


@pytest.mark.parametrize("name", sorted(set(list_models()) - NOT_CLASSIFIERS - NEED_WEIGHTS))
def test_builds_and_runs(name):
    shape = SHAPES.get(name, (3, 32, 32))
    kwargs = {"widen": 1} if name == "wrn28" else {}
    model = create_model(name, input_shape=shape, num_classes=7, **kwargs).eval()
    assert model(torch.rand(2, *shape)).shape == (2, 7)


def test_unknown_model_suggests_a_name():
    with pytest.raises(ConfigError, match="Did you mean 'resnet18'"):
        create_model("resnet-18", input_shape=(3, 32, 32), num_classes=10)


@pytest.mark.parametrize("stride, padding", [(1, 1), (2, 1), (1, 0)])
def test_conv_spectral_norm_matches_the_operator_matrix(stride, padding):
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, stride=stride, padding=padding, bias=False)
    shape = (2, 6, 6)
    basis = torch.eye(72).view(72, *shape)
    matrix = conv(basis).detach().flatten(1).T  # columns: images of the basis vectors
    exact = torch.linalg.matrix_norm(matrix, ord=2).item()
    assert conv_spectral_norm(conv, shape, iters=500) == pytest.approx(exact, rel=1e-3)


def test_lipschitz_bound_bounds_the_real_slope():
    torch.manual_seed(0)
    model = create_model("small_cnn", input_shape=(1, 12, 12), num_classes=4, channels=(4, 8), hidden=16).eval()
    bound = lipschitz_upper_bound(model, (1, 12, 12))
    x, d = torch.rand(64, 1, 12, 12), 1e-3 * torch.randn(64, 1, 12, 12)
    slope = ((model(x + d) - model(x)).norm(dim=1) / d.flatten(1).norm(dim=1)).max().item()
    assert slope <= bound


@pytest.mark.parametrize("name, kwargs", [("resnet10", {}), ("preact_resnet18", {"batch_norm": False}),
                                          ("wrn28", {"widen": 1}), ("resnet50", {})])
def test_residual_bounds_bound_the_real_slope(name, kwargs):
    torch.manual_seed(0)
    model = create_model(name, input_shape=(3, 8, 8), num_classes=3, **kwargs).eval()
    bound = lipschitz_upper_bound(model, (3, 8, 8), iters=30)
    x, d = torch.rand(16, 3, 8, 8), 1e-3 * torch.randn(16, 3, 8, 8)
    slope = ((model(x + d) - model(x)).norm(dim=1) / d.flatten(1).norm(dim=1)).max().item()
    assert 0 < slope <= bound < float("inf")
