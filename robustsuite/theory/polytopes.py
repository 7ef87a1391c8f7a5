"""Facet counts of polytopes approximating the Euclidean ball (paper 001, App D.2.2, Thm D.1, Ball 1997).

A symmetric polytope at Banach-Mazur distance d from B_2^n has at least exp(n / (2 d^2)) facets, and
for every n some polytope at distance <= 2 has 4^n facets (the paper prints "4n").
"""
from __future__ import annotations

import math


def log_min_facets(n: int, distance: float) -> float:
    """log of Ball's lower bound exp(n / (2 d^2)) on the number of facets."""
    return n / (2 * distance * distance)


def first_n_where_bound_exceeds_4n(distance: float = 2.0, n_max: int = 10_000) -> int | None:
    """The smallest n with exp(n / (2 d^2)) > 4 n: from there a '4n facets' polytope is impossible."""
    for n in range(1, n_max + 1):
        if log_min_facets(n, distance) > math.log(4 * n):
            return n
    return None


def cube_facets_and_distance(n: int) -> tuple[int, float]:
    """[-1, 1]^n: 2n facets, Banach-Mazur distance sqrt(n) from the ball."""
    return 2 * n, math.sqrt(n)


def polygon_facets_and_distance(m: int) -> tuple[int, float]:
    """The regular 2m-gon in R^2: 2m facets (edges), distance 1 / cos(pi / (2m)) from the disc."""
    return 2 * m, 1 / math.cos(math.pi / (2 * m))
