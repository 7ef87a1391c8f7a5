"""Learned class-conditional manifolds (VAE-GAN) on EMNIST, Fashion-MNIST, CelebA and FONTS:
C002-08, 12, 13 (learned-manifold cases; MNIST with a class-conditional VAE at the mini tier),
C002-15 to 17, 20, 26, 32 to 35 (paper tier; skipped at the mini tier with measured evidence), 42."""
from __future__ import annotations

import statistics

import numpy as np
import pytest

from robustsuite.attacks.manifold import vae_attack
from robustsuite.claims import AllSeeds, OneSidedT
from robustsuite.data import DataSpec
from robustsuite.data.fonts import SPECS, FontsManifold
from robustsuite.studies.manifold import (FONTS_PAPER_RESNET, FONTS_PAPER_VGG, FontsStudy, n_seeds, pearson, seed_rule,
                                          spearman)
from robustsuite.studies.manifold_learned import (BENEFIT, CELEBA_PAPER, EMNIST_PAPER, FMNIST_PAPER, FMNIST_RESNET,
                                                  FMNIST_VGG, FONTS_LEARNED_PAPER, MNIST_MINI, TRANSFORM_AS_RANDOM,
                                                  UNTRAINED_VAE, ZERO_ETA, evaluate_any, fonts_oracle_label,
                                                  reconstruction_gap, series)


@pytest.mark.claim("C002-08")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[EMNIST_PAPER, FMNIST_PAPER, CELEBA_PAPER])
@pytest.mark.controls(mini=[ZERO_ETA])
def test_on_manifold_examples_exist_on_learned_manifolds(rs, study):
    # Success over the attack's start: about a fifth of the reconstructions are misclassified before
    # any search (the zero-eta control reproduced "success > 0" on that alone).
    on, start = rs.measure(lambda: (series(rs, study, "normal", "on", study.ns),
                                    series(rs, study, "normal", "on_start", study.ns)))
    worst = [min(a - b for a, b in zip(oo, ss)) for oo, ss in zip(on, start)]
    rs.conclude("C002-08", OneSidedT(0.0).decide(worst), study=study, seeds=n_seeds(rs),
                assertion="latent attack on the class-conditional VAE (eta = 0.3, z in [-2, 2]^d) succeeds on more of "
                          "the test images than its start (the reconstruction) at every N",
                metrics={"min_over_n_on_minus_start": worst, "min_over_n_on_success": [min(v) for v in on],
                         "start_success": [statistics.fmean(v) for v in start]})


@pytest.mark.claim("C002-12")
@pytest.mark.studies(paper=[EMNIST_PAPER, FMNIST_PAPER])
def test_more_data_lowers_error_and_learned_on_manifold_success(rs, study):
    err, on = rs.measure(lambda: (series(rs, study, "normal", "err", study.ns),
                                  series(rs, study, "normal", "on", study.ns)))
    ok = [min(-0.9 - spearman(study.ns, e), -0.7 - spearman(study.ns, o)) for e, o in zip(err, on)]
    rs.conclude("C002-12", OneSidedT(0.0).decide(ok), study=study, seeds=n_seeds(rs),
                assertion="Spearman(N, err) <= -0.9 and Spearman(N, on-manifold success) <= -0.7, in every seed",
                metrics={"check": ok})


@pytest.mark.claim("C002-13")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[EMNIST_PAPER, FMNIST_PAPER])
@pytest.mark.controls(mini=[UNTRAINED_VAE])
def test_learned_on_manifold_success_tracks_error(rs, study):
    def parts(series):
        err, on = series
        return [pearson(e, o) for e, o in zip(err, on)], [o[0] - o[-1] for o in on]

    # A correlation over a few N is noisy per seed (seeds 100-102 gave -0.14 +- 0.39 where 0-2 gave
    # 0.06 +- 0.02): seeds are added until the test decides.
    decision, seeds, (err, on) = rs.sequential(
        seed_rule(rs, 0.0), lambda ss: (series(rs, study, "normal", "err", study.ns, ss),
                                        series(rs, study, "normal", "on", study.ns, ss)),
        lambda series: [min(r - 0.6, d) for r, d in zip(*parts(series))])
    rho, drop = parts((err, on))
    rs.conclude("C002-13", decision, study=study, seeds=seeds,
                assertion="Pearson(test error, learned on-manifold success) over N > 0.6 and success falls from "
                          "N_min to N_max (per seed the smaller slack; sequential t-test over seeds)",
                metrics={"pearson_err_on": rho, "spearman_err_on": [spearman(e, o) for e, o in zip(err, on)],
                         "on_drop": drop, "err": [float(x) for x in np.mean(err, 0)],
                         "on": [float(x) for x in np.mean(on, 0)]})


@pytest.mark.claim("C002-15")
@pytest.mark.studies(paper=[FONTS_LEARNED_PAPER])
def test_learned_on_manifold_training_keeps_benefit_on_fonts(rs, study):
    ns = study.at_ns[:2]
    on, normal = rs.measure(lambda: (series(rs, study, "onman", "err", ns), series(rs, study, "normal", "err", ns)))
    rel = [max(o / n for o, n in zip(oo, nn)) for oo, nn in zip(on, normal)]
    rs.conclude("C002-15", OneSidedT(0.0).decide([0.9 - r for r in rel]), study=study, seeds=n_seeds(rs),
                assertion="err(learned on-manifold AT) <= 0.9 err(normal) at the two smallest N, in every seed",
                metrics={"max_err_ratio": rel})


@pytest.mark.claim("C002-16")
@pytest.mark.studies(paper=[BENEFIT])
def test_benefit_shrinks_with_harder_manifolds(rs, study):
    def measure():
        out = []
        for st in study.studies:
            n = st.at_ns[0]
            out.append([1 - evaluate_any(rs, st, "onman", n, s)["err"] / evaluate_any(rs, st, "normal", n, s)["err"]
                        for s in n_seeds(rs)])
        return out

    red = rs.measure(measure)
    m = [statistics.fmean(r) for r in red]
    sd = max(statistics.stdev(r) for r in red)
    rs.conclude("C002-16", AllSeeds(0.0).decide([m[0] - m[1] + sd, m[1] - m[2] + sd, sd - abs(m[2]) + 1e-9]),
                study=study, seeds=n_seeds(rs),
                assertion="relative error reduction at the smallest N: FONTS >= EMNIST >= F-MNIST ~ 0 (within one sd)",
                metrics={f"reduction_{st.dataset}": r for st, r in zip(study.studies, red)})


@pytest.mark.claim("C002-17")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[EMNIST_PAPER, FMNIST_PAPER])
@pytest.mark.controls(mini=[TRANSFORM_AS_RANDOM])
def test_adversarial_transformation_training_beats_random_augmentation(rs, study):
    ns = study.at_ns[:2]

    def measure():
        return {s: series(rs, study, s, "err", ns) for s in ("transform", "transform_random", "normal")}

    err = {s: [float(x) for x in np.mean(v, 1)] for s, v in rs.measure(measure).items()}
    values = [min(r - t, n - t) for t, r, n in zip(err["transform"], err["transform_random"], err["normal"])]
    rs.conclude("C002-17", OneSidedT(0.0).decide(values), study=study, seeds=n_seeds(rs),
                assertion="at the (two) smallest N: err(adv. transformations) < err(random augmentation) and "
                          "< err(normal) (value per seed: the smaller gap)",
                metrics={f"err_{s}": e for s, e in err.items()})


@pytest.mark.claim("C002-20")
@pytest.mark.studies(paper=[EMNIST_PAPER, FMNIST_PAPER])
def test_regular_success_independent_on_real_data(rs, study):
    ns = study.at_ns

    def measure():
        return {s: series(rs, study, s, "reg", ns) for s in ("normal", "onman", "transform", "regular")}

    g = rs.measure(measure)
    flat = [max(max(v[i]) - min(v[i]) for s, v in g.items() if s != "regular") for i in range(len(n_seeds(rs)))]
    gap = [statistics.fmean(nn) - statistics.fmean(r) for nn, r in zip(g["normal"], g["regular"])]
    rs.conclude("C002-20", OneSidedT(0.0).decide([min(0.15 - f, d - 0.2) for f, d in zip(flat, gap)]), study=study,
                seeds=n_seeds(rs),
                assertion="range over N of regular success <= 0.15 for non-regular schemes; mean success of regular AT "
                          "< normal's - 0.2, in every seed", metrics={"max_range": flat, "normal_minus_regular": gap})


@pytest.mark.claim("C002-26")
@pytest.mark.studies(paper=[CELEBA_PAPER])
def test_celeba_on_manifold_success_tracks_error(rs, study):
    g = rs.measure(lambda: (series(rs, study, "normal", "err", study.ns),
                            series(rs, study, "normal", "on", study.ns)))
    rho = [spearman(e, o) for e, o in zip(*g)]
    rs.conclude("C002-26", OneSidedT(0.6).decide(rho), study=study, seeds=n_seeds(rs),
                assertion="CelebA: Spearman(err, on-manifold success) over N > 0.6 in every seed",
                metrics={"spearman": rho})


@pytest.mark.claim("C002-32")
@pytest.mark.studies(paper=[FONTS_PAPER_RESNET, FONTS_PAPER_VGG, FMNIST_RESNET, FMNIST_VGG])
def test_other_architectures(rs, study):
    ns = study.ns if isinstance(study, FontsStudy) else study.at_ns

    def measure():
        return (series(rs, study, "normal", "err", ns), series(rs, study, "normal", "on", ns),
                series(rs, study, "normal", "reg", ns))

    err, on, reg = rs.measure(measure)
    ok = [min(spearman(e, o) - 0.6, 0.15 - (max(r) - min(r))) for e, o, r in zip(err, on, reg)]
    rs.conclude("C002-32", OneSidedT(0.0).decide(ok), study=study, seeds=n_seeds(rs),
                assertion="Spearman(err, on-manifold success) > 0.6 and regular success range <= 0.15 over N",
                metrics={"check": ok})


@pytest.mark.claim("C002-33")
@pytest.mark.studies(paper=[FONTS_LEARNED_PAPER])
def test_class_agnostic_perturbations_change_the_true_label(rs, study):
    def measure():
        man = FontsManifold(SPECS[study.dataset], device=rs.device)
        agn = rs.model(study.vae_config(agnostic=True))
        test = rs.data(DataSpec(study.dataset), train=False)
        x, y = test.x[:study.n_oracle], test.y[:study.n_oracle]
        out = []
        for s in n_seeds(rs):
            model = rs.model(study.config("normal", study.ns[-1], s))
            adv = vae_attack(model, agn, x, y, eta=study.eta_agnostic, steps=study.attack_steps, box=study.box)
            hit = adv.fooled.nonzero().squeeze(1)
            oracle = fonts_oracle_label(man, adv.x[hit], seed=s)
            out.append(float((oracle != y[hit]).double().mean()) if len(hit) else 0.0)
        return out

    frac = rs.measure(measure)
    rs.conclude("C002-33", OneSidedT(0.0).decide(frac), study=study, seeds=n_seeds(rs),
                assertion="fraction of class-agnostic (eta = 0.1) on-manifold examples whose true (nearest class "
                          "manifold) label differs from y > 0", metrics={"label_change_fraction": frac})


@pytest.mark.claim("C002-34")
@pytest.mark.studies(paper=[FONTS_LEARNED_PAPER, EMNIST_PAPER])
def test_class_agnostic_training_loses_the_benefit(rs, study):
    ns = study.at_ns

    def measure():
        return {s: series(rs, study, s, "err", ns) for s in ("agnostic", "normal", "onman")}

    g = rs.measure(measure)
    sd = statistics.stdev([v[0] for v in g["normal"]])
    a, nn, o = (np.mean(g[s], 0) for s in ("agnostic", "normal", "onman"))
    rs.conclude("C002-34", AllSeeds(0.0).decide([float(min(a - nn + sd)), float(a[0] - o[0])]), study=study,
                seeds=n_seeds(rs),
                assertion="err(class-agnostic AT) >= err(normal) - 1 sd at every N and > err(class-specific AT) at "
                          "the smallest N",
                metrics={"err_agnostic": list(map(float, a)), "err_normal": list(map(float, nn))})


@pytest.mark.claim("C002-35")
@pytest.mark.studies(paper=[EMNIST_PAPER, FONTS_LEARNED_PAPER])
def test_on_data_manifold_success_tracks_error(rs, study):
    g = rs.measure(lambda: (series(rs, study, "normal", "err", study.ns),
                            series(rs, study, "normal", "on_agnostic", study.ns)))
    rho = [spearman(e, o) for e, o in zip(*g)]
    rs.conclude("C002-35", OneSidedT(0.6).decide(rho), study=study, seeds=n_seeds(rs),
                assertion="Spearman(err, class-agnostic on-manifold success) over N > 0.6", metrics={"spearman": rho})


@pytest.mark.claim("C002-42")
@pytest.mark.studies(mini=[MNIST_MINI], paper=[EMNIST_PAPER, FONTS_LEARNED_PAPER])
@pytest.mark.controls(mini=[UNTRAINED_VAE])
def test_vae_gan_reconstructs_better_than_a_same_class_image(rs, study):
    gap = rs.measure(lambda: [reconstruction_gap(rs, study, s) for s in n_seeds(rs)])
    rs.conclude("C002-42", AllSeeds(0.0).decide(gap), study=study, seeds=n_seeds(rs),
                assertion="mean L1(test, random same-class train image) - mean L1(test, reconstruction) > 0",
                metrics={"l1_gap": gap})
