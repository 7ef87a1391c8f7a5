"""Learned-manifold studies of the manifold family: class-conditional VAE(-GAN)s on real data
(EMNIST digits, Fashion-MNIST, CelebA; MNIST or FONTS at small scale), the on-manifold attack in
their latent space, on-manifold / transformation / class-agnostic training, and an oracle of the
true label on FONTS (the nearest class manifold, by projection); the learned-manifold cases'
negative controls, one evaluation for a FONTS or a learned study, and the studies compared in
one case (an Ordering).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from robustsuite.attacks import pgd
from robustsuite.attacks.manifold import success_rate, transformation_attack, vae_attack, vae_start
from robustsuite.claims import Control
from robustsuite.data import DataSpec
from robustsuite.metrics import accuracy
from robustsuite.studies.manifold import FontsStudy, evaluate, n_seeds, with_placebo
from robustsuite.train import TrainConfig, kw

# The paper's transformation ranges for EMNIST / F-MNIST / CelebA (code): translation 0.15, shear 0.2,
# scale [0.85, 1.15], rotation pi/10.
REAL_RANGES = ((-0.15, 0.15), (-0.15, 0.15), (-0.2, 0.2), (-0.2, 0.2), (0.85, 1.15), (-0.3141592653589793,
                                                                                        0.3141592653589793))


@dataclass(frozen=True)
class LearnedStudy:
    """A dataset whose class manifolds are approximated by a class-conditional VAE(-GAN)."""

    id: str
    dataset: str
    model: str = "stutz_cnn"
    model_kwargs: tuple = ()
    vae_model: str = "cvae_gan"
    vae_kwargs: tuple = ()
    vae_objective: str = "vae_gan"
    lam: float = 3.0  # the reconstruction weight lambda of Eqs. 7-8
    vae_epochs: int = 30
    vae_lr: float = 0.005
    ns: tuple[int, ...] = (250, 500, 1000, 2500, 5000, 10000, 20000, 40000)
    at_ns: tuple[int, ...] = (250, 500, 1000, 2500, 5000, 10000, 20000, 40000)
    epochs: int = 20
    lr: float = 0.01
    batch_size: int = 100
    eps: float = 0.3
    eta: float = 0.3
    eta_agnostic: float = 0.1
    box: float = 2.0
    train_steps: int = 40
    attack_steps: int = 40
    ranges: tuple = REAL_RANGES
    n_test: int | None = None
    n_attack: int = 1000
    n_oracle: int = 200  # test points the FONTS oracle labels (C002-33): 10 classes x every font, projected
    n_vae: int | None = None  # training images of the VAE (None = all)
    placebo: tuple[tuple[str, str], ...] = ()  # a negative control: (scheme, the scheme that trains in its slot)

    @property
    def datasets(self) -> tuple[str, ...]:  # pytest markers
        return ({"emnist_digits": "emnist", "celeba_gender": "celeba", "fonts_mini": "fonts"}.get(self.dataset,
                                                                                                 self.dataset),)

    def vae_config(self, agnostic: bool = False) -> TrainConfig:
        vkw = dict(self.vae_kwargs, agnostic=agnostic) if agnostic else dict(self.vae_kwargs)
        return TrainConfig(DataSpec(self.dataset, n_train=self.n_vae), self.vae_model, kw(**vkw), optimizer="adam",
                           lr=self.vae_lr, weight_decay=1e-4, epochs=self.vae_epochs, batch_size=self.batch_size,
                           schedule="cosine", objective=self.vae_objective, objective_kwargs=kw(lam=self.lam), seed=0,
                           label=f"{self.id}-vae{'-agnostic' if agnostic else ''}")

    def config(self, scheme: str, n: int, seed: int) -> TrainConfig:
        label = f"{self.id}-{scheme}-n{n}-s{seed}"
        scheme = dict(self.placebo).get(scheme, scheme)
        st = self.train_steps
        vae, agn = self.vae_config(), self.vae_config(agnostic=True)
        objective, okw = {
            "normal": ("standard", kw()),
            "onman": ("vae_onmanifold_at", kw(vae=vae, eta=self.eta, steps=st, box=self.box)),
            "random": ("vae_onmanifold_at", kw(vae=vae, eta=self.eta, steps=st, box=self.box, mode="random")),
            "agnostic": ("vae_onmanifold_at", kw(vae=agn, eta=self.eta_agnostic, steps=st, box=self.box)),
            "transform": ("transform_at", kw(ranges=self.ranges, eta=self.eta, steps=st)),
            "transform_random": ("transform_at", kw(ranges=self.ranges, eta=self.eta, steps=st, mode="random")),
            "regular": ("regular_at", kw(eps=self.eps, steps=st)),
        }[scheme]
        return TrainConfig(DataSpec(self.dataset, n_train=n, n_test=self.n_test), self.model, self.model_kwargs,
                           optimizer="adam", lr=self.lr, weight_decay=1e-4, epochs=self.epochs,
                           batch_size=self.batch_size, schedule="cosine", objective=objective, objective_kwargs=okw,
                           seed=seed, label=label)


def evaluate_learned(rs, study: LearnedStudy, scheme: str, n: int, seed: int) -> dict:
    """Test error, regular, learned on-manifold and class-agnostic on-manifold success rates, and the
    success of the learned on-manifold attack's start (the reconstruction) before it searches."""

    def compute() -> dict:
        model = rs.model(study.config(scheme, n, seed))
        test = rs.data(DataSpec(study.dataset, n_test=study.n_test), train=False)
        x, y = test.x[:study.n_attack], test.y[:study.n_attack]
        vae = rs.model(study.vae_config())
        agn = rs.model(study.vae_config(agnostic=True))
        g = torch.Generator().manual_seed(seed)
        out = {"err": 1 - accuracy(model, test.x, test.y) / 100,
               "reg": success_rate(model, x, y, pgd(model, x, y, eps=study.eps, steps=study.attack_steps, generator=g)),
               "on": success_rate(model, x, y, vae_attack(model, vae, x, y, eta=study.eta, steps=study.attack_steps,
                                                          box=study.box).x),
               "on_agnostic": success_rate(model, x, y, vae_attack(model, agn, x, y, eta=study.eta_agnostic,
                                                                   steps=study.attack_steps, box=study.box).x),
               "transform": success_rate(model, x, y, transformation_attack(model, x, y, eta=study.eta,
                                                                           steps=study.attack_steps,
                                                                           ranges=study.ranges).x)}
        with torch.no_grad():  # the attack's start, the reconstruction: misclassified without any search
            out["on_start"] = success_rate(model, x, y, vae.decode(vae_start(vae, x, y, study.box), y))
        return out

    return rs.memo(("manifold-learned-eval", study, scheme, n, seed), compute)


def reconstruction_gap(rs, study: LearnedStudy, seed: int) -> float:
    """C002-42's proxy: mean L1 distance of a test image to a random same-class training image minus
    its mean L1 reconstruction error (> 0: the VAE reconstructs better than a same-class neighbour)."""
    vae = rs.model(study.vae_config())
    test = rs.data(DataSpec(study.dataset, n_test=study.n_test), train=False)
    train = rs.data(DataSpec(study.dataset, n_train=study.n_vae), train=True)
    x, y = test.x[:study.n_attack], test.y[:study.n_attack]
    with torch.no_grad():
        rec = vae(x, y)
    g = torch.Generator().manual_seed(seed)
    other = torch.empty_like(x)
    for c in y.unique():
        pool = train.x[train.y == c]
        idx = (y == c).nonzero().squeeze(1)
        other[idx] = pool[torch.randint(len(pool), (len(idx),), generator=g).to(pool.device)]
    l1 = lambda a, b: float((a - b).abs().flatten(1).sum(1).mean())  # noqa: E731
    return l1(x, other) - l1(x, rec)


def fonts_oracle_label(manifold, x: torch.Tensor, *, starts: int = 4, iters: int = 60, seed: int = 0) -> torch.Tensor:
    """The true label of images near FONTS: the class whose manifold (any font, any theta) is nearest."""
    from robustsuite.attacks.manifold import project_fonts

    n_f, n_c = manifold.protos.shape[:2]
    best = torch.full((len(x), n_c), float("inf"), device=x.device)
    for c in range(n_c):
        for f in range(n_f):
            yc = torch.full((len(x),), c, dtype=torch.long, device=x.device)
            fc = torch.full((len(x),), f, dtype=torch.long, device=x.device)
            d = project_fonts(manifold, x, yc, fc, starts=starts, iters=iters, seed=seed).distance
            best[:, c] = torch.minimum(best[:, c], d)
    return best.argmin(1)


# Mini tier: MNIST (the 8,000-image subset under --data-root) with a small MLP class-conditional VAE
# (no GAN) as the learned manifold; normal training over N, transformation training at N = 250.
MNIST_MINI = LearnedStudy("mnist-mini-cvae", "mnist", model="mlp", model_kwargs=kw(hidden=(128, 128)), vae_model="cvae",
                          vae_kwargs=kw(latent=10, hidden=256), vae_objective="vae", lam=2.5, vae_epochs=10,
                          vae_lr=0.002, ns=(250, 1000, 4000), at_ns=(250,), epochs=15, train_steps=4,
                          attack_steps=20, n_test=1000, n_attack=200)

# Paper tier: the paper's datasets, budgets and lambdas (S5); N grids as in the released README.
EMNIST_PAPER = LearnedStudy("emnist-cnn", "emnist_digits", lam=2.5, vae_epochs=30)
FMNIST_PAPER = LearnedStudy("fmnist-cnn", "fashion_mnist", lam=2.75, vae_epochs=60,
                            ns=(250, 500, 1000, 2500, 5000, 10000, 20000, 40000),
                            at_ns=(250, 500, 1000, 2500, 5000, 10000, 20000, 40000))
CELEBA_PAPER = LearnedStudy("celeba-cnn", "celeba_gender", model_kwargs=kw(channels=(16, 32, 64, 128)), lam=3.0,
                            vae_kwargs=kw(channels=(64, 128, 256, 256), latent=25), vae_epochs=30,
                            ns=(250, 500, 1000, 2500, 5000, 10000, 20000, 40000, 80000, 160000),
                            at_ns=(250, 500, 1000, 2500, 5000, 10000, 20000, 40000))
FONTS_LEARNED_PAPER = LearnedStudy("fonts-vaegan", "fonts", lam=3.0, vae_epochs=10,
                                   ranges=((-0.2, 0.2), (-0.2, 0.2), (-0.5, 0.5), (-0.5, 0.5), (0.75, 1.15),
                                           (-1.5707963267948966, 1.5707963267948966)),
                                   ns=(250, 500, 1000, 2500, 5000, 10000, 20000),
                                   at_ns=(250, 500, 1000, 2500, 5000, 10000, 20000))
FMNIST_RESNET = LearnedStudy("fmnist-resnet13", "fashion_mnist", model="stutz_resnet13", lam=2.75, vae_epochs=60)
FMNIST_VGG = LearnedStudy("fmnist-vgg", "fashion_mnist", model="stutz_vgg", lam=2.75, vae_epochs=60)


# negative controls (mini)
ZERO_ETA = Control("zero-eta", "the on-manifold budget eta is 1e-6 (no room to move along the learned manifold)",
                   dataclasses.replace(MNIST_MINI, id=f"{MNIST_MINI.id}-eta0", eta=1e-6))
UNTRAINED_VAE = Control("untrained-vae", "the learned manifold is a randomly initialised (untrained) VAE",
                        dataclasses.replace(MNIST_MINI, id=f"{MNIST_MINI.id}-untrained-vae", vae_epochs=0))
TRANSFORM_AS_RANDOM = Control("transform-as-random", "adversarial transformation training's slot is random "
                                                     "transformation augmentation of the same ranges",
                              with_placebo(MNIST_MINI, "transform_random", "transform"))


def evaluate_any(rs, study, scheme, n, seed):
    return (evaluate if isinstance(study, FontsStudy) else evaluate_learned)(rs, study, scheme, n, seed)


def series(rs, study, scheme, key, ns, seeds=None) -> list[list[float]]:
    """[[value at each N] per seed] (the case's seeds unless given)."""
    return [[evaluate_any(rs, study, scheme, n, s)[key] for n in ns] for s in (seeds or n_seeds(rs))]


@dataclass(frozen=True)
class Ordering:
    """Several studies compared with each other (one case)."""

    id: str
    studies: tuple

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(s.datasets[0] for s in self.studies)


BENEFIT = Ordering("fonts>emnist>fmnist", (FONTS_LEARNED_PAPER, EMNIST_PAPER, FMNIST_PAPER))
