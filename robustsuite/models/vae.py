"""Class-conditional VAE and VAE-GAN: learned class-specific manifolds (Stutz et al., App. B.2).

The paper trains one VAE-GAN per class; here one network is conditioned on the class (a one-hot
code enters the encoder's and decoder's fully connected layers), so decode(z, y) stays on class
y's manifold and an on-manifold attack with a fixed y keeps the label (Def. 1). `arch="conv"` is
the paper's shape: 3 (4 for CelebA) 4x4 stride-2 (de)conv layers, 64/128/256 channels, ReLU + BN,
two FC layers for mean and log-variance; `arch="mlp"` is a small version for the mini tier.
The discriminator of the VAE-GAN follows the encoder's shape with one logit.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.errors import ConfigError, choice
from robustsuite.models.registry import register_model


def _conv_trunk(c: int, channels: tuple[int, ...]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for cout in channels:
        layers += [nn.Conv2d(c, cout, 4, stride=2, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
        c = cout
    return nn.Sequential(*layers, nn.Flatten())


class _Encoder(nn.Module):
    def __init__(self, input_shape, num_classes: int, latent: int, arch: str, channels, hidden: int, out: int):
        super().__init__()
        c, h, w = input_shape
        if arch == "conv":
            self.trunk = _conv_trunk(c, channels)
            with torch.no_grad():
                feat = self.trunk(torch.zeros(1, c, h, w)).shape[1]
        else:
            self.trunk = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, hidden), nn.ReLU())
            feat = hidden
        self.head = nn.Sequential(nn.Linear(feat + num_classes, hidden), nn.ReLU(), nn.Linear(hidden, out))
        self.num_classes = num_classes

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.head(torch.cat([self.trunk(x), F.one_hot(y, self.num_classes).to(x)], 1))


class _Decoder(nn.Module):
    def __init__(self, input_shape, num_classes: int, latent: int, arch: str, channels, hidden: int):
        super().__init__()
        c, h, w = input_shape
        self.shape, self.arch, self.num_classes = (c, h, w), arch, num_classes
        if arch == "conv":
            k = 2 ** len(channels)
            self.start = (channels[-1], math.ceil(h / k), math.ceil(w / k))
            self.fc = nn.Sequential(nn.Linear(latent + num_classes, hidden), nn.ReLU(),
                                    nn.Linear(hidden, math.prod(self.start)), nn.ReLU())
            layers: list[nn.Module] = []
            chans = list(reversed(channels))
            for i, (cin, cout) in enumerate(zip(chans, chans[1:] + [c])):
                layers += [nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1)]
                if i < len(chans) - 1:
                    layers += [nn.BatchNorm2d(cout), nn.ReLU()]
            self.net = nn.Sequential(*layers)
        else:
            self.fc = nn.Sequential(nn.Linear(latent + num_classes, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                    nn.ReLU(), nn.Linear(hidden, c * h * w))

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.fc(torch.cat([z, F.one_hot(y, self.num_classes).to(z)], 1))
        c, hh, ww = self.shape
        if self.arch == "conv":
            h = self.net(h.view(-1, *self.start))
            top, left = (h.shape[2] - hh) // 2, (h.shape[3] - ww) // 2
            h = h[:, :, top:top + hh, left:left + ww]
        return torch.sigmoid(h.reshape(-1, c, hh, ww))  # dec(.) in [0, 1]


class CVAE(nn.Module):
    """q(z | x, y) = N(mu, diag sigma^2), p(z) = N(0, I), decode(z, y) in [0, 1]."""

    def __init__(self, input_shape, num_classes: int, latent: int = 10, arch: str = "mlp",
                 channels: tuple[int, ...] = (64, 128, 256), hidden: int = 256, gan: bool = False,
                 agnostic: bool = False):
        super().__init__()
        self.agnostic = agnostic  # class-agnostic: one manifold of p(x), the label is ignored (App. G)
        choice("arch", arch, ("mlp", "conv"))
        if latent < 1:
            raise ConfigError(f"latent={latent} must be >= 1.")
        self.latent, self.num_classes = latent, num_classes
        self.encoder = _Encoder(input_shape, num_classes, latent, arch, channels, hidden, 2 * latent)
        self.decoder = _Decoder(input_shape, num_classes, latent, arch, channels, hidden)
        self.discriminator = _Encoder(input_shape, num_classes, 1, arch, channels, hidden, 1) if gan else None

    def _y(self, y: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(y) if self.agnostic else y

    def encode(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y = self._y(y)
        mu, logvar = self.encoder(x, y).chunk(2, dim=1)
        return mu, logvar.clamp(-10, 10)

    def decode(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.decoder(z, self._y(y))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The mean reconstruction decode(mu(x, y), y)."""
        return self.decode(self.encode(x, y)[0], y)

    def sample(self, y: torch.Tensor, generator: torch.Generator | None = None, box: float = 2.0) -> torch.Tensor:
        z = torch.randn(len(y), self.latent, generator=generator).to(y.device).clamp(-box, box)
        return self.decode(z, y)


@register_model()
def cvae(*, input_shape, num_classes, latent: int = 10, arch: str = "mlp", channels: tuple[int, ...] = (64, 128, 256),
         hidden: int = 256, agnostic: bool = False) -> nn.Module:
    """Class-conditional VAE (train with objective `vae`); `agnostic=True` ignores the class."""
    return CVAE(input_shape, num_classes, latent, arch, tuple(channels), hidden, agnostic=agnostic)


@register_model()
def cvae_gan(*, input_shape, num_classes, latent: int = 10, arch: str = "conv",
             channels: tuple[int, ...] = (64, 128, 256), hidden: int = 256, agnostic: bool = False) -> nn.Module:
    """Class-conditional VAE-GAN (train with objective `vae_gan`, Eqs. 7-9); `agnostic=True` ignores the class."""
    return CVAE(input_shape, num_classes, latent, arch, tuple(channels), hidden, gan=True, agnostic=agnostic)
