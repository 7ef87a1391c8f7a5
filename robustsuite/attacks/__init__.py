"""Attacks behind one registry; every attack keeps its points in [0, 1] and in its ball."""
import importlib
import pkgutil

from robustsuite.attacks.autoattack_adapter import autoattack
from robustsuite.attacks.checks import NORMS, check_attack_inputs
from robustsuite.attacks.pgd import fgsm, gaussian_noise, pgd, project
from robustsuite.attacks.registry import ATTACKS, AttackSpec, attack, register_attack

for _m in pkgutil.iter_modules(__path__):  # attack files register themselves on import
    importlib.import_module(f"{__name__}.{_m.name}")

__all__ = ["ATTACKS", "NORMS", "AttackSpec", "attack", "autoattack", "check_attack_inputs", "fgsm", "gaussian_noise", "pgd",
           "project", "register_attack"]
