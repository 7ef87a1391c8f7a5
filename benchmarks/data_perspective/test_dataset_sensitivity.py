"""Sensitivity of whole datasets (C000-06, 08-13): minimal distances, duplicates, subsets, label
granularity, MDS patterns, EMNIST. Mini tier on the shipped MNIST subset; paper tier on CIFAR and
EMNIST (and on generated / TI500K sets the user supplies)."""
from __future__ import annotations

import pytest
import torch

from robustsuite.claims import AllSeeds, OneSidedT, Within
from robustsuite.metrics.label_geometry import (coarsen_labels, curve_gap, exact_duplicates, ks_distance,
                                                spearman)
from robustsuite.metrics.sensitivity import nearest_other_label, sensitivity, stratified_by_robustness
from robustsuite.studies.dataset_sensitivity import (ADDED_POINTS, CIFAR100_FINE_COARSE, CIFAR100_LINF, CIFAR10_LINF,
                                                     CIFAR_FAMILY, EMNIST, EMNIST_MDS, ENV_1M, ENV_TI, MNIST,
                                                     RANDOM_COARSE, SHUFFLED_SENSITIVITY, load_external,
                                                     mds_autocorrelation, radii)


@pytest.mark.claim("C000-06")
@pytest.mark.studies(paper=[CIFAR10_LINF])
def test_min_linf_distance_between_classes(rs, study):
    r = rs.measure(lambda: radii(rs, study.data, "linf"))
    rmin = float(r.min())
    ratio = rmin / (8 / 255)
    rs.conclude("C000-06", Within(54 / 255, 0.5 / 255).decide([rmin if ratio > 6 else 0.0]), study=study,
                assertion="min r_inf over CIFAR-10's training set = 54/255 +- 0.5/255 and > 6 x 8/255",
                metrics={"min_r_inf": [rmin], "ratio_to_eps": [ratio]})


@pytest.mark.claim("C000-08")
@pytest.mark.studies(paper=[CIFAR100_LINF])
def test_cifar100_has_conflicting_duplicates(rs, study):
    split = rs.data(study.data, train=True)

    def measure():
        return exact_duplicates(split.x, split.y), radii(rs, study.data, "linf")

    dups, r = rs.measure(measure)
    r40 = torch.sort(r).values[:40]
    ok = dups.n_conflicting_images >= 2 and float(r40.max()) <= 8 / 255
    rs.conclude("C000-08", AllSeeds(margin=0.5).decide([float(ok)]), study=study,
                assertion=">= 1 group of identical images with different labels, and the 40 smallest r_inf <= 8/255",
                metrics={"duplicate_groups": [len(dups.groups)], "conflicting_groups": [len(dups.conflicting)],
                         "conflicting_images": [dups.n_conflicting_images], "r40_max": [float(r40.max())],
                         "r_zero": [int((r == 0).sum())]})


@pytest.mark.claim("C000-09")
@pytest.mark.studies(mini=[MNIST], paper=[CIFAR_FAMILY])
@pytest.mark.controls(mini=[ADDED_POINTS])
def test_sensitivity_distributions_and_subsets(rs, study):
    split = rs.data(study.data, train=True)

    def measure():
        r = radii(rs, study.data, study.norm)
        out = {"min_gain": [], "gap_subset": []}
        for seed in rs.seeds(3):  # the mechanism: removing points never lowers r (raises s never)
            keep = torch.randperm(len(r), generator=torch.Generator().manual_seed(seed))[: int(0.8 * len(r))]
            if study.added_points:  # the control: the whole set is the random 80% of itself plus test images
                test = rs.data(study.data, train=False)
                extra = torch.randperm(len(test.y), generator=torch.Generator().manual_seed(seed))[: len(r) // 4]
                extra = extra.to(test.y.device)
                keep = torch.arange(len(r))
                r_sub = nearest_other_label(torch.cat([split.x, test.x[extra]]), torch.cat([split.y, test.y[extra]]),
                                            norm=study.norm).distance.cpu()[: len(r)]
            else:
                r_sub = nearest_other_label(split.x[keep], split.y[keep], norm=study.norm).distance.cpu()
            out["min_gain"].append(float((r_sub - r[keep]).min()))
            out["gap_subset"].append(curve_gap(sensitivity(r), sensitivity(r_sub)))
        if rs.tier == "paper":
            gen, ti = load_external(ENV_1M, len(split), 0), load_external(ENV_TI, len(split), 0)
            if gen is None or ti is None:
                pytest.skip(f"the 1m and TI500K comparison needs {ENV_1M} (npz: image, label) and {ENV_TI} "
                            "(Carmon et al.'s ti_500K_pseudo_labeled.pickle)")
            s10 = sensitivity(r)
            s_gen = sensitivity(nearest_other_label(gen.x, gen.y, norm=study.norm).distance)
            s_ti = sensitivity(nearest_other_label(ti.x, ti.y, norm=study.norm).distance)
            out["gap_1m"], out["gap_ti500k"] = [curve_gap(s10, s_gen)], [curve_gap(s10, s_ti)]
            out["median_ti_minus_c10"] = [float(s_ti.median() - s10.median())]
        return out

    m = rs.measure(measure)
    values = m["min_gain"] if rs.tier == "mini" else [
        m["gap_ti500k"][0] - m["gap_1m"][0] if min(m["min_gain"]) >= 0 and m["median_ti_minus_c10"][0] < 0 else -1.0]
    rs.conclude("C000-09", OneSidedT(margin=-1e-12).decide(values), study=study, seeds=rs.seeds(3),
                assertion="r on a random 80% subset >= r on the full set for every kept point (removing points lowers "
                          "s); paper tier: CIFAR-10's s-curve is nearer '1m' than TI500K, and TI500K's median s lower",
                metrics=m)


@pytest.mark.claim("C000-10")
@pytest.mark.studies(mini=[MNIST], paper=[CIFAR100_FINE_COARSE])
@pytest.mark.controls(mini=[RANDOM_COARSE])
def test_label_granularity_barely_changes_sensitivity(rs, study):
    split = rs.data(study.data, train=True)

    def measure():
        s_fine = sensitivity(radii(rs, study.data, study.norm))
        out = {"max_excess": [], "spearman": [], "median_rel_gap": []}
        groupings = []
        if study.coarse is not None:
            groupings.append(rs.data(study.coarse, train=True).y)
        else:
            for seed in rs.seeds(3):  # random superclasses: 10 digits into 5 pairs
                gen = torch.Generator().manual_seed(seed)
                if study.random_coarse:
                    groupings.append(torch.randint(5, split.y.shape, generator=gen))
                    continue
                perm = torch.randperm(10, generator=gen).tolist()
                groupings.append(coarsen_labels(split.y.cpu(), [perm[i:i + 2] for i in range(0, 10, 2)]))
        for yc in groupings:
            s_coarse = sensitivity(nearest_other_label(split.x, yc.to(split.x.device), norm=study.norm).distance.cpu())
            out["max_excess"].append(float((s_coarse - s_fine).max()))
            out["spearman"].append(spearman(s_fine, s_coarse))
            out["median_rel_gap"].append(float(((s_fine - s_coarse) / s_fine).median()))
        return out

    m = rs.measure(measure)
    values = [rho if excess <= 1e-12 else -1.0 for rho, excess in zip(m["spearman"], m["max_excess"])]
    # random groupings vary by seed (a test over seeds); the dataset's own coarse labels are one exact value
    rule = OneSidedT(margin=0.8) if study.coarse is None else AllSeeds(margin=0.8)
    rs.conclude("C000-10", rule.decide(values), study=study, seeds=rs.seeds(3) if study.coarse is None else [],
                assertion="s with coarser labels <= s with fine labels at every point (exact), and "
                          "Spearman(s_fine, s_coarse) > 0.8", metrics=m)


def _mds_case(rs, study, claim_id: str, n: int) -> None:
    split = rs.data(study.data, train=True)

    def measure():
        r = radii(rs, study.data, study.norm)
        rows = []
        for seed in rs.seeds(3):
            idx = stratified_by_robustness(r, n, bins=10, seed=seed)
            s = sensitivity(r[idx])
            if study.shuffled_sensitivity:  # the control: the same values, on other points
                s = s[torch.randperm(len(s), generator=torch.Generator().manual_seed(seed))]
            rows.append(mds_autocorrelation(split.x[idx].cpu(), s, study.norm, seed))
        return rows

    rows = rs.measure(measure)
    excess = [obs - q95 for obs, q95 in rows]
    rs.conclude(claim_id, OneSidedT(margin=0.0).decide(excess), study=study, seeds=rs.seeds(3),
                assertion=f"in a 2-D MDS of {n} robustness-stratified points, Spearman(s, mean s of 10 embedded "
                          "neighbours) exceeds the 95th percentile of 200 permutations, every seed",
                metrics={"autocorrelation": [o for o, _ in rows], "null_q95": [q for _, q in rows], "excess": excess})


@pytest.mark.claim("C000-11")
@pytest.mark.studies(mini=[MNIST], paper=[CIFAR10_LINF, CIFAR100_LINF])
@pytest.mark.controls(mini=[SHUFFLED_SENSITIVITY])
def test_mds_shows_sensitivity_patterns(rs, study):
    _mds_case(rs, study, "C000-11", n=300 if rs.tier == "mini" else 1000)


@pytest.mark.claim("C000-13")
@pytest.mark.studies(paper=[EMNIST_MDS])
def test_emnist_mds_shows_sensitivity_patterns(rs, study):
    _mds_case(rs, study, "C000-13", n=1000)


@pytest.mark.claim("C000-12")
@pytest.mark.studies(paper=[EMNIST])
def test_emnist_sensitivity_curves_group_by_content(rs, study):
    def measure():
        s = {spec.name: sensitivity(radii(rs, spec, study.norm)) for spec in (study.data, *study.others)}
        return {"M_D": ks_distance(s["emnist_mnist"], s["emnist_digits"]),
                "M_L": ks_distance(s["emnist_mnist"], s["emnist_letters"]),
                "L_B": ks_distance(s["emnist_letters"], s["emnist"]),
                "L_D": ks_distance(s["emnist_letters"], s["emnist_digits"]),
                "BM_BC": ks_distance(s["emnist_bymerge"], s["emnist_byclass"]),
                "BM_D": ks_distance(s["emnist_bymerge"], s["emnist_digits"])}

    m = rs.measure(measure)
    margins = [m["M_L"] - m["M_D"], m["L_D"] - m["L_B"], m["BM_D"] - m["BM_BC"]]
    rs.conclude("C000-12", AllSeeds(margin=0.0).decide(margins), study=study,
                assertion="KS distances of equal-size s-distributions: M~D, L~B, BM~BC closer than across groups",
                metrics={k: [v] for k, v in m.items()})
