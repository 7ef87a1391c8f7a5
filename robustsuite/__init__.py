"""robustsuite: claims about adversarial robustness as benchmark cases with verdicts."""
__version__ = "0.1.0"
