"""Closed-form and Monte Carlo checks of the source documents (linear models, Bayes classifiers, bounds).
Import the submodules directly."""
