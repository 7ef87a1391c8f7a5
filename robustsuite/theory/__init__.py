"""Closed-form and Monte Carlo results (linear models, bounds). Import the submodules directly."""
