"""The claim registry (one module per claim family) and verdict rules over seeds."""
import importlib
import pkgutil

from robustsuite.claims.claim import CLAIMS, FAMILIES, TIERS, Claim, claim, get_claim, list_claims
from robustsuite.claims.control import Control
from robustsuite.claims.verdict import (AllSeeds, Decision, Equivalent, OneSidedT, Sequential, Verdict, Within, mean_sd,
                                        t_interval)

for _m in pkgutil.iter_modules(__path__):  # each family module declares its claims on import
    if _m.name not in ("claim", "control", "verdict"):
        importlib.import_module(f"{__name__}.{_m.name}")

__all__ = ["CLAIMS", "FAMILIES", "TIERS", "AllSeeds", "Claim", "Control", "Decision", "Equivalent", "OneSidedT", "Sequential",
           "Verdict", "Within", "claim", "get_claim", "list_claims", "mean_sd", "t_interval"]
