"""On-manifold robustness is generalisation; regular robustness is independent of it (manifold
family, C002-08 to 14, 19, 21, 23, 24, 27 to 31): the negative controls of those cases on the
FONTS study, and the grid of evaluations over the training-set size N."""
from __future__ import annotations

import dataclasses

from robustsuite.claims import Control
from robustsuite.studies.manifold import FONTS_MINI, evaluate, n_seeds, with_attack_placebo, with_placebo

# negative controls (mini): a training scheme's slot trained as another
ONMAN_PLACEBOS = [Control("onman-as-normal", "on-manifold adversarial training's slot is trained normally",
                          with_placebo(FONTS_MINI, "normal", "onman")),
                  Control("onman-as-random", "on-manifold adversarial training's slot is random latent augmentation "
                                             "of the same budget", with_placebo(FONTS_MINI, "random", "onman"))]
REGULAR_AS_NORMAL = Control("regular-as-normal", "regular adversarial training's slot is trained normally",
                            with_placebo(FONTS_MINI, "normal", "regular", "regular_paper"))
# an on-manifold attack's slot filled by the regular attack of the same norm (no manifold constraint)
ON_AS_REGULAR = Control("on-as-regular", "on-manifold success is regular (L_inf PGD) success",
                        with_attack_placebo(FONTS_MINI, "reg", "on"))
ZERO_ETA = Control("zero-eta", "the on-manifold budget eta is 1e-6 (no room to move along the manifold)",
                   dataclasses.replace(FONTS_MINI, id=f"{FONTS_MINI.id}-eta0", eta=1e-6))
ON_CW_AS_REGULAR = Control("on-as-regular", "on-manifold C&W success is regular C&W success",
                           with_attack_placebo(FONTS_MINI, "reg_cw", "on_cw"))
ON_L2_AS_REGULAR = Control("on-as-regular", "on-manifold L2 success is regular L2 PGD success",
                           with_attack_placebo(FONTS_MINI, "reg_l2", "on_l2"))
ON_TRANSFER_AS_REGULAR = Control("on-as-regular", "on-manifold transfer success is regular transfer success",
                                 with_attack_placebo(FONTS_MINI, "reg_transfer", "on_transfer"))
ON_SIZE_AS_REGULAR = Control("on-size-as-regular", "the regular perturbations' mean size is the on-manifold ones' "
                                                  "(latent ||zeta||_inf, early-stopped)",
                             with_attack_placebo(FONTS_MINI, "on_mean_linf", "mean_linf"))
NO_MORE_DATA = Control("no-more-data", "every N of the grid trains on the N_min images",
                       dataclasses.replace(FONTS_MINI, id=f"{FONTS_MINI.id}-fixed-n", fixed_n=min(FONTS_MINI.ns)))
# C002-21 asserts no effect (more data does not worsen regular robustness), so removing its cause leaves it
# true; its control is a known worsening the check must see: the largest N of the AT grid attacked at twice
# regular AT's budget
DOUBLED_BUDGET_AT_NMAX = Control("doubled-budget-at-nmax", "the models trained on the AT grid's largest N are "
                                 "attacked at twice regular AT's budget (a known rise in success)",
                                 dataclasses.replace(FONTS_MINI, id=f"{FONTS_MINI.id}-doubled-budget-nmax",
                                                     doubled_budget_n=max(FONTS_MINI.at_ns)))


def grid(rs, study, scheme: str, ns=None, seeds=None) -> dict[int, list[dict]]:
    """evaluate() for every N of the scheme's grid and every seed: {N: [per-seed dicts]}."""
    ns = ns or (study.ns if scheme == "normal" else study.at_ns)
    return {n: [evaluate(rs, study, scheme, n, s) for s in (seeds or n_seeds(rs))] for n in ns}
