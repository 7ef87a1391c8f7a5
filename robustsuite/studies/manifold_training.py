"""Training variants of the manifold family (C002-18, 25, 36 to 38): the negative controls of the
mixed, random-perturbation, weak/full and adversarial-transformation cases on the FONTS study,
and one scheme's evaluation over the seeds."""
from __future__ import annotations

from robustsuite.claims import Control
from robustsuite.studies.manifold import FONTS_MINI, evaluate, n_seeds, with_attack_placebo, with_placebo

# negative controls (mini): a scheme's slot trained as another, an attack's examples replaced
MIXED_AS_NORMAL = Control("mixed-as-normal", "mixed training's slot is trained normally",
                          with_placebo(FONTS_MINI, "normal", "mixed"))
RANDOM_AS_ADVERSARIAL = Control("random-as-adversarial", "the random-perturbation slots are trained adversarially "
                                                         "(image: regular AT; latent: on-manifold AT)",
                                with_placebo(with_placebo(FONTS_MINI, "regular", "regular_random"), "onman", "random"))
ONE_STRENGTH = Control("one-strength", "the weak and full variants of regular adversarial training are the 50/50 one",
                      with_placebo(FONTS_MINI, "regular", "regular_weak", "regular_full"))
VARIANTS_AS_REGULAR = Control("variants-as-regular", "the weak and full on-manifold variants are regular adversarial "
                                                     "training at eps 0.3",
                              with_placebo(FONTS_MINI, "regular_paper", "onman_weak", "onman_full"))
TRANSFORM_AS_REGULAR = Control("transform-as-regular", "the adversarial transformations are regular L_inf adversarial "
                                                       "examples", with_attack_placebo(FONTS_MINI, "reg", "transform"))


def evaluate_seeds(rs, study, scheme, n, seeds=None):
    return [evaluate(rs, study, scheme, n, s) for s in (seeds or n_seeds(rs))]
