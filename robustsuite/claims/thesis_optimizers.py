"""Thesis chapter 4: SGD vs Adam vs RMSProp (C003-4.01 to 4.05, 4.08)."""
from robustsuite.claims.claim import claim

_OPTS = ("sgd", "adam", "rmsprop")


def _cells(**rows: tuple[tuple[float, ...], ...]) -> dict[str, float]:
    """{dataset: ((noise, l2, linf, avg) for sgd, adam, rmsprop)} -> flat 'dataset.opt.kind' keys."""
    out = {}
    for dataset, per_opt in rows.items():
        for opt, values in zip(_OPTS, per_opt):
            out |= {f"{dataset}.{opt}.{k}": v for k, v in zip(("noise", "l2", "linf", "avg"), values)}
    return out


# Table 4.3's highlighted cells (found by exhaustive search in the catalog) and Table 4.1's averages.
_HIGHLIGHTED = _cells(
    mnist=((95.64, 66.33, 71.93, 77.97), (89.33, 54.67, 52.93, 65.64), (90.63, 50.00, 50.00, 63.54)),
    fashion_mnist=((84.30, 82.33, 67.23, 77.95), (78.91, 70.33, 53.57, 67.60), (78.69, 72.67, 62.67, 71.34)),
    cifar100_top5=((67.53, 59.90, 39.53, 55.65), (49.54, 52.77, 33.43, 45.25), (54.44, 54.10, 34.10, 47.55)),
    svhn=((93.81, 63.60, 49.83, 69.08), (91.46, 57.83, 47.50, 65.60), (91.87, 57.90, 46.33, 65.37)),
    caltech101_top5=((77.57, 84.43, 52.27, 71.42), (38.55, 80.67, 45.87, 55.03), (72.19, 63.40, 23.90, 53.16)),
    imagenette=((84.83, 70.70, 47.23, 67.59), (71.84, 65.30, 39.43, 58.86), (73.25, 62.30, 38.40, 57.98)),
)
# CIFAR-10's full Table 4.3 rows (noise x3, l2 x3, linf x3) and its printed Table 4.1 averages.
CIFAR10_ROWS = {
    "sgd": ((87.35, 74.13, 68.66), (67.40, 37.57, 16.30), (53.93, 21.27, 0.93), 63.21),
    "adam": ((86.93, 67.50, 58.54), (64.03, 29.60, 11.10), (50.57, 13.93, 0.20), 57.71),
    "rmsprop": ((86.25, 70.03, 61.52), (60.10, 25.47, 8.87), (47.87, 14.03, 0.33), 56.47),
}

_PILOT = ("calibrated on MNIST (6,000-image subset, 1,000 held out), MLP 784-256-256-10, 20 epochs, "
          "lr swept on seed 0 and checkpoint by best validation accuracy, 3 seeds, first 500 test images, PGD-20.")

claim("C003-4.01", "thesis-ch3-4", "§4.1.1, Fig. 4.1, Table 4.3",
      "Clean accuracies of SGD-, Adam- and RMSProp-trained models are similar, while at the strongest severity "
      "of Gaussian noise, L2 and Linf attacks the SGD model is the most accurate.",
      # sgd_lead_avg_robust: SGD's mean over the strongest Gaussian, L2 and Linf cells minus the best
      # adaptive method's (Table 4.3, MNIST: 64.49 - 50.92)
      paper={"sgd_lead_avg_robust_mnist": 13.57, "clean_acc_sgd_mnist": 98.72, "clean_acc_adam_mnist": 99.05,
             "clean_acc_rmsprop_mnist": 98.90, "gauss_acc_sgd_mnist": 95.64, "gauss_acc_adam_mnist": 89.33,
             "l2_acc_sgd_mnist": 66.33, "l2_acc_adam_mnist": 54.67, "linf_acc_sgd_mnist": 31.50,
             "linf_acc_adam_mnist": 8.77},
      calibration=_PILOT + " Paired t-tests on SGD's lead in average robust accuracy (mean of the strongest "
                           "Gaussian, L2 and Linf cells), under the protocol and at matched clean accuracy, and on "
                           "its smallest lead over the three perturbation types (the statement per type). Matched: "
                           "every optimizer stopped at the first epoch reaching a common validation accuracy 1 point "
                           "below the seed's lowest best-val accuracy; seeds 0-2 reached it in all 9 models and no "
                           "matched checkpoint was its protocol one (the record flags both).")
claim("C003-4.02", "thesis-ch3-4", "Table 4.2",
      "Initial learning rates per dataset and optimizer (SGD / Adam / RMSProp).", kind="setup",
      paper={"mnist.sgd": 0.1, "mnist.adam": 5e-4, "cifar10.sgd": 0.2, "cifar10.adam": 2e-4, "speech.adam": 0.1},
      no_case="setup data, not an assertion: it parametrises the paper-tier studies (_PAPER in "
              "benchmarks/thesis/test_optimizers.py). Speech Commands' Adam/RMSProp lr 0.1 looks like a typo (I-12).")
claim("C003-4.03", "thesis-ch3-4", "§4.5, Table 4.1, Fig. 4.1",
      "Table 4.1's average robust accuracy is the mean of three highlighted Table 4.3 cells per dataset.",
      kind="theory", paper=_HIGHLIGHTED | {f"cifar10.{o}.avg": r[3] for o, r in CIFAR10_ROWS.items()},
      erratum="CIFAR-10's printed averages (63.21 / 57.71 / 56.47) are the mean of no combination of one Gaussian, "
              "one L2 and one Linf cell of Table 4.3 (I-13); the six other datasets match to rounding.")
claim("C003-4.04", "thesis-ch3-4", "§4.5, Table 4.1",
      "SGD-trained networks have the smallest Lipschitz upper bound (product of per-layer spectral norms).",
      paper={"lipschitz_sgd_mnist": 3.80, "lipschitz_adam_mnist": 5.75, "lipschitz_rmsprop_mnist": 6.21,
             "lipschitz_sgd_cifar10": 26.81, "lipschitz_adam_cifar10": 28.70, "lipschitz_rmsprop_cifar10": 37.75},
      calibration=_PILOT + " Asserted: min(adaptive)/SGD > 1 in every seed.")
claim("C003-4.05", "thesis-ch3-4", "App. 4.B, Table 4.4",
      "With batch normalisation SGD remains the most robust at the strongest severity, and BN models are less "
      "robust than BN-free ones.",
      paper={"sgd_lead_avg_robust_cifar10": 2.73},  # Table 4.4 strongest cells: (43.29+6.96+0.04)/3 - (39.86+2.23+0)/3
      calibration=_PILOT + " Mini analogue: the same MLP with BatchNorm1d after each hidden layer.")
claim("C003-4.08", "thesis-ch3-4", "App. 4.B, Table 4.7",
      "SGD with momentum 0.9 gives similar clean accuracy and robustness to plain SGD.",
      paper={"max_abs_diff_any_cell": 9.2},  # Table 4.7: Imagenette Linf 1/255
      calibration=_PILOT + " Tolerance 10 points per strongest cell: the thesis' own largest difference is 9.2. "
      "Sequential looks at 3 and 6 seeds: on seeds 0-2 the verdict depended on the CPU's float kernels "
      "(p 0.031 and 0.074 on two machines); at 6 seeds p 0.009.")
