"""A model's robustness profile: clean accuracy and accuracy under each perturbation severity."""
from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from robustsuite.attacks import attack
from robustsuite.data import Split
from robustsuite.metrics.accuracy import accuracy, robust_accuracy


@dataclass(frozen=True)
class Severities:
    """Perturbations to evaluate: Gaussian noise sigmas, L2 and Linf radii, and the attack used."""

    noise: tuple[float, ...] = ()
    l2: tuple[float, ...] = ()
    linf: tuple[float, ...] = ()
    attack: str = "pgd"  # "pgd" (steps below, step 2.5 eps / steps, random start) or "autoattack"
    steps: int = 20

    def specs(self):
        """(metric name, attack spec) for every severity, in table order."""
        for s in self.noise:
            yield f"noise_{s:g}", attack("gaussian_noise", sigma=s)
        for norm, radii in (("l2", self.l2), ("linf", self.linf)):
            for eps in radii:
                params = {"eps": eps, "norm": norm} | ({"steps": self.steps} if self.attack == "pgd" else {})
                yield f"{norm}_{eps:g}", attack(self.attack, **params)

    def strongest(self) -> tuple[str, ...]:
        """The metric names of the strongest severity of each perturbation type."""
        return tuple(f"{k}_{max(v):g}" for k, v in (("noise", self.noise), ("l2", self.l2), ("linf", self.linf)) if v)


def robustness_profile(model: nn.Module, test: Split, severities: Severities) -> dict[str, float]:
    """Clean accuracy and accuracy under every severity, in percent."""
    out = {"clean": accuracy(model, test.x, test.y)}
    for name, spec in severities.specs():
        out[name] = robust_accuracy(model, test.x, test.y, spec)
    return out
