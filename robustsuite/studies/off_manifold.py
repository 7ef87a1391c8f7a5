"""Regular adversarial examples leave the manifold; on-manifold ones stay on it (manifold family,
C002-01 to 07, 10, 11): the training size of the attacked model per tier, and the negative
controls that swap one kind of adversarial example for the other."""
from __future__ import annotations

from robustsuite.claims import Control
from robustsuite.studies.manifold import FONTS_MINI, with_attack_placebo

N_DIST = {"mini": 1000, "paper": 10000}  # training size of the normally trained model attacked

# negative controls (mini): an attack's examples replaced by those of the other kind
REGULAR_AS_ON = Control("regular-as-on", "the regular adversarial examples are on-manifold ones",
                        with_attack_placebo(FONTS_MINI, "on", "reg"))
CW_AS_ON = Control("cw-as-on", "the C&W adversarial examples are on-manifold ones",
                   with_attack_placebo(FONTS_MINI, "on", "cw"))
ON_AS_REGULAR = Control("on-as-regular", "the on-manifold adversarial examples are regular ones",
                        with_attack_placebo(FONTS_MINI, "reg", "on"))
