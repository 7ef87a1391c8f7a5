"""Thesis §4.2-4.3: spectra, irrelevant frequencies, band-limited noise, and Claim 4.3.1 in weight space."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from robustsuite.claims import AllSeeds, OneSidedT, Sequential
from robustsuite.data import frequency as fq
from robustsuite.metrics import accuracy
from robustsuite.studies.frequency import (ADAM_IN_SGD_SLOT, CIFAR100_BANDS, CIFAR10_FILTER, DIGITS16,
                                           FILTER_ALMOST_ALL, MNIST_MLP, OPTS, PERMUTED_PIXELS, SPECTRA, FrequencyStudy,
                                           band_drops, first_linear, irrelevant_basis, spectrum_images, trained_models)


@pytest.mark.claim("C003-4.09")
@pytest.mark.studies(**SPECTRA)
@pytest.mark.controls(**PERMUTED_PIXELS)
def test_spectral_energy_concentrates_at_low_frequencies(rs, study):
    profile = rs.measure(lambda: fq.band_profile(spectrum_images(rs, study)).tolist())
    steps = [a - b for a, b in zip(profile, profile[1:])]
    ratio = profile[-1] / profile[0]
    rs.conclude("C003-4.09", AllSeeds(0.0).decide([min(steps), 0.1 - ratio]), study=study,
                assertion="band-averaged mean |DCT| strictly decreasing over 10 bands and band9/band0 < 0.1",
                metrics={"band_profile": profile, "band9_over_band0": [ratio]})


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
        base = [accuracy(m, test.x, test.y) for m in trained_models(rs, study, "sgd", "identity", seeds)]
        filt = [accuracy(m, test.x, test.y) for m in trained_models(rs, study, "sgd", transform, seeds)]
        return base, filt

    decision, seeds, (base, filt) = rs.sequential(Sequential(0.0, 0.05, looks=(3, 6, 9)), measure,
                                                  lambda data: [f - (b - 5.0) for b, f in zip(*data)])
    rs.conclude(cid, decision, study=study, seeds=seeds,
                assertion=f"acc on the original test set after training with p={study.p:g}% removed >= acc(p=0) - 5 pts "
                          "(sequential one-sided t-test over seeds)",
                metrics={"acc_unfiltered": base, f"acc_{transform}_p{study.p:g}": filt})


@pytest.mark.claim("C003-4.34")
@pytest.mark.studies(mini=[DIGITS16], paper=[MNIST_MLP])
@pytest.mark.controls(mini=[ADAM_IN_SGD_SLOT])
def test_sgd_leaves_irrelevant_first_layer_weights_unchanged(rs, study):
    seeds = rs.seeds(3)
    test = rs.data(study.data("dct_lowpass"), train=False)
    c, h, w = test.input_shape
    basis = irrelevant_basis(h, w, study.removed_bands)
    basis = torch.block_diag(*[basis] * c).to(test.x.device)  # every channel

    def measure():
        drift = {o: [] for o in OPTS}
        acc = {o: [] for o in OPTS}
        for seed in seeds:
            w0 = first_linear(rs.model(study.config("sgd", seed, "dct_lowpass").replace(epochs=0))).weight.double()
            for o in OPTS:
                model = rs.model(study.config(o, seed, "dct_lowpass"))
                delta = first_linear(model).weight.double() - w0
                drift[o].append(float((delta @ basis.T).norm()))
                acc[o].append(accuracy(model, test.x, test.y))
        return drift, acc

    drift, acc = rs.measure(measure)
    slack = [min(min(a, r) - 0.5, 1e-4 - s) for s, a, r in zip(drift["sgd"], drift["adam"], drift["rmsprop"])]
    rs.conclude("C003-4.34", OneSidedT(0.0).decide(slack), study=study, seeds=seeds,
                assertion="||P_irr(W1(T) - W1(0))||_F: SGD <= 1e-4 and Adam, RMSProp >= 0.5 in every seed",
                metrics={**{f"drift_{o}": v for o, v in drift.items()}, **{f"acc_{o}": v for o, v in acc.items()}})


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
