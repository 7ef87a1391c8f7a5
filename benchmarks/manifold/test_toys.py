"""The toy arguments of App. I in closed form (C002-39, C002-40): exact checks, so no negative controls."""
from __future__ import annotations

import pytest
import torch

from robustsuite.claims import AllSeeds, Within
from robustsuite.studies.manifold_toys import TOY, TOY_PAPER
from robustsuite.theory.manifold_toys import (point_mass_posterior, tsipras_bayes_accuracy, tsipras_flip_fraction,
                                              tsipras_flip_fraction_mc, tsipras_posterior)


@pytest.mark.claim("C002-39")
@pytest.mark.studies(mini=[TOY], paper=[TOY_PAPER])
def test_point_mass_perturbation_is_not_adversarial(rs, study):
    eps_values = (0.1, 0.3, 1.0)
    post = rs.measure(lambda: [point_mass_posterior(e, e) for e in eps_values])
    gaps = [p[-1] - p[1] for p in post]  # p(y=-1 | eps) - p(y=1 | eps): 1 - 0
    rs.conclude("C002-39", Within(1.0, 0.0).decide(gaps), study=study, seeds=(),
                assertion="p(y=-1 | x=eps) - p(y=1 | x=eps) = 1 - 0 exactly (Eq. 25): moving 0 to eps is a "
                          "label change",
                metrics={"p_y_pos_at_eps": [p[1] for p in post], "p_y_neg_at_eps": [p[-1] for p in post]})


@pytest.mark.claim("C002-40")
@pytest.mark.studies(mini=[TOY], paper=[TOY_PAPER])
def test_tsipras_adversary_flips_the_bayes_label(rs, study):
    def measure():
        x_adv = torch.tensor([[-1.0, -study.eta]], dtype=torch.float64)
        x = torch.tensor([[-1.0, study.eta]], dtype=torch.float64)
        closed = tsipras_flip_fraction(study.p, study.eta)
        mc = [tsipras_flip_fraction_mc(study.mc_samples, study.p, study.eta, seed=s) for s in range(3)]
        return (float(tsipras_posterior(x_adv, study.p, study.eta)), float(tsipras_posterior(x, study.p, study.eta)),
                closed, mc, tsipras_bayes_accuracy(study.p, study.eta),
                [tsipras_flip_fraction(study.p, study.eta, d) for d in (2, 3, 5, 10)])

    post_adv, post_x, closed, mc, acc, by_dim = rs.measure(measure)
    checks = [0.0005e-9 - abs(post_adv - 1.692e-9),  # half a unit of the last digit printed
              5e-6 - abs(closed - 0.99616),
              5e-6 - abs(acc - 0.99923),
              *[0.005 - abs(m - closed) for m in mc],
              min(b - a for a, b in zip(by_dim, by_dim[1:])) + 1e-12]
    rs.conclude("C002-40", AllSeeds(-1e-15).decide(checks), study=study, seeds=(0, 1, 2),
                assertion="p(y=1 | (-1,-3)) = 1.692e-9 (Bayes label flipped), flip fraction 0.99616 and clean Bayes "
                          "accuracy 0.99923 in closed form; Monte Carlo within 0.005; the flip fraction grows with D",
                metrics={"posterior_adv": [post_adv], "posterior_clean": [post_x], "flip_fraction": [closed],
                         "flip_fraction_mc": mc, "bayes_accuracy": [acc], "flip_fraction_by_dim": by_dim})
