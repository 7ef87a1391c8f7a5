"""The paper's classifiers and the class-conditional VAE / VAE-GAN: shapes, ranges, conditioning."""
from __future__ import annotations

import pytest
import torch

from robustsuite.errors import ConfigError
from robustsuite.models import create_model


@pytest.mark.parametrize("name", ["stutz_cnn", "stutz_mlp", "stutz_resnet13", "stutz_vgg"])
def test_classifiers_give_logits(name):
    m = create_model(name, input_shape=(1, 28, 28), num_classes=10).eval()
    assert m(torch.rand(3, 1, 28, 28)).shape == (3, 10)


@pytest.mark.parametrize("arch,shape,channels", [("mlp", (1, 16, 16), (64, 128, 256)),
                                                 ("conv", (1, 28, 28), (64, 128, 256)),
                                                 ("conv", (3, 56, 48), (8, 8, 8, 8))])
def test_vae_decodes_into_unit_box_and_depends_on_class(arch, shape, channels):
    torch.manual_seed(0)
    v = create_model("cvae_gan", input_shape=shape, num_classes=10, arch=arch, channels=channels, hidden=32).eval()
    z = torch.randn(4, 10)
    a, b = v.decode(z, torch.zeros(4, dtype=torch.long)), v.decode(z, torch.ones(4, dtype=torch.long))
    assert a.shape == (4, *shape) and a.min() >= 0 and a.max() <= 1
    assert not torch.allclose(a, b)  # class-conditional
    assert v.discriminator(a, torch.zeros(4, dtype=torch.long)).shape == (4, 1)


def test_class_agnostic_vae_ignores_the_label():
    v = create_model("cvae", input_shape=(1, 16, 16), num_classes=10, agnostic=True, hidden=32).eval()
    z = torch.randn(4, 10)
    assert torch.equal(v.decode(z, torch.zeros(4, dtype=torch.long)), v.decode(z, torch.full((4,), 7)))


def test_vae_validates_arch():
    with pytest.raises(ConfigError, match="arch"):
        create_model("cvae", input_shape=(1, 16, 16), num_classes=10, arch="rnn")


def test_paper_datasets_are_registered_and_skip_cleanly(tmp_path):
    from robustsuite.data import load_dataset
    from robustsuite.errors import DataNotFoundError

    for name in ("emnist_digits", "celeba_gender"):
        with pytest.raises(DataNotFoundError):
            load_dataset(name, root=tmp_path)
