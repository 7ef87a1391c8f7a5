"""Thesis §4.2-4.3: spectra, irrelevant frequencies, band-limited noise, and Claim 4.3.1 in weight space."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from robustsuite.claims import AllSeeds, Control, OneSidedT, Sequential
from robustsuite.data import DataSpec
from robustsuite.data import frequency as fq
from robustsuite.metrics import accuracy
from robustsuite.train import TrainConfig, kw


@dataclass(frozen=True)
class FrequencyStudy:
    """Models trained on a frequency-filtered training set, evaluated on `test` (original by default)."""

    id: str
    dataset: str
    base: TrainConfig  # data, optimizer, lr and seed are replaced per run
    lrs: tuple[tuple[str, float], ...]
    p: float = 70.0  # the share of DCT coefficients removed
    band_sigma: float = 2.0  # std of the band-limited noise (C003-4.13)
    noise_draws: int = 10  # K: i.i.d. noise draws shared by all inputs (Eq. 4.5)
    n_test: int | None = None
    sgd_slot: str = "sgd"  # the optimizer that trains the SGD slot; a negative control puts Adam there

    def data(self, transform: str = "identity", p: float | None = None) -> DataSpec:
        params = () if transform == "identity" else (("p", float(self.p if p is None else p)),)
        return DataSpec(self.base.data.name, transform, params, n_test=self.n_test)

    def config(self, optimizer: str, seed: int, transform: str = "identity") -> TrainConfig:
        label = f"{self.id}-{transform}-{optimizer}-s{seed}"
        optimizer = self.sgd_slot if optimizer == "sgd" else optimizer
        return self.base.replace(data=self.data(transform), optimizer=optimizer, lr=dict(self.lrs)[optimizer],
                                 seed=seed, label=label)

    @property
    def removed_bands(self) -> list[int]:
        return list(range(fq.N_BANDS - int(round(self.p / 100 * fq.N_BANDS)), fq.N_BANDS))


# The same base as benchmarks/thesis/test_optimizers.py, so the unfiltered SGD models are shared.
DIGITS16 = FrequencyStudy(
    "digits16-mlp", "digits",
    TrainConfig(DataSpec("digits16"), "mlp", kw(hidden=(256,)), epochs=30, batch_size=64, val_size=200,
                select="best_val"),
    lrs=(("sgd", 0.1), ("adam", 1e-3), ("rmsprop", 1e-3)))
# C003-4.13, 4.34's negative control: the SGD slot trained with Adam (same seed and rate as the Adam slot).
ADAM_IN_SGD_SLOT = Control("adam-in-sgd-slot", "the SGD slot is trained with Adam",
                           dataclasses.replace(DIGITS16, id="digits16-mlp-adam-in-sgd-slot", sgd_slot="adam"))
# C003-4.10, 4.11 claim a filter costs little, so their control brings in a known cost: 99% of the coefficients removed.
FILTER_ALMOST_ALL = Control("filter-99", "the filter removes 99% of the DCT coefficients, a known loss",
                            dataclasses.replace(DIGITS16, id="digits16-mlp-filter-99", p=99.0))
# Paper tier: CIFAR (PreActResNet18, BN off, Table 4.2 learning rates, 200 epochs, x0.1 at 100/150, batch 128).
# The horizontal-flip augmentation of the thesis is not part of TrainConfig (a core change, see the issue note).
_PRN = dict(model="preact_resnet18", model_kwargs=kw(batch_norm=False), epochs=200, batch_size=128, schedule="step",
            milestones=(0.5, 0.75), val_size=5000, select="best_val")
CIFAR10_FILTER = FrequencyStudy("cifar10-preact18", "cifar10", TrainConfig(DataSpec("cifar10"), **_PRN),
                                lrs=(("sgd", 0.2), ("adam", 2e-4), ("rmsprop", 5e-4)), p=90.0)
CIFAR100_BANDS = FrequencyStudy("cifar100-preact18", "cifar100", TrainConfig(DataSpec("cifar100"), **_PRN),
                                lrs=(("sgd", 0.3), ("adam", 5e-4), ("rmsprop", 5e-4)), band_sigma=0.1, n_test=1000)
MNIST_MLP = FrequencyStudy("mnist-mlp", "mnist", TrainConfig(DataSpec("mnist"), "mlp", kw(hidden=(256,)), epochs=30,
                                                             batch_size=128, val_size=5000, select="best_val"),
                           lrs=(("sgd", 0.1), ("adam", 5e-4), ("rmsprop", 5e-4)), p=50.0)
OPTS = ("sgd", "adam", "rmsprop")


@dataclass(frozen=True)
class SpectrumStudy:
    id: str
    dataset: str
    source: str  # "sample_images" (scikit-learn's photos) or a dataset name
    n: int = 1000
    permute_pixels: bool = False  # a negative control: one fixed permutation of the pixel positions


PHOTOS = SpectrumStudy("sklearn-photo-patches", "synthetic", "sample_images")
DIGITS_SPECTRUM = SpectrumStudy("digits16-spectrum", "digits", "digits16")
CIFAR100_SPECTRUM = SpectrumStudy("cifar100-spectrum", "cifar100", "cifar100", n=5000)
IMAGENETTE_SPECTRUM = SpectrumStudy("imagenette-spectrum", "imagenette", "imagenette", n=2000)
SPECTRA = dict(mini=[PHOTOS, DIGITS_SPECTRUM], paper=[CIFAR100_SPECTRUM, IMAGENETTE_SPECTRUM])


def _images(rs, study: SpectrumStudy) -> torch.Tensor:
    x = _source_images(rs, study)
    if not study.permute_pixels:
        return x
    perm = torch.randperm(x[0, 0].numel(), generator=torch.Generator().manual_seed(0))
    return x.flatten(2)[..., perm].view_as(x)  # each pixel's value kept, the spatial structure gone


def _source_images(rs, study: SpectrumStudy) -> torch.Tensor:
    if study.source != "sample_images":
        return rs.data(DataSpec(study.source, n_train=study.n), train=True).x.cpu()
    from sklearn.datasets import load_sample_images

    rng = np.random.default_rng(0)
    photos = [np.asarray(im, dtype=np.float64) / 255.0 for im in load_sample_images().images]
    patches = []
    for _ in range(study.n):
        im = photos[rng.integers(len(photos))]
        i, j = rng.integers(im.shape[0] - 32), rng.integers(im.shape[1] - 32)
        patches.append(im[i:i + 32, j:j + 32].transpose(2, 0, 1))
    return torch.tensor(np.stack(patches))


@pytest.mark.claim("C003-4.09")
@pytest.mark.studies(**SPECTRA)
@pytest.mark.controls(**{tier: [Control("permuted-pixels", "the pixel positions are permuted (one fixed permutation), "
                                        "each pixel's value kept and the spatial structure removed",
                                        dataclasses.replace(s, id=f"{s.id}-permuted", permute_pixels=True))
                                for s in group] for tier, group in SPECTRA.items()})
def test_spectral_energy_concentrates_at_low_frequencies(rs, study):
    profile = rs.measure(lambda: fq.band_profile(_images(rs, study)).tolist())
    steps = [a - b for a, b in zip(profile, profile[1:])]
    ratio = profile[-1] / profile[0]
    rs.conclude("C003-4.09", AllSeeds(0.0).decide([min(steps), 0.1 - ratio]), study=study,
                assertion="band-averaged mean |DCT| strictly decreasing over 10 bands and band9/band0 < 0.1",
                metrics={"band_profile": profile, "band9_over_band0": [ratio]})


def _trained(rs, study: FrequencyStudy, optimizer: str, transform: str, seeds) -> list:
    return [rs.model(study.config(optimizer, s, transform)) for s in seeds]


@pytest.mark.claim("C003-4.10")
@pytest.mark.studies(mini=[DIGITS16], paper=[CIFAR10_FILTER])
@pytest.mark.controls(mini=[FILTER_ALMOST_ALL])
def test_removing_low_magnitude_coefficients_barely_hurts(rs, study):
    _check_filter(rs, study, "C003-4.10", "dct_energy_filter")


@pytest.mark.claim("C003-4.11")
@pytest.mark.studies(mini=[DIGITS16], paper=[CIFAR10_FILTER])
@pytest.mark.controls(mini=[FILTER_ALMOST_ALL])
def test_low_pass_training_barely_hurts(rs, study):
    _check_filter(rs, study, "C003-4.11", "dct_lowpass")


def _check_filter(rs, study: FrequencyStudy, cid: str, transform: str) -> None:
    test = rs.data(study.data(), train=False)

    def measure(seeds):
        base = [accuracy(m, test.x, test.y) for m in _trained(rs, study, "sgd", "identity", seeds)]
        filt = [accuracy(m, test.x, test.y) for m in _trained(rs, study, "sgd", transform, seeds)]
        return base, filt

    decision, seeds, (base, filt) = rs.sequential(Sequential(0.0, 0.05, looks=(3, 6, 9)), measure,
                                                  lambda data: [f - (b - 5.0) for b, f in zip(*data)])
    rs.conclude(cid, decision, study=study, seeds=seeds,
                assertion=f"acc on the original test set after training with p={study.p:g}% removed >= acc(p=0) - 5 pts "
                          "(sequential one-sided t-test over seeds)",
                metrics={"acc_unfiltered": base, f"acc_{transform}_p{study.p:g}": filt})


def _irrelevant_basis(h: int, w: int, bands: list[int]) -> torch.Tensor:
    """Orthonormal pixel-space basis (rows) of the DCT coefficients in `bands`."""
    idx = fq.band_mask(h, w, bands).flatten().nonzero().flatten()
    units = torch.zeros(len(idx), h * w, dtype=torch.float64)
    units[torch.arange(len(idx)), idx] = 1.0
    return fq.idct2(units.view(-1, h, w)).flatten(1)


def _first_linear(model: torch.nn.Module) -> torch.nn.Linear:
    return next(m for m in model.modules() if isinstance(m, torch.nn.Linear))


@pytest.mark.claim("C003-4.34")
@pytest.mark.studies(mini=[DIGITS16], paper=[MNIST_MLP])
@pytest.mark.controls(mini=[ADAM_IN_SGD_SLOT])
def test_sgd_leaves_irrelevant_first_layer_weights_unchanged(rs, study):
    seeds = rs.seeds(3)
    test = rs.data(study.data("dct_lowpass"), train=False)
    c, h, w = test.input_shape
    basis = _irrelevant_basis(h, w, study.removed_bands)
    basis = torch.block_diag(*[basis] * c).to(test.x.device)  # every channel

    def measure():
        drift = {o: [] for o in OPTS}
        acc = {o: [] for o in OPTS}
        for seed in seeds:
            w0 = _first_linear(rs.model(study.config("sgd", seed, "dct_lowpass").replace(epochs=0))).weight.double()
            for o in OPTS:
                model = rs.model(study.config(o, seed, "dct_lowpass"))
                delta = _first_linear(model).weight.double() - w0
                drift[o].append(float((delta @ basis.T).norm()))
                acc[o].append(accuracy(model, test.x, test.y))
        return drift, acc

    drift, acc = rs.measure(measure)
    slack = [min(min(a, r) - 0.5, 1e-4 - s) for s, a, r in zip(drift["sgd"], drift["adam"], drift["rmsprop"])]
    rs.conclude("C003-4.34", OneSidedT(0.0).decide(slack), study=study, seeds=seeds,
                assertion="||P_irr(W1(T) - W1(0))||_F: SGD <= 1e-4 and Adam, RMSProp >= 0.5 in every seed",
                metrics={**{f"drift_{o}": v for o, v in drift.items()}, **{f"acc_{o}": v for o, v in acc.items()}})


def band_drops(model, x, y, sigma: float, draws: int, seed: int = 0) -> list[float]:
    """Eq. (4.5): clean accuracy minus accuracy under band-limited noise, per band (K shared draws)."""
    g = torch.Generator().manual_seed(seed)
    clean = accuracy(model, x, y)
    drops = []
    for band in range(fq.N_BANDS):
        noisy = [accuracy(model, x + fq.band_limited_noise((1, *x.shape[1:]), band, sigma, generator=g).to(x.device), y)
                 for _ in range(draws)]
        drops.append(clean - float(np.mean(noisy)))
    return drops


@pytest.mark.claim("C003-4.13")
@pytest.mark.studies(mini=[DIGITS16], paper=[CIFAR100_BANDS])
@pytest.mark.controls(mini=[ADAM_IN_SGD_SLOT])
def test_adaptive_models_sensitive_to_high_band_noise(rs, study):
    transform = "dct_lowpass" if study.dataset == "digits" else "identity"
    test = rs.data(study.data(transform), train=False)
    high = study.removed_bands if transform != "identity" else list(range(5, fq.N_BANDS))

    def drops_of(seed: int) -> dict[str, list[float]]:
        def compute():
            return {o: band_drops(rs.model(study.config(o, seed, transform)), test.x, test.y, study.band_sigma,
                                  study.noise_draws, seed) for o in OPTS}
        return rs.memo(("band-drops", study, transform, seed), compute)

    def measure(seeds):
        per_seed = [drops_of(s) for s in seeds]
        return {o: [d[o] for d in per_seed] for o in OPTS}

    def high_band(drops):
        return {o: [float(np.mean([d[b] for b in high])) for d in drops[o]] for o in OPTS}

    def gap(drops):
        hi = high_band(drops)
        return [min(a, r) - s for s, a, r in zip(hi["sgd"], hi["adam"], hi["rmsprop"])]

    margin = 0.0 if study.dataset == "digits" else 5.0
    decision, seeds, drops = rs.sequential(Sequential(margin, 0.05, looks=(3, 6, 9)), measure, gap)
    band0 = [max(abs(a[0] - s[0]), abs(r[0] - s[0])) for s, a, r in zip(drops["sgd"], drops["adam"], drops["rmsprop"])]
    rs.conclude("C003-4.13", decision, study=study, seeds=seeds,
                assertion=f"min(Adam, RMSProp) - SGD mean accuracy drop on bands {high[0]}-{high[-1]} > {margin:g} pts "
                          "(sequential one-sided t-test over seeds)",
                metrics={**{f"high_band_drop_{o}": v for o, v in high_band(drops).items()}, "gap": gap(drops),
                         "band0_abs_diff": band0, **{f"drops_{o}_seed{seeds[0]}": drops[o][0] for o in OPTS}})
