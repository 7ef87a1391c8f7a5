"""Reading runs: paper-vs-reproduced tables, plots, one HTML page, and comparisons of two runs."""
