"""Thesis chapter 5: the HAR network (meta-classifier + one leaf classifier per meta-class) against
flat models with the same defence. HAR is scored by the per-point minimum over every attack
(untargeted PGD, hierarchical PGD strict and loose, PGD-Meta, PGD-Leaf)."""
from __future__ import annotations

import pytest
import torch

from robustsuite.claims import OneSidedT, Sequential, Within
from robustsuite.data import DataSpec
from robustsuite.data.hierarchy import get_hierarchy
from robustsuite.models import create_model
from robustsuite.models.har import parameter_count
from robustsuite.studies.hierarchical import (CIFAR10, CIFAR100, CIFAR5X5, DIGITS, FLAT_ONE_EPOCH, META_AS_PGD,
                                              Evaluator, random_grouping_control)


def _har_vs_flat(rs, study, claim_id):
    s = study.steps[1]

    def measure(seeds):
        rows = {}
        for seed in seeds:
            ev = Evaluator(rs, study, seed)
            for d in ("standard", "pgd10", "trades"):
                rows.setdefault(f"flat_{d}_hier{s}", []).append(ev.meta_acc("flat", d, f"hier{s}"))
                rows.setdefault(f"flat_{d}_clean", []).append(ev.meta_acc("flat", d, "clean"))
                rows.setdefault(f"flat_{d}_pgd{s}", []).append(ev.meta_acc("flat", d, f"pgd{s}"))
                rows.setdefault(f"har_{d}_worst", []).append(ev.worst_case("har", d, long=True))
                rows.setdefault(f"har_{d}_hier{s}", []).append(ev.meta_acc("har", d, f"hier{s}"))
                rows.setdefault(f"har_{d}_clean", []).append(ev.meta_acc("har", d, "clean"))
                rows.setdefault(f"har_{d}_pgd{s}", []).append(ev.meta_acc("har", d, f"pgd{s}"))
        return rows

    def values(r):
        return [min(r[f"har_{d}_worst"][i] - r[f"flat_{d}_hier{s}"][i] for d in ("pgd10", "trades"))
                for i in range(len(r["har_pgd10_worst"]))]

    # Sequential (looks at 3 and 6 seeds): at three seeds the refutation did not replicate on fresh
    # seeds (p_less 0.015 on seeds 0-2, 0.050 on 100-102; the per-seed gap's sd ranged 1.5-6.9).
    decision, seeds, r = rs.sequential(Sequential(-1e-9, 0.05, looks=(3, 6)), measure, values)
    rs.conclude(claim_id, decision, study=study, seeds=seeds, metrics=r,
                assertion=f"HAR worst case over all attacks >= flat hierarchical PGD{s} meta-acc for PGD10 and "
                          "TRADES (per seed the smaller gap; sequential t-test over seeds)")


@pytest.mark.claim("C003-5.06")
@pytest.mark.studies(mini=[DIGITS], paper=[CIFAR100])
@pytest.mark.controls(mini=[random_grouping_control(DIGITS)], paper=[random_grouping_control(CIFAR100)])
def test_har_beats_flat_on_hierarchical_robustness(rs, study):
    _har_vs_flat(rs, study, "C003-5.06")


@pytest.mark.claim("C003-5.10")
@pytest.mark.studies(mini=[DIGITS], paper=[CIFAR10, CIFAR5X5])
@pytest.mark.controls(mini=[random_grouping_control(DIGITS)],
                      paper=[random_grouping_control(CIFAR10), random_grouping_control(CIFAR5X5)])
def test_har_beats_flat_on_cifar10_and_cifar5x5(rs, study):
    _har_vs_flat(rs, study, "C003-5.10")


@pytest.mark.claim("C003-5.09")
@pytest.mark.studies(mini=[DIGITS], paper=[CIFAR100])
@pytest.mark.controls(**META_AS_PGD)
def test_pgd_meta_is_not_weaker_than_full_har_attacks(rs, study):
    s = study.steps[1] if rs.tier == "paper" else study.steps[0]

    def measure():
        rows = {}
        for seed in rs.seeds(3):
            ev = Evaluator(rs, study, seed)
            for d in ("standard", "pgd10", "trades"):
                for key in (f"pgd{s}", f"hier{s}", f"meta{s}"):
                    rows.setdefault(f"har_{d}_{key}", []).append(ev.meta_acc("har", d, key))
                rows.setdefault(f"har_{d}_worst", []).append(ev.worst_case("har", d, long=rs.tier == "paper"))
        return rows

    r = rs.measure(measure)
    values = [a - b for a, b in zip(r[f"har_standard_pgd{s}"], r[f"har_standard_meta{s}"])]
    rs.conclude("C003-5.09", OneSidedT(10.0).decide(values), study=study, seeds=rs.seeds(3), metrics=r,
                assertion="standard HAR: meta-acc under PGD-HAR - under PGD-Meta > 10 points, every seed "
                          "(PGD-Meta is the stronger attack, against the thesis' sentence)")


@pytest.mark.claim("C003-5.12")
@pytest.mark.studies(mini=[DIGITS], paper=[CIFAR10])
@pytest.mark.controls(**FLAT_ONE_EPOCH)
def test_har_costs_clean_leaf_accuracy(rs, study):
    def measure():
        rows = {}
        for seed in rs.seeds(3):
            ev = Evaluator(rs, study, seed)
            for d in ("standard", "pgd10", "trades"):
                rows.setdefault(f"flat_{d}", []).append(ev.leaf_acc("flat", d))
                rows.setdefault(f"har_{d}", []).append(ev.leaf_acc("har", d))
        return rows

    r = rs.measure(measure)
    tol = 2.0 if rs.tier == "mini" else 1.0  # mini: ~1.5 SE of a difference of two accuracies on 300 points
    values = [min(r[f"flat_{d}"][i] + tol - r[f"har_{d}"][i] for d in ("standard", "pgd10", "trades"))
              for i in range(len(rs.seeds(3)))]
    rs.conclude("C003-5.12", OneSidedT(0.0).decide(values), study=study, seeds=rs.seeds(3), metrics=r,
                assertion=f"clean leaf accuracy: HAR < flat + {tol:g} points for standard, PGD10 and TRADES (value per "
                          "seed: the smallest margin over the three defences)")


@pytest.mark.claim("C003-5.15")
@pytest.mark.studies(mini=[DIGITS], paper=[CIFAR100])
def test_har_components_train_independently(rs, study):
    h = get_hierarchy(study.hierarchy)

    def measure():
        bad = 0
        full = rs.data(study.flat.data, train=True)
        for d in ("standard", "pgd10", "trades"):
            recipe = study.har(d, 0)
            meta_cfg, leaf_cfgs = recipe.meta_config(), recipe.leaf_configs()
            for cfg in (meta_cfg, *leaf_cfgs):  # same optimiser, epochs and defence as the flat recipe
                bad += int((cfg.objective, cfg.objective_kwargs, cfg.optimizer, cfg.lr, cfg.epochs, cfg.seed) !=
                           (recipe.flat.objective, recipe.flat.objective_kwargs, recipe.flat.optimizer,
                            recipe.flat.lr, recipe.flat.epochs, recipe.flat.seed))
        meta = rs.data(study.har("standard", 0).meta_config().data, train=True)
        bad += int(len(meta) != len(full)) + int(not torch.equal(meta.y, h.meta_labels(full.y)))
        if study.hierarchy == "cifar100":  # our 20 superclasses are the dataset's own coarse labels
            coarse = rs.data(DataSpec("cifar100_coarse"), train=True)  # the same shuffle of the same split
            bad += int(not torch.equal(coarse.y, h.meta_labels(full.y)))
        total = 0
        for i, cfg in enumerate(study.har("standard", 0).leaf_configs()):
            leaf = rs.data(cfg.data, train=True)
            keep = h.meta_labels(full.y) == i
            mapped = torch.tensor(h.members[i], device=leaf.y.device)[leaf.y]
            bad += int(leaf.num_classes != len(h.members[i])) + int(len(leaf) != int(keep.sum()))
            bad += int(not torch.equal(torch.bincount(mapped, minlength=h.num_classes),
                                       torch.bincount(full.y[keep], minlength=h.num_classes)))
            sums = lambda x: x.flatten(1).sum(1).sort().values  # noqa: E731  (the same images, any order)
            bad += int(not torch.allclose(sums(leaf.x), sums(full.x[keep])))
            total += len(leaf)
        return bad + int(total != len(full))

    bad = rs.measure(measure)
    rs.conclude("C003-5.15", Within(0.0, 0.0).decide([bad]), study=study,
                assertion="meta data = all examples with meta labels; leaf i = exactly meta-class i's examples with "
                          "re-indexed labels; every component shares the flat recipe's defence and optimiser: "
                          "0 violations", metrics={"violations": [bad]})


@pytest.mark.claim("C003-5.16")
@pytest.mark.studies(mini=[DIGITS], paper=[CIFAR100])
def test_limitations_cost_and_size(rs, study):
    def measure():
        ev = Evaluator(rs, study, rs.seeds(3)[0])
        res = ev.search("flat", "standard")
        size_s = ev.h.eligible_targets(ev.data.y).sum(1)
        k, n = study.steps[0], len(ev.data.y)
        cost_ok = res.grad_evals == int(res.targets_tried.sum()) * k and res.grad_evals <= int(size_s.max()) * k * n
        counts = []
        for c in (2, 3, 4, 5):  # HAR of c meta-classes with 2 leaves each: meta head grows, one leaf per meta
            meta = create_model("mlp", input_shape=(1, 8, 8), num_classes=c, hidden=(32,))
            counts.append(parameter_count(meta) + c * parameter_count(
                create_model("mlp", input_shape=(1, 8, 8), num_classes=2, hidden=(32,))))
        second = [counts[i + 2] - 2 * counts[i + 1] + counts[i] for i in range(len(counts) - 2)]
        return cost_ok, second, res.grad_evals, int(res.targets_tried.sum())

    cost_ok, second, evals, tried = rs.measure(measure)
    values = [float(max(abs(v) for v in second)) + (0.0 if cost_ok else 1.0)]
    rs.conclude("C003-5.16", Within(0.0, 0.0).decide(values), study=study, seeds=rs.seeds(3)[:1],
                assertion="gradient evaluations = targets tried x steps <= |S| k n, and HAR size affine in the "
                          "number of meta-classes (second differences 0)",
                metrics={"grad_evals": [evals], "targets_tried": [tried], "param_second_differences": second})
