"""Training: configs, optimizers, objectives (recipes) and the loop."""
import importlib
import pkgutil

from robustsuite.train.config import TrainConfig, kw
from robustsuite.train.loop import split_validation, train_model
from robustsuite.train.objectives import OBJECTIVES, register_objective
from robustsuite.train.optim import OPTIMIZERS, SignGD, make_optimizer

for _m in pkgutil.iter_modules(__path__):  # objective files register themselves on import
    importlib.import_module(f"{__name__}.{_m.name}")

__all__ = ["OBJECTIVES", "OPTIMIZERS", "SignGD", "TrainConfig", "kw", "make_optimizer", "register_objective",
           "split_validation", "train_model"]
