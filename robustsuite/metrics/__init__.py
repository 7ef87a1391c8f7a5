"""Metrics: clean and robust accuracy, Lipschitz bounds; families add theirs here."""
from robustsuite.metrics.accuracy import accuracy, predict, robust_accuracy
from robustsuite.metrics.profile import Severities, robustness_profile
from robustsuite.metrics.lipschitz import conv_spectral_norm, layer_bounds, lipschitz_upper_bound

__all__ = ["accuracy", "conv_spectral_norm", "layer_bounds", "lipschitz_upper_bound", "predict", "robust_accuracy", "robustness_profile", "Severities"]
