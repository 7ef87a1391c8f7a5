"""Paper 001, Sec 2, App A, App D.2.2: Bayes classifiers, concentration, facet counts (exact / Monte Carlo).

Deterministic given the seed; the same case runs at both tiers. Errata: Example 1's boundary
(C001-02), Prop 2.1's variance (C001-03), Example 2's ball form (C001-08), Thm D.1's "4n" (C001-11).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from robustsuite.claims import AllSeeds, Within
from robustsuite.studies.input_theory import BOTH, rng
from robustsuite.theory import bayes, concentration, polytopes


@pytest.mark.claim("C001-01")
@pytest.mark.studies(**BOTH)
def test_bayes_error_invariant_robust_error_not(rs, study):
    def measure():
        r = rng(0)
        side = 8  # P(x) random on an 8x8 grid; P(y=1|x) = 0.9 right of the middle, 0.1 left of it
        nb = bayes.grid_neighbours(side, 2)
        px = r.dirichlet(np.ones(side * side))
        right = (np.arange(side * side) % side) >= side // 2
        p1 = np.where(right, 0.9, 0.1)
        joint = np.stack([px * (1 - p1), px * p1], 1)
        out = {"r_diff": [], "rr_diff": []}
        for seed in rs.seeds(5):
            perm = rng(seed + 1).permutation(side * side)
            moved = bayes.push_forward(joint, perm)
            out["r_diff"].append(abs(bayes.bayes_error(moved) - bayes.bayes_error(joint)))
            out["rr_diff"].append(abs(bayes.bayes_robust_error(moved, nb) - bayes.bayes_robust_error(joint, nb)))
        return out

    m = rs.measure(measure)
    margins = [min(1e-12 - r, rr - 0.01) for r, rr in zip(m["r_diff"], m["rr_diff"])]
    rs.conclude("C001-01", AllSeeds(margin=0.0).decide(margins), study=study, seeds=rs.seeds(5),
                assertion="per bijection: |R*(T#P) - R*(P)| < 1e-12 and |RR*(T#P) - RR*(P)| > 0.01", metrics=m)


@pytest.mark.claim("C001-02")
@pytest.mark.studies(**BOTH)
def test_example1_halfspace_robust_error_is_two_eps(rs, study):
    def measure():
        z, attack_z, wrong = [], [], []
        for i, (d, eps) in enumerate([(1, 0.05), (10, 0.1), (50, 0.1), (784, 0.3), (3072, 0.5)]):
            est = bayes.example1_robust_error(d, eps, study.n * 5, rng(i))
            z.append(abs(est.value - 2 * eps) / est.se)
            atk = bayes.example1_attack_success(min(d, 50), eps, study.n, rng(100 + i))
            attack_z.append(abs(atk.value - 2 * eps) / atk.se)
            wrong.append(bayes.example1_robust_error(d, eps, study.n, rng(200 + i), boundary=0.0).value)
        return {"z_closed_form": z, "z_attack": attack_z, "rr_if_boundary_at_0": wrong}

    m = rs.measure(measure)
    values = m["z_closed_form"] + m["z_attack"]
    rs.conclude("C001-02", Within(0.0, 4.0).decide(values), study=study, seeds=[0],
                assertion="|MC RR* - 2 eps| <= 4 s.e. for d in {1..3072}, eps in {0.05..0.5}, closed form and attack "
                          "(boundary x_1 = 1/2; with the printed x_1 = 0 RR* is 0: see rr_if_boundary_at_0)",
                metrics=m)


@pytest.mark.claim("C001-03")
@pytest.mark.studies(**BOTH)
def test_prop21_corrected_bound_holds(rs, study):
    def measure():
        out = {"margin_box": [], "margin_nobox": [], "clt_err": [], "paper_bound": [], "corrected_bound": []}
        for i, (d, eps) in enumerate((d, e) for d in (10, 100, 784) for e in (0.05, 0.1, 0.3)):
            corrected = bayes.prop21_bound(d, eps, variance=1 / 12)
            nobox = bayes.prop21_robust_error(d, eps, study.n, rng(i), box=False)
            box = bayes.prop21_robust_error(d, eps, study.n, rng(i), box=True)
            out["margin_nobox"].append(nobox.value + 4 * nobox.se - corrected)
            out["margin_box"].append(box.value + 4 * box.se - corrected)
            out["clt_err"].append(abs(nobox.value - bayes.prop21_clt(d, eps)))
            out["paper_bound"].append(bayes.prop21_bound(d, eps))
            out["corrected_bound"].append(corrected)
        return out

    m = rs.measure(measure)
    margins = [min(a, b, 0.01 + 4 * math.sqrt(0.25 / study.n) - c)
               for a, b, c in zip(m["margin_box"], m["margin_nobox"], m["clt_err"])]
    rs.conclude("C001-03", AllSeeds(margin=0.0).decide(margins), study=study, seeds=[0],
                assertion="MC RR* (box and no box) >= 1 - 1/(12 d eps^2) - 4 s.e.; |MC - CLT| <= 0.01 + 4 s.e.; "
                          "the paper's 1 - 1/(4 d eps^2) is below the corrected bound", metrics={**m, "margin": margins})


@pytest.mark.claim("C001-04")
@pytest.mark.studies(**BOTH)
def test_prop21_robust_error_grows_to_one_with_d(rs, study):
    def measure():
        dims = (10, 100, 784, 3072)
        ests = [bayes.prop21_robust_error(d, 0.05, study.n // 4, rng(d), box=True) for d in dims]
        return {"rr": [e.value for e in ests], "se": [e.se for e in ests]}

    m = rs.measure(measure)
    steps = [b - a + 3 * math.hypot(sa, sb) for a, b, sa, sb in zip(m["rr"], m["rr"][1:], m["se"], m["se"][1:])]
    margins = steps + [m["rr"][-1] - 0.99]
    rs.conclude("C001-04", AllSeeds(margin=0.0).decide(margins), study=study, seeds=[0],
                assertion="eps 0.05: MC RR* non-decreasing over d = 10, 100, 784, 3072 (3 s.e.) and > 0.99 at 3072",
                metrics={**m, "margin": margins})


@pytest.mark.claim("C001-05")
@pytest.mark.studies(**BOTH)
def test_cube_concentration_bound_holds(rs, study):
    def measure():
        margins, chain = [], []
        for a in (0.5, 0.6, 0.75, 0.9, 0.95):
            for eps in (0.05, 0.1, 0.25, 0.5, 1.0):
                exact = min(1.0, a + eps)  # A = {x_1 <= a}
                margins.append(exact - concentration.cube_bound(a, eps))
                chain.append(concentration.cube_bound(a, eps) - concentration.cube_bound_exp(eps))
        r = rng(0)
        for d, eps in ((10, 0.3), (50, 0.5)):
            p_a, p_eps, se = concentration.mc_cube_halfspace_neighbourhood(d, d / 2 + 0.1, eps, study.n // 40, r)
            margins.append(p_eps + 4 * se - concentration.cube_bound(min(p_a, 1 - 1e-9), eps))
            r_ball = math.sqrt(d / 3) * 1.02  # a corner ball holding a bit more than half the mass
            p_a, p_eps = concentration.mc_cube_corner_ball(d, r_ball, eps, study.n, r)
            if p_a >= 0.5:
                margins.append(p_eps + 4 * math.sqrt(0.25 / study.n) - concentration.cube_bound(p_a, eps))
        return {"margin": margins, "chain": chain}

    m = rs.measure(measure)
    values = m["margin"] + [c + 1e-12 for c in m["chain"]]
    rs.conclude("C001-05", AllSeeds(margin=0.0).decide(values), study=study, seeds=[0],
                assertion="P(A_eps) >= Phi(eps sqrt(2 pi) + Phi^-1(P(A))) >= 1 - exp(-pi eps^2) on half-spaces "
                          "(exact, MC) and corner balls (MC), to 4 s.e.", metrics=m)


@pytest.mark.claim("C001-06")
@pytest.mark.studies(**BOTH)
def test_ball_concentration_bound_holds(rs, study):
    def measure():
        grid = np.linspace(1e-3, 2, 2000)
        ratio = min(concentration.modulus_l2(e) / e ** 2 for e in grid)
        margins = []
        for d in (2, 10, 100, 3072):
            for eps in (0.01, 0.05, 0.1, 0.3, 0.6, 1.0):
                exact = concentration.half_ball_neighbourhood(eps, d)
                tight, loose = concentration.ball_bound(0.5, eps, d), concentration.ball_bound_exp(0.5, eps, d)
                margins += [exact - tight + 1e-12, tight - loose + 1e-12]
        return {"min_delta_over_eps2": [ratio], "margin": margins}

    m = rs.measure(measure)
    values = [m["min_delta_over_eps2"][0] - concentration.C_BALL] + m["margin"]
    rs.conclude("C001-06", AllSeeds(margin=0.0).decide(values), study=study, seeds=[0],
                assertion="delta(eps)/eps^2 >= C on (0, 2] (min is 1/8); exact half-ball P(B_eps) >= tight >= exp bound",
                metrics=m)


@pytest.mark.claim("C001-07")
@pytest.mark.studies(**BOTH)
def test_example2_cube_fraction(rs, study):
    tight, loose = rs.measure(lambda: concentration.example2_cube(0.5, 10))
    rs.conclude("C001-07", Within(0.94375, 1e-4).decide([tight]), study=study, seeds=[0],
                assertion="tight cube form gives 94.375% +- 0.01 pts (>= 94%); the exp form is vacuous",
                metrics={"tight": [tight], "exp_form": [loose]})


@pytest.mark.claim("C001-08")
@pytest.mark.studies(**BOTH)
def test_example2_ball_fraction_needs_tight_form(rs, study):
    tight, loose = rs.measure(lambda: concentration.example2_ball(0.09, 3072, 10))
    ok = [abs(tight - 0.9781) <= 1e-3 and tight >= 0.97 and loose < 0.97]
    rs.conclude("C001-08", AllSeeds(margin=0.5).decide([float(o) for o in ok]), study=study, seeds=[0],
                assertion="tight (1 - delta)^(2d) form gives 97.81% +- 0.1 pts; the exp form gives < 97% (86.96%)",
                metrics={"tight": [tight], "exp_form": [loose]})


@pytest.mark.claim("C001-09")
@pytest.mark.studies(**BOTH)
def test_cube_bound_dimension_free_ball_bound_grows(rs, study):
    def measure():
        dims = (10, 100, 1000, 3072)
        return {"cube": [concentration.cube_bound(0.5, 0.1) for _ in dims],
                "ball": [concentration.ball_bound(0.5, 0.1, d) for d in dims]}

    m = rs.measure(measure)
    values = [1e-12 - abs(c - m["cube"][0]) for c in m["cube"]] + [b - a for a, b in zip(m["ball"], m["ball"][1:])]
    rs.conclude("C001-09", AllSeeds(margin=0.0).decide(values), study=study, seeds=[0],
                assertion="eps 0.1, P = 1/2: cube bound identical over d; ball bound strictly increasing in d", metrics=m)


@pytest.mark.claim("C001-11")
@pytest.mark.studies(**BOTH)
def test_theorem_d1_needs_4_to_the_n(rs, study):
    def measure():
        ns = range(1, 2001)
        below_4n = [polytopes.log_min_facets(n, 2.0) <= n * math.log(4) for n in ns]
        first = polytopes.first_n_where_bound_exceeds_4n(2.0)
        cubes = [math.log(polytopes.cube_facets_and_distance(n)[0]) - polytopes.log_min_facets(
            n, polytopes.cube_facets_and_distance(n)[1]) for n in (1, 2, 10, 100, 1000)]
        gons = [math.log(polytopes.polygon_facets_and_distance(m)[0]) - polytopes.log_min_facets(
            2, polytopes.polygon_facets_and_distance(m)[1]) for m in (2, 3, 8, 64)]
        return {"all_below_4_to_n": [float(all(below_4n))], "first_n_bound_exceeds_4n": [float(first)],
                "cube_log_slack": cubes, "polygon_log_slack": gons}

    m = rs.measure(measure)
    values = [m["all_below_4_to_n"][0] - 0.5, 1e-9 - abs(m["first_n_bound_exceeds_4n"][0] - 41),
              *m["cube_log_slack"], *m["polygon_log_slack"]]
    rs.conclude("C001-11", AllSeeds(margin=0.0).decide(values), study=study, seeds=[0],
                assertion="e^(n/8) <= 4^n for n <= 2000 and e^(n/8) > 4n from n = 41 (so '4n' contradicts the "
                          "theorem); cubes and 2m-gons satisfy the facet bound", metrics=m)


@pytest.mark.claim("C001-12")
@pytest.mark.studies(**BOTH)
def test_linear_adversarial_loss_is_margin(rs, study):
    import torch

    def measure():
        g = torch.Generator().manual_seed(0)
        errs = []
        for _ in range(40):
            d, eps = 20, 0.1
            w, b = torch.randn(d, generator=g, dtype=torch.float64), float(torch.randn(1, generator=g))
            x = torch.rand(1, d, generator=g, dtype=torch.float64)
            y = 1.0 if torch.rand(1, generator=g) > 0.5 else -1.0
            closed = float(bayes.linear_worst_margin(w.numpy(), b, x.numpy(), np.array([y]), eps)[0])
            delta = torch.zeros_like(x, requires_grad=True)
            for _ in range(20):  # PGD on the margin, no box
                margin = y * ((x + delta) @ w + b)
                (grad,) = torch.autograd.grad(margin.sum(), delta)
                delta = (delta - 0.05 * grad.sign()).clamp(-eps, eps).detach().requires_grad_(True)
            errs.append(abs(float(y * ((x + delta.detach()) @ w + b)) - closed))
        return {"abs_err": errs}

    m = rs.measure(measure)
    rs.conclude("C001-12", Within(0.0, 1e-4).decide(m["abs_err"]), study=study, seeds=[0],
                assertion="PGD worst-case margin of a linear model equals y f(x) - eps ||w||_1 within 1e-4", metrics=m)
