"""Concentration of measure on the cube and the ball (paper 001, Thm 2.1, Example 2, App A.2).

Cube (uniform on [0,1]^d, l2 neighbourhoods): P(A_eps) >= Phi(eps sqrt(2 pi) + Phi^-1(P(A))) >=
1 - exp(-pi eps^2), dimension-free. Ball (uniform on B^d): P(B_eps) >= 1 - (1 - delta(eps))^(2d)/P(B)
>= 1 - exp(-2 d C eps^2)/P(B), with delta the modulus of convexity of l2 and C = (2 - sqrt 3)/3.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import betainc
from scipy.stats import norm

C_BALL = (2 - math.sqrt(3)) / 3


def cube_bound(p_a: float, eps: float) -> float:
    """The tight cube bound Phi(eps sqrt(2 pi) + Phi^-1(P(A)))."""
    return float(norm.cdf(eps * math.sqrt(2 * math.pi) + norm.ppf(p_a)))


def cube_bound_exp(eps: float) -> float:
    """The looser cube bound 1 - exp(-pi eps^2), for P(A) >= 1/2."""
    return 1 - math.exp(-math.pi * eps * eps)


def modulus_l2(eps: float) -> float:
    """delta_l2(eps) = 1 - sqrt(1 - eps^2/4), the modulus of convexity of the Euclidean norm."""
    return 1 - math.sqrt(1 - eps * eps / 4)


def ball_bound(p_b: float, eps: float, d: int) -> float:
    """The tight ball bound 1 - (1 - delta(eps))^(2d) / P(B)."""
    return 1 - (1 - modulus_l2(eps)) ** (2 * d) / p_b


def ball_bound_exp(p_b: float, eps: float, d: int) -> float:
    """The exponential ball bound 1 - exp(-2 d C eps^2) / P(B)."""
    return 1 - math.exp(-2 * d * C_BALL * eps * eps) / p_b


def half_ball_neighbourhood(eps: float, d: int) -> float:
    """Exact P(B_eps) for B = {x in B^d : x_1 <= 0}: P(x_1 < eps) with x uniform in the ball, where
    x_1 has density proportional to (1 - t^2)^((d-1)/2): a regularized incomplete Beta function."""
    if eps >= 1:
        return 1.0
    tail = 0.5 * betainc((d + 1) / 2, 0.5, 1 - eps * eps)  # P(x_1 >= eps)
    return float(1 - tail)


def example2_cube(eps: float = 0.5, classes: int = 10) -> tuple[float, float]:
    """Fraction of points misclassified or attackable, tight and exp forms: each class region's
    complement has mass 1 - 1/k, so at most 1 - bound(1 - 1/k) of it stays out of reach."""
    p = 1 - 1 / classes
    tight = 1 - classes * (1 - cube_bound(p, eps))
    loose = 1 - classes * (1 - cube_bound_exp(eps))
    return tight, loose


def example2_ball(eps: float = 0.09, d: int = 3072, classes: int = 10) -> tuple[float, float]:
    """The same on the unit ball: tight (1 - delta)^(2d) form and the exponential form."""
    p = 1 - 1 / classes
    return 1 - classes * (1 - ball_bound(p, eps, d)), 1 - classes * (1 - ball_bound_exp(p, eps, d))


def mc_cube_halfspace_neighbourhood(d: int, t: float, eps: float, n: int,
                                   rng: np.random.Generator) -> tuple[float, float, float]:
    """For A = {x : 1'x <= t} in [0,1]^d: MC P(A), and MC P(A_eps) where the l2 distance to A inside the
    cube is computed exactly by projecting onto the polytope {1'x <= t} n [0,1]^d."""
    x = rng.random((n, d))
    s = x.sum(1)
    in_a = s <= t
    dist = np.array([_dist_to_capped_halfspace(row, t) if not a else 0.0 for row, a in zip(x, in_a)])
    return float(in_a.mean()), float((dist <= eps).mean()), math.sqrt(0.25 / n)


def _dist_to_capped_halfspace(x: np.ndarray, t: float) -> float:
    """l2 distance from x to {z in [0,1]^d : 1'z <= t}: z = clip(x - lam, 0, 1) with 1'z = t (bisection)."""
    lo, hi = 0.0, float(x.max())
    for _ in range(60):
        lam = (lo + hi) / 2
        if np.clip(x - lam, 0, 1).sum() > t:
            lo = lam
        else:
            hi = lam
    return float(np.linalg.norm(x - np.clip(x - hi, 0, 1)))


def mc_cube_corner_ball(d: int, r: float, eps: float, n: int, rng: np.random.Generator) -> tuple[float, float]:
    """A = l2 ball of radius r around the corner 0, within the cube: MC P(A) and P(A_eps) (distance
    to A inside the cube is max(0, ||x|| - r) since the segment to 0 stays in the cube)."""
    x = rng.random((n, d))
    norms = np.linalg.norm(x, axis=1)
    return float((norms <= r).mean()), float((norms <= r + eps).mean())
