"""Closed-form and Monte Carlo checks: Bayes classifiers, concentration bounds, geometry of data."""
