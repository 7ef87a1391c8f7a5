"""The variant sweeps of paper 001, Sec 3-4 (C001-13 to 24): the per-tier groups of the variant
studies, builders of their negative controls, the per-seed table of one study's four metrics, and
the paper tier's gamma-mapped CIFAR-10 and Fashion-MNIST vs edge-Fashion-MNIST studies."""
from __future__ import annotations

import dataclasses

from robustsuite.claims import Control
from robustsuite.data import DataSpec
from robustsuite.studies.input_distribution import (CIFAR_POOLED_PAPER, CIFAR_SATURATION_PAPER, DIGITS_MNIST_VARIANTS,
                                                    DIGITS_POOLED, DIGITS_SATURATION, MNIST_PAPER, MNIST_POOLED_PAPER,
                                                    ORIGINAL, Variant, as_identity, last_lowpassed, measure_variant,
                                                    pgd_trained_at)

# the studies of the Sec 3 cases, per tier
MNIST_LIKE = dict(mini=[DIGITS_MNIST_VARIANTS], paper=[MNIST_PAPER])
SATURATION = dict(mini=[DIGITS_SATURATION], paper=[CIFAR_SATURATION_PAPER])
POOLED = dict(mini=[DIGITS_POOLED], paper=[MNIST_POOLED_PAPER, CIFAR_POOLED_PAPER])


def identity_controls(studies: dict[str, list]) -> dict[str, list[Control]]:
    """Per tier, each study's negative control with every variant's transform the identity."""
    return {tier: [Control("variants-as-identity", "every variant's transform is the identity", as_identity(s))
                   for s in group] for tier, group in studies.items()}


def lowpassed_controls(studies: dict[str, list]) -> dict[str, list[Control]]:
    """Per tier, a known difference a flatness case must not pass: the last variant low-passed."""
    return {tier: [Control("last-variant-lowpassed", "the last variant keeps only its 3% lowest DCT frequencies, "
                           "a known accuracy loss", last_lowpassed(s)) for s in group]
            for tier, group in studies.items()}


def wide_pgd_controls(studies: dict[str, list]) -> dict[str, list[Control]]:
    """Per tier, a known difference a case claiming PGD training changes little must not pass."""
    return {tier: [Control("pgd-at-eps-half", "the PGD arm trains at eps 0.5, where the adversary can grey out "
                           "every image", pgd_trained_at(s, 0.5)) for s in group] for tier, group in studies.items()}


def table(rs, study) -> dict[str, dict[str, list[float]]]:
    """metric -> variant -> per-seed values, for every variant of the study."""
    out: dict[str, dict[str, list[float]]] = {}
    for v in study.variants:
        for seed in rs.seeds(3):
            for metric, value in measure_variant(rs, study, v, seed).items():
                out.setdefault(metric, {}).setdefault(v.label, []).append(value)
    return out


# Sec 4 (Fig 3), paper tier: gamma mapping of CIFAR-10 (C001-23); Fashion-MNIST vs its edges (C001-24)
GAMMA_CIFAR = dataclasses.replace(
    CIFAR_SATURATION_PAPER, id="cifar10-gamma-wrn28-4",
    variants=tuple(ORIGINAL if g == 1 else Variant(f"gamma{g:g}", "gamma", (("g", g),), g)
                   for g in (0.5, 0.67, 1, 1.5, 2)))
FASHION = dataclasses.replace(MNIST_PAPER, id="fashion-vs-edge-fashion-lenet5", dataset="fashion_mnist",
                              base=DataSpec("fashion_mnist"),
                              variants=(ORIGINAL, Variant("edges", "edges", (("sigma", 1.0),), 1.0)))


def rows(rs, study):
    return {v.label: [measure_variant(rs, study, v, s) for s in rs.seeds(3)] for v in study.variants}
