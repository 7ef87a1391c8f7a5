"""On-manifold robustness is generalisation; regular robustness is independent of it (C002-08 to 14,
19, 21, 23, 24, 27 to 31): normally and adversarially trained models over the training-set size N."""
from __future__ import annotations

import statistics

import pytest

from robustsuite.claims import OneSidedT
from robustsuite.studies.manifold import (FONTS_MINI, FONTS_PAPER, FONTS_PAPER_MLP, FONTS_PAPER_RESNET, cw_success,
                                          n_seeds, pearson, seed_rule, spearman, transfer)
from robustsuite.studies.manifold_generalization import (DOUBLED_BUDGET_AT_NMAX, NO_MORE_DATA, ONMAN_PLACEBOS,
                                                         ON_AS_REGULAR, ON_CW_AS_REGULAR, ON_L2_AS_REGULAR,
                                                         ON_SIZE_AS_REGULAR, ON_TRANSFER_AS_REGULAR, REGULAR_AS_NORMAL,
                                                         ZERO_ETA, grid)


def _per_seed(grid: dict[int, list[dict]], key: str) -> list[list[float]]:
    """[[value at each N] for each seed]."""
    ns = sorted(grid)
    return [[grid[n][i][key] for n in ns] for i in range(len(grid[ns[0]]))]


def _mean_over_seeds(grid, key) -> list[float]:
    return [statistics.fmean(r[key] for r in grid[n]) for n in sorted(grid)]


@pytest.mark.claim("C002-08")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[ZERO_ETA])
def test_on_manifold_adversarial_examples_exist(rs, study):
    g = rs.measure(lambda: grid(rs, study, "normal"))
    worst = [min(v) for v in _per_seed(g, "on")]
    rs.conclude("C002-08", OneSidedT(0.0).decide(worst), study=study, seeds=n_seeds(rs),
                assertion="true-manifold attack (eta = 0.3, theta in its box) succeeds on > 0 of the test images "
                          "at every N",
                metrics={"min_over_n_on_success": worst, "on_success_by_n": _mean_over_seeds(g, "on")})


@pytest.mark.claim("C002-09")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[ON_AS_REGULAR])
def test_on_manifold_examples_are_harder_to_find(rs, study):
    def gap(g):
        return [min(r - o for r, o in zip(rr, oo)) for rr, oo in zip(_per_seed(g, "reg"), _per_seed(g, "on"))]

    decision, seeds, g = rs.sequential(seed_rule(rs, 0.0), lambda ss: grid(rs, study, "normal", seeds=ss), gap)
    rs.conclude("C002-09", decision, study=study, seeds=seeds,
                assertion="regular (L_inf eps = 0.3) success > on-manifold (eta = 0.3) success at every N "
                          "(budget-dependent: only at the paper's budgets)",
                metrics={"min_over_n_reg_minus_on": gap(g)})


@pytest.mark.claim("C002-12")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[NO_MORE_DATA])
def test_more_data_lowers_error_and_on_manifold_success(rs, study):
    def parts(g):
        ns = sorted(g)
        err, on = _per_seed(g, "err"), _per_seed(g, "on")
        return [spearman(ns, e) for e in err], [spearman(ns, o) for o in on], [o[0] - o[-1] for o in on]

    def ok(g):
        return [min(-0.9 - a, -0.7 - b, d - 0.1) for a, b, d in zip(*parts(g))]

    decision, seeds, g = rs.sequential(seed_rule(rs, -1e-9), lambda ss: grid(rs, study, "normal", seeds=ss), ok)
    s_err, s_on, drop = parts(g)
    rs.conclude("C002-12", decision, study=study, seeds=seeds,
                assertion="per seed over N: Spearman(N, err) <= -0.9, Spearman(N, on-success) <= -0.7, "
                          "on(N_min) - on(N_max) >= 0.1",
                metrics={"spearman_n_err": s_err, "spearman_n_on": s_on, "on_drop": drop,
                         "err_by_n": _mean_over_seeds(g, "err"), "on_by_n": _mean_over_seeds(g, "on")})


@pytest.mark.claim("C002-13")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[ON_AS_REGULAR])
def test_on_manifold_success_tracks_test_error(rs, study):
    def rho(g):
        return [spearman(e, o) for e, o in zip(_per_seed(g, "err"), _per_seed(g, "on"))]

    decision, seeds, g = rs.sequential(seed_rule(rs, 0.7), lambda ss: grid(rs, study, "normal", seeds=ss), rho)
    rs.conclude("C002-13", decision, study=study, seeds=seeds,
                assertion="Spearman(test error, on-manifold success) over N > 0.7 (mean over seeds)",
                metrics={"spearman_err_on": rho(g)})


@pytest.mark.claim("C002-14")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=ONMAN_PLACEBOS)
def test_on_manifold_adversarial_training_lowers_error(rs, study):
    def measure(seeds):
        return [grid(rs, study, scheme, study.at_ns, seeds) for scheme in ("normal", "onman", "random")]

    def parts(grids):
        normal, onman, rand = grids
        rel = [max(o / nn for o, nn in zip(oo, nnn))
               for oo, nnn in zip(_per_seed(onman, "err"), _per_seed(normal, "err"))]
        vs_rand = [max(o - r for o, r in zip(oo, rr)) for oo, rr in zip(_per_seed(onman, "err"), _per_seed(rand, "err"))]
        return rel, vs_rand

    decision, seeds, grids = rs.sequential(seed_rule(rs, 0.0), measure,
                                           lambda grids: [min(0.9 - r, -v) for r, v in zip(*parts(grids))])
    (normal, onman, rand), (rel, vs_rand) = grids, parts(grids)
    rs.conclude("C002-14", decision, study=study, seeds=seeds,
                assertion="at every N of the grid: err(on-manifold AT) < 0.9 err(normal) and "
                          "err(on-manifold AT) < err(random latent augmentation) (sequential t-test over seeds of "
                          "the smaller slack at the worst N); 'especially for small N' is the next case",
                metrics={"max_err_ratio_onman_over_normal": rel, "max_err_onman_minus_random": vs_rand,
                         "err_normal": _mean_over_seeds(normal, "err"), "err_onman": _mean_over_seeds(onman, "err"),
                         "err_random": _mean_over_seeds(rand, "err")})


@pytest.mark.claim("C002-14")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=ONMAN_PLACEBOS)
@pytest.mark.xfail_at(mini="on FONTS_MINI the error that on-manifold adversarial training removes is not larger at the "
                           "smallest N than at the largest")
def test_on_manifold_training_helps_most_at_small_n(rs, study):
    """The statement's 'especially for small N' (the case above asserts the rest): the error that
    on-manifold adversarial training removes is larger at the smallest N than at the largest."""
    def drops(grids):
        normal, onman = grids
        return [[nn - o for nn, o in zip(nnn, oo)] for nnn, oo in zip(_per_seed(normal, "err"), _per_seed(onman, "err"))]

    # Sequential, as the case above (whose models it shares): at three seeds the sign flipped between
    # seed sets (p_less 0.16 on seeds 0-2, 0.015 on 100-102).
    decision, seeds, grids = rs.sequential(
        seed_rule(rs, 0.0), lambda ss: (grid(rs, study, "normal", study.at_ns, ss), grid(rs, study, "onman", None, ss)),
        lambda grids: [d[0] - d[-1] for d in drops(grids)])
    drop = drops(grids)
    value = [d[0] - d[-1] for d in drop]
    rs.conclude("C002-14", decision, study=study, seeds=seeds,
                assertion="err(normal) - err(on-manifold AT) at N_min > the same at N_max (sequential paired t-test)",
                metrics={"err_drop_nmin": [d[0] for d in drop], "err_drop_nmax": [d[-1] for d in drop],
                         "drop_nmin_minus_nmax": value})


@pytest.mark.claim("C002-19")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[REGULAR_AS_NORMAL])
def test_regular_success_independent_of_error_except_regular_at(rs, study):
    def measure(seeds):
        return {s: grid(rs, study, s, study.at_ns, seeds) for s in ("normal", "onman", "random", "regular")}

    def parts(g):
        # success at regular AT's budget for every scheme: at eps (0.3 at the mini tier) it is 1.0 for the
        # three non-regular schemes at every N, a range that could never exceed the bar
        flat = [max(max(v) - min(v) for v in (_per_seed(g[s], "reg_at_budget")[i] for s in ("normal", "onman", "random")))
                for i in range(len(g["normal"][study.at_ns[0]]))]
        return flat, [v[0] - v[-1] for v in _per_seed(g["regular"], "reg_at_budget")]

    decision, seeds, g = rs.sequential(seed_rule(rs, 0.0), measure,
                                       lambda g: [min(0.15 - f, a - 0.05) for f, a in zip(*parts(g))])
    flat, adv = parts(g)
    rs.conclude("C002-19", decision, study=study, seeds=seeds,
                assertion=f"at regular AT's budget (eps {study.eps_at:g}): range over N of regular success <= 0.15 for "
                          "normal, on-manifold AT and random augmentation; under regular adversarial training success "
                          "falls by > 0.05 from N_min to N_max (sequential t-test over seeds of the smaller slack)",
                metrics={"max_range_non_regular": flat, "range_regular_at": adv,
                         **{f"reg_{s}": _mean_over_seeds(g[s], "reg") for s in g},
                         **{f"reg_at_budget_{s}": _mean_over_seeds(g[s], "reg_at_budget") for s in g},
                         "err_regular": _mean_over_seeds(g["regular"], "err")})


@pytest.mark.claim("C002-21")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[DOUBLED_BUDGET_AT_NMAX])
def test_more_data_does_not_worsen_regular_robustness(rs, study):
    def measure():
        return {s: grid(rs, study, s) for s in ("normal", "onman", "random", "regular")}

    g = rs.measure(measure)
    # every scheme at regular AT's budget: at eps (0.3 at the mini tier) regular success is 1.0 at every N
    # for three of the four schemes, so a rise could never show
    rise = [max(v[-1] - v[0] for v in (_per_seed(g[s], "reg_at_budget")[i] for s in g))
            for i in range(len(n_seeds(rs)))]
    start = {f"reg_at_budget_nmin_{s}": [v[0] for v in _per_seed(g[s], "reg_at_budget")] for s in g}
    rs.conclude("C002-21", OneSidedT(0.0).decide([0.1 - r for r in rise]), study=study, seeds=n_seeds(rs),
                assertion=f"for every scheme, at regular AT's budget (eps {study.eps_at:g}): regular success(N_max) "
                          "<= success(N_min) + 0.1 (paired t-test of the slack; success at N_min recorded, so a "
                          "saturated start that cannot rise shows)",
                metrics={"max_rise": rise, **start,
                         **{f"reg_at_budget_{s}": _mean_over_seeds(g[s], "reg_at_budget") for s in g}})


@pytest.mark.claim("C002-23")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[REGULAR_AS_NORMAL])
def test_regular_adversarial_training_raises_error(rs, study):
    def measure():
        return grid(rs, study, "normal", study.at_ns), grid(rs, study, "regular_paper")

    normal, adv = rs.measure(measure)
    frac = [sum(a > n for a, n in zip(aa, nn)) / len(aa)
            for aa, nn in zip(_per_seed(adv, "err"), _per_seed(normal, "err"))]
    rs.conclude("C002-23", OneSidedT(0.69).decide(frac), study=study, seeds=n_seeds(rs),
                assertion="err(regular AT, eps = 0.3) > err(normal) at >= 70% of the N grid, in every seed",
                metrics={"fraction_of_n": frac, "err_normal": _mean_over_seeds(normal, "err"),
                         "err_regular": _mean_over_seeds(adv, "err")})


@pytest.mark.claim("C002-24")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER_RESNET])
@pytest.mark.controls(mini=[REGULAR_AS_NORMAL])
def test_regular_training_needs_more_data(rs, study):
    from robustsuite.studies.manifold import data_factors

    def measure():
        return grid(rs, study, "normal"), grid(rs, study, "regular_paper")

    normal, adv = rs.measure(measure)
    ns, ns_adv = sorted(normal), sorted(adv)
    factors = [data_factors(ns, e, ns_adv, a) for e, a in zip(_per_seed(normal, "err"), _per_seed(adv, "err"))]
    mean = [statistics.fmean(f) if f else float("nan") for f in factors]
    rs.conclude("C002-24", OneSidedT(0.0).decide([min(m - 1.2, 3.0 - m) for m in mean]), study=study,
                seeds=n_seeds(rs),
                assertion="N*_adv / N_ref in [1.2, 3] (log-interpolated; mean over the N_ref the adversarial grid "
                          "reaches), regular AT at eps = 0.3, in every seed",
                metrics={"mean_factor": mean, "err_normal": _mean_over_seeds(normal, "err"),
                         "err_regular": _mean_over_seeds(adv, "err")})


@pytest.mark.claim("C002-27")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[ON_SIZE_AS_REGULAR])
def test_mean_linf_perturbation_independent_of_generalisation(rs, study):
    g = rs.measure(lambda: grid(rs, study, "normal"))
    rel = [(max(v) - min(v)) / statistics.fmean(v) for v in _per_seed(g, "mean_linf")]
    rs.conclude("C002-27", OneSidedT(0.0).decide([0.2 - r for r in rel]), study=study, seeds=n_seeds(rs),
                assertion="range over N of the mean ||delta||_inf of early-stopped PGD <= 20% of its mean",
                metrics={"relative_range": rel, "mean_linf_by_n": _mean_over_seeds(g, "mean_linf"),
                         "err_by_n": _mean_over_seeds(g, "err")})


@pytest.mark.claim("C002-28")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[ON_CW_AS_REGULAR])
def test_carlini_wagner_keeps_both_relationships(rs, study):
    def measure(seeds):
        return ({n: [cw_success(rs, study, "normal", n, s) for s in seeds] for n in study.ns},
                grid(rs, study, "normal", seeds=seeds))

    def parts(data):
        cw, g = data
        rho = [spearman(e, o) for e, o in zip(_per_seed(g, "err"), _per_seed(cw, "on_cw"))]
        flat = [max(v) - min(v) for v in _per_seed(cw, "reg_cw")]
        lower = [statistics.fmean(li) - statistics.fmean(c) for li, c in zip(_per_seed(g, "reg"), _per_seed(cw, "reg_cw"))]
        return rho, flat, lower

    decision, seeds, (cw, g) = rs.sequential(seed_rule(rs, 0.0), measure,
                                             lambda data: [min(r - 0.6, 0.15 - f, lo) for r, f, lo in zip(*parts(data))])
    rho, flat, lower = parts((cw, g))
    rs.conclude("C002-28", decision, study=study, seeds=seeds,
                assertion="C&W: Spearman(err, on-manifold C&W success) > 0.6, range of regular C&W success <= 0.15, "
                          "and mean C&W success < mean L_inf PGD success (mean over seeds of the tightest)",
                metrics={"spearman_err_on_cw": rho, "range_reg_cw": flat, "linf_minus_cw": lower,
                         "reg_cw_by_n": _mean_over_seeds(cw, "reg_cw"), "on_cw_by_n": _mean_over_seeds(cw, "on_cw")})


@pytest.mark.claim("C002-29")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[ON_L2_AS_REGULAR])
def test_l2_pgd_keeps_both_relationships(rs, study):
    g = rs.measure(lambda: grid(rs, study, "normal"))
    r = [pearson(e, o) for e, o in zip(_per_seed(g, "err"), _per_seed(g, "on_l2"))]
    flat = [max(v) - min(v) for v in _per_seed(g, "reg_l2")]
    lower = [statistics.fmean(li) - statistics.fmean(l2) for li, l2 in zip(_per_seed(g, "reg"), _per_seed(g, "reg_l2"))]
    rs.conclude("C002-29", OneSidedT(0.0).decide([min(a - 0.8, 0.15 - f, lo) for a, f, lo in zip(r, flat, lower)]),
                study=study, seeds=n_seeds(rs),
                assertion="L2 PGD: Pearson(err, on-manifold L2 success) > 0.8, range of regular L2 success <= 0.15, "
                          "mean L2 success < mean L_inf success, in every seed",
                metrics={"pearson_err_on_l2": r, "range_reg_l2": flat, "linf_minus_l2": lower,
                         "on_l2_by_n": _mean_over_seeds(g, "on_l2"), "reg_l2_by_n": _mean_over_seeds(g, "reg_l2")})


@pytest.mark.claim("C002-30")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER])
@pytest.mark.controls(mini=[ON_TRANSFER_AS_REGULAR])
def test_transfer_attacks_are_weaker_but_keep_the_relationship(rs, study):
    def measure(seeds):
        return ({n: [transfer(rs, study, n, s) for s in seeds] for n in study.ns}, grid(rs, study, "normal", seeds=seeds))

    def parts(data):
        tr, g = data
        ratio = [statistics.fmean(t) / statistics.fmean(w)
                 for t, w in zip(_per_seed(tr, "reg_transfer"), _per_seed(g, "reg"))]
        return ratio, [spearman(e, o) for e, o in zip(_per_seed(g, "err"), _per_seed(tr, "on_transfer"))]

    decision, seeds, (tr, g) = rs.sequential(seed_rule(rs, 0.0), measure,
                                             lambda data: [min(0.5 - a, r - 0.5) for a, r in zip(*parts(data))])
    ratio, rho = parts((tr, g))
    rs.conclude("C002-30", decision, study=study, seeds=seeds,
                assertion="mean regular transfer success <= 0.5 x white-box, Spearman(err, on-manifold transfer "
                          "success) > 0.5 (mean over seeds of the tighter)",
                metrics={"transfer_over_whitebox": ratio, "spearman_err_on_transfer": rho,
                         "reg_transfer_by_n": _mean_over_seeds(tr, "reg_transfer"),
                         "on_transfer_by_n": _mean_over_seeds(tr, "on_transfer")})


@pytest.mark.claim("C002-31")
@pytest.mark.studies(mini=[FONTS_MINI], paper=[FONTS_PAPER_MLP])
@pytest.mark.controls(mini=[ON_AS_REGULAR])
def test_mlp_regular_success_near_one(rs, study):
    g = rs.measure(lambda: grid(rs, study, "normal"))
    worst = [min(v) for v in _per_seed(g, "reg")]
    rho = [spearman(e, o) for e, o in zip(_per_seed(g, "err"), _per_seed(g, "on"))]
    rs.conclude("C002-31", OneSidedT(0.0).decide([min(w - 0.95, r - 0.7) for w, r in zip(worst, rho)]), study=study,
                seeds=n_seeds(rs),
                assertion="MLP, normal training, L_inf eps = 0.3: regular success >= 0.95 at every N and "
                          "Spearman(err, on-manifold success) > 0.7, in every seed",
                metrics={"min_reg_success": worst, "spearman_err_on": rho})
