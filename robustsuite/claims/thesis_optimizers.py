"""Thesis chapter 4: SGD vs Adam vs RMSProp (C003-4.01 to 4.05, 4.08)."""
from robustsuite.claims.claim import claim

_PILOT = ("Pilot (../shared/claims/pilot-optimizers-mnist.md): on 5k MNIST the gap tracked how far training got; "
          "Adam/RMSProp stopped at SGD's clean accuracy were as robust as SGD.")

claim("C003-4.04", "thesis-ch3-4", "§4.5, Table 4.1",
      "SGD-trained networks have the smallest Lipschitz upper bound (product of per-layer spectral norms).",
      paper={"bound_sgd_mnist": 3.80, "bound_adam_mnist": 5.75, "bound_rmsprop_mnist": 6.21},
      calibration="3 seeds on digits16; per-seed ratio min(adaptive)/SGD measured 1.2-2.0 in the pilots; "
                  "asserted > 1 in every seed.")
