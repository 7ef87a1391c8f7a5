"""Thesis chapter 5 (hierarchical adversarial robustness, hierarchical PGD, the HAR network) and
the chapter-2 attack definitions it builds on: C003-2.01 to 2.05 and C003-5.01 to 5.16.

Mini tier: sklearn digits (8x8), the visual grouping {0,3,5,9} {4,6} {1,2,7,8}, MLPs, Linf
eps = 0.2 (step eps/4), L2 eps = 1.0; 3 seeds. Paper tier: CIFAR-100 / CIFAR-10 / CIFAR-5x5,
flat ResNet-50 vs HAR of ResNet-10s, 200 epochs, eps = 8/255 (step 2/255), L2 eps = 0.5.
Calibration evidence: /work/notes/issue-4.md and the case records.
"""
from robustsuite.claims.claim import claim

F = "hierarchical"
_T53 = {  # Table 5.3, CIFAR-100 meta-class accuracy (%), Linf eps = 8/255
    "flat_standard_clean": 82.57, "flat_standard_pgd20": 24.89, "flat_standard_pgd200": 24.94,
    "flat_standard_hier20": 0.00, "flat_standard_hier200": 0.00,
    "flat_pgd10_clean": 69.81, "flat_pgd10_pgd20": 37.80, "flat_pgd10_pgd200": 37.02,
    "flat_pgd10_hier20": 22.60, "flat_pgd10_hier200": 21.98,
    "flat_pgd10t_clean": 75.02, "flat_pgd10t_pgd20": 41.30, "flat_pgd10t_pgd200": 40.84,
    "flat_pgd10t_hier20": 22.10, "flat_pgd10t_hier200": 21.00,
    "flat_trades_clean": 67.67, "flat_trades_pgd20": 41.47, "flat_trades_pgd200": 41.27,
    "flat_trades_hier20": 27.00, "flat_trades_hier200": 26.80,
    "har_standard_clean": 81.24, "har_standard_pgd20": 29.25, "har_standard_pgd200": 29.27,
    "har_standard_hier20": 4.00, "har_standard_hier200": 3.30,
    "har_pgd10_clean": 66.23, "har_pgd10_pgd20": 30.53, "har_pgd10_pgd200": 29.93,
    "har_pgd10_hier20": 25.80, "har_pgd10_hier200": 24.40,
    "har_trades_clean": 62.49, "har_trades_pgd20": 32.86, "har_trades_pgd200": 32.36,
    "har_trades_hier20": 30.20, "har_trades_hier200": 29.90,
}

# --- chapter 2: attack definitions ------------------------------------------------------------
claim("C003-2.01", F, "§2.2, Eqs. (2.1)-(2.2)",
      "FGSM (eps * sign of the gradient) maximises the first-order loss model over the Linf ball; FGM "
      "(eps * normalised gradient) over the L2 ball.", kind="theory",
      calibration="Deterministic: linear loss w.x in d = 8 at x = 0.5 (box inactive); FGSM gain vs eps*||w||_1 "
                  "and FGM gain vs eps*||w||_2 to 1e-5, and no vertex of the Linf ball (all 256) exceeds FGSM.")
claim("C003-2.02", F, "§2.3, Eqs. (2.4)-(2.5)",
      "One-step BIM with step eps equals FGSM; PGD (BIM from a uniform random start, 20 steps) stays in the "
      "eps-ball and [0, 1] and is at least as strong as FGSM.",
      calibration="Exact equality and ball/box invariants (tolerance 1e-6); PGD20 error - FGSM error on 300 digits "
                  "test points of the PGD10-trained MLP measured +5.7 to +8.0 points (seeds 3-5; a standard MLP is "
                  "already broken by FGSM, gap ~1 point); asserted > 0 in every seed.")
claim("C003-2.03", F, "§2.3, Eq. (2.6)",
      "Carlini-Wagner: min ||delta||_p + c * g(x + delta) with a tanh change of variables.", kind="qualitative",
      no_case="Reference only: the thesis never runs the C&W optimisation; chapter 5 borrows only its two target "
              "selection strategies (average-case and worst-case), which C003-5.04's case checks "
              "(worst-case success >= average-case success).")
claim("C003-2.04", F, "§2.4, Eq. (2.7) and TRADES",
      "PGD adversarial training solves the Madry min-max; TRADES adds (1/lambda) max KL(f(x + delta) || f(x)) to the "
      "clean loss; beta = 1/lambda -> 0 gives standard training.", kind="theory",
      calibration="On trained digits MLPs, 3 seeds: the inner maximisation raises the KL above its start in every "
                  "seed (measured x10^6); beta = 0 equals cross-entropy to 1e-6. The thesis prints the KL "
                  "arguments swapped w.r.t. Zhang et al.; both orders are implemented (`kl='thesis'|'zhang'`) and "
                  "the case checks both.")
claim("C003-2.05", F, "§2.3 transferability",
      "Perturbations crafted on a surrogate transfer to independently trained models.",
      calibration="PGD20 points of a digits MLP (seed s) evaluated on the MLP of seed s+1, vs uniform sign noise of "
                  "the same Linf size: transfer error minus noise error measured +87.7 to +89.7 points in 3 seeds; "
                  "asserted > 20 in every seed.")

# --- chapter 5 -------------------------------------------------------------------------------
claim("C003-5.01", F, "§5.2",
      "A hierarchical adversarial example is an adversarial example whose wrong leaf lies outside the true "
      "meta-class: the hierarchical set is a subset of the adversarial set.", kind="theory",
      calibration="Deterministic: subset violations counted on random predictions (2,000 draws) and on the "
                  "points of untargeted and hierarchical PGD against a trained model; asserted exactly 0, and "
                  "hand-made cases (within-meta flip, clean error) are classified as the definition says.")
claim("C003-5.02", F, "§5.3, Table 5.2",
      "Leaf-level mistakes mostly stay inside the true meta-class (clean and under PGD20), far above chance.",
      paper={"cifar10_standard_clean": 84.46, "cifar10_standard_pgd20": 80.00, "cifar10_pgd10_clean": 83.75,
             "cifar10_pgd10_pgd20": 75.56, "cifar10_trades_clean": 77.39, "cifar10_trades_pgd20": 77.14,
             "cifar100_standard_clean": 33.71, "cifar100_standard_pgd20": 36.80, "cifar100_pgd10_clean": 35.57,
             "cifar100_pgd10_pgd20": 39.06, "cifar100_trades_clean": 34.84, "cifar100_trades_pgd20": 38.22},
      calibration="Mini: standard MLP, P(meta ok | leaf wrong) on clean errors pooled over 3 seeds (~30 errors) minus "
                  "the same statistic under 20 random groupings of the same sizes (the control); measured +33.8 "
                  "(seeds 3-5) and about +40 (seeds 0-2; per seed 29-46, too few errors to gate per seed); asserted "
                  "> 15. Under PGD20 the standard model's rate is at the control (30-34 vs 29), recorded. "
                  "Paper: each cell >= 2 x chance (CIFAR-100) or chance + 20 "
                  "(CIFAR-10), chance = P(random wrong leaf in the true meta-class), not the thesis' 1/#meta.")
claim("C003-5.03", F, "§5.3, Table 5.2",
      "Untargeted PGD does not raise the meta-level error rate of mistakes: P(meta ok | leaf wrong) under PGD20 "
      "is within a few points of the clean value for every training method.",
      paper={"max_abs_delta_reported": 8.19, "cifar100_standard_delta": 3.09, "cifar100_pgd10_delta": 3.49,
             "cifar100_trades_delta": 3.38, "cifar10_standard_delta": -4.46, "cifar10_pgd10_delta": -8.19,
             "cifar10_trades_delta": -0.25},
      xfail_at={"mini": "only TRADES keeps untargeted-PGD mistakes within the meta-class; the standard model's leave it "
                        "(the catalog pilot agrees)"},
      calibration="Tolerance |delta| <= 10 from the catalog (the thesis' largest reported drop is 8.19), asserted as "
                  "delta > -10 for every model: per seed the smallest of the three models' deltas, one-sided t-test "
                  "over seeds. Until 2026-12-07 the case t-tested the three models' deltas (errors pooled over "
                  "seeds) as if they were seeds, and the mini verdict was inconclusive (values -32.7, -7.0, +4.1); "
                  "the smoke run's two seeds exposed it. Now mini: refuted on seeds 0-2 (per-seed smallest -39.0, "
                  "-36.2, -23.9, p_less 0.019) and on seeds 100-102 with test points from 1000 (-38.7, -44.5, -49.2, "
                  "p_less 0.004); its pgd-as-hier control is refuted in both. The pooled deltas stay in the record.")
claim("C003-5.04", F, "§5.4, Eq. (5.1), Algorithm 5.1",
      "Hierarchical PGD: targeted PGD towards each leaf outside the true meta-class in turn, stopping at the first "
      "target reached; the average-case variant uses one random eligible target.",
      calibration="Invariants exact (ball, box, targets tried <= |S|, success implies argmax = target); worst-case "
                  "success >= average-case success and loose >= strict, per seed on 3 seeds. Agreement with brute "
                  "force on a 2-D problem: tests/hierarchical (property test).")
claim("C003-5.05", F, "§5.6.2, Table 5.3",
      "Hierarchical PGD degrades meta-class accuracy far more than untargeted PGD (standard flat: ~25 % -> 0 %).",
      paper=_T53,
      calibration="Mini, seeds 0-5: standard MLP untargeted-PGD20 meta-acc 30.0-34.7 % vs hierarchical 0.3-2.0 %; "
                  "asserted hier <= 0.25 x untargeted in every seed; PGD10 MLP: untargeted - hierarchical measured "
                  "16.0-17.7 points, asserted > 5 in every seed.")
claim("C003-5.06", F, "§5.6.3, Table 5.3",
      "HAR has higher hierarchical robustness than the flat model trained with the same defence.",
      paper={k: v for k, v in _T53.items() if k.endswith("hier200")},
      xfail_at={"mini": "on digits the HAR's leaf classifiers learn from a few hundred examples each and lose clean "
                        "meta-accuracy; its worst case stays below the flat model's hierarchical robustness (the "
                        "catalog's pilot agrees)"},
      calibration="Paper: HAR worst case over {PGD-HAR, hierarchical PGD strict/loose, PGD-Meta, PGD-Leaf} minus "
                  "flat hierarchical PGD200 >= 0 for PGD10 and TRADES (reported +2.4 to +3.1 = 1.5-3 SE on 1000 "
                  "points; a strict gain is not asserted).")
claim("C003-5.07", F, "§5.6.3, Tables 5.3 and 5.6",
      "Targeted adversarial training (PGD10-T) is not better than PGD10 on hierarchical robustness.",
      paper={"hier20_pgd10t": 22.10, "hier20_pgd10": 22.60, "hier200_pgd10t": 21.00, "hier200_pgd10": 21.98,
             "l2_hier50_pgd10t": 38.50, "l2_hier50_pgd10": 42.90},
      calibration="Mini, seeds 0-5: PGD10-T's hierarchical-PGD20 meta-acc is 1.7-4.7 points below PGD10's (values "
                  "hier(PGD10) + 3 - hier(PGD10-T) = 4.7-7.7); asserted > 0 in every seed. Clean meta-acc "
                  "PGD10-T 97.0-98.3 vs PGD10 95.7-96.7 (the thesis' direction), recorded, not gated.")
claim("C003-5.08", F, "Table 5.3",
      "PGD has converged at 20 steps: meta-accuracy under 20 and 200 steps differs by <= 1.4 points, for both the "
      "untargeted and the hierarchical attack.",
      paper={"max_abs_delta_reported": 1.40},
      calibration="Mini, 3 seeds, standard and PGD10 MLPs, untargeted and hierarchical: |PGD20 - PGD200| measured "
                  "<= 1.33 points (300 test points, step eps/4 for both; 1 point = 3 test points); tolerance 2 "
                  "from the catalog; asserted 2 - max|delta| > 0 in every seed.")
claim("C003-5.09", F, "§5.6.3, Table 5.4",
      "Perturbations from the HAR meta-classifier alone (PGD-Meta) are weaker attacks than those from the full HAR.",
      paper={"standard_pgd_har": 29.27, "standard_hier": 3.30, "standard_pgd_meta": 0.00,
             "pgd10_pgd_har": 29.93, "pgd10_hier": 24.40, "pgd10_pgd_meta": 29.96,
             "trades_pgd_har": 32.36, "trades_hier": 29.90, "trades_pgd_meta": 29.38},
      erratum="Table 5.4 contradicts the sentence: PGD-Meta is the strongest attack on Standard-HAR (0.00 vs PGD-HAR "
              "29.27) and on TRADES-HAR (29.38 < 29.90 < 32.36). Asserted instead: on the standard HAR, PGD-Meta "
              "beats the full-HAR untargeted attack by > 10 points in every seed, so HAR must be scored by the "
              "minimum over all attacks (recorded).",
      calibration="Mini, seeds 0-5: standard HAR PGD-HAR 18.3-24.0 % vs PGD-Meta 0.3-1.3 % (differences 17.3-22.7); "
                  "asserted PGD-HAR - PGD-Meta > 10 in every seed. PGD10/TRADES HARs: PGD-Meta (54-60 %) is weaker "
                  "than hierarchical PGD (40-49 %), as in Table 5.4's PGD10 row; all recorded with the worst case. "
                  "Control meta-as-pgd (PGD-Meta's slot is the full-HAR PGD it is compared with) judges the "
                  "correction: differences -1.3 / 1.0 / 0.0 (seeds 0-2) against the > 10 bar, refuted.")
claim("C003-5.10", F, "Appendix 5.B, Table 5.5",
      "CIFAR-10 and CIFAR-5x5 results align with CIFAR-100: HAR improves hierarchical robustness.",
      paper={"cifar10_flat_standard_clean": 98.93, "cifar10_flat_standard_pgd": 79.73,
             "cifar10_flat_pgd10_clean": 97.49, "cifar10_flat_pgd10_pgd": 87.40,
             "cifar10_flat_trades_clean": 95.69, "cifar10_flat_trades_pgd": 88.15,
             "cifar10_har_standard_clean": 98.44, "cifar10_har_standard_pgd": 65.46,
             "cifar10_har_pgd10_clean": 95.57, "cifar10_har_pgd10_pgd": 86.38,
             "cifar10_har_trades_clean": 94.49, "cifar10_har_trades_pgd": 86.07,
             "cifar5x5_flat_standard_clean": 92.68, "cifar5x5_flat_standard_pgd": 65.52,
             "cifar5x5_flat_pgd10_clean": 86.08, "cifar5x5_flat_pgd10_pgd": 70.68,
             "cifar5x5_flat_trades_clean": 84.16, "cifar5x5_flat_trades_pgd": 69.60,
             "cifar5x5_har_standard_clean": 94.36, "cifar5x5_har_standard_pgd": 56.72,
             "cifar5x5_har_pgd10_clean": 89.16, "cifar5x5_har_pgd10_pgd": 63.32,
             "cifar5x5_har_trades_clean": 84.96, "cifar5x5_har_trades_pgd": 66.36},
      xfail_at={"mini": "C003-5.06 on other data (CIFAR-10 / CIFAR-5x5 at the paper tier); on digits the HAR stays below "
                        "the flat model, as in C003-5.06"},
      calibration="Table 5.5 lost its hierarchical-PGD column in the source; the paper-tier case measures it and "
                  "asserts HAR worst case >= flat hierarchical PGD for PGD10 and TRADES (the paper's surviving "
                  "clean/untargeted cells are in `paper`).")
claim("C003-5.11", F, "Appendix 5.C, Table 5.6",
      "Under L2 attacks (eps = 0.5, PGD50) hierarchical PGD degrades every model more than untargeted PGD.",
      paper={"flat_standard_clean": 82.57, "flat_standard_pgd50": 32.17, "flat_standard_hier50": 0.10,
             "flat_pgd10_clean": 74.85, "flat_pgd10_pgd50": 53.64, "flat_pgd10_hier50": 42.90,
             "flat_pgd10t_clean": 78.58, "flat_pgd10t_pgd50": 52.97, "flat_pgd10t_hier50": 38.50,
             "har_pgd10_clean": 73.31, "har_pgd10_pgd50": 48.78, "har_pgd10_hier50": 44.00},
      calibration="Mini (L2 eps = 1.0, PGD50, step 2.5 eps/50), 3 seeds, standard and L2-PGD10 MLPs: untargeted - "
                  "hierarchical measured 24.0-26.3 points (seeds 0-5, min over the two models); asserted > 3 in every "
                  "seed. HAR >= flat - 2 is not asserted "
                  "at the mini tier (see C003-5.06).")
claim("C003-5.12", F, "Appendix 5.D, Table 5.7",
      "HAR costs a little clean leaf accuracy on CIFAR-10 (slightly below the flat model for every defence).",
      paper={"flat_standard": 92.54, "flat_pgd10": 87.14, "flat_trades": 84.92,
             "har_standard": 92.19, "har_pgd10": 84.64, "har_trades": 83.90},
      calibration="Mini, seeds 0-5 x {standard, PGD10, TRADES}: HAR - flat clean leaf accuracy = -0.7 to +0.7 "
                  "(standard), -19 to -22 (PGD10), -8 to -10 (TRADES); tolerance 2 points at the mini tier (~1.5 SE "
                  "of a difference on 300 points), 1 point at the paper tier. Value per seed: the smallest flat + tol - HAR "
                  "over the three defences; one-sided t-test of mean > 0.")
claim("C003-5.13", F, "§5.6.1, Appendices 5.A-5.B",
      "ResNet-10 components keep the HAR's parameter count close to one ResNet-50; on CIFAR-10 and CIFAR-5x5 the HAR "
      "has fewer parameters than the flat model.", kind="theory",
      erratum="With standard CIFAR ResNet widths, 6 ResNet-10s (CIFAR-5x5) have MORE parameters than one ResNet-50 "
              "(about 29.4 M vs 23.6 M) and the CIFAR-100 HAR (21 ResNet-10s) about 4.3x more; only the CIFAR-10 "
              "HAR is smaller. Asserted: HAR/flat < 1 for CIFAR-10 and > 1 for CIFAR-5x5 and CIFAR-100.",
      calibration="Deterministic parameter counts of this suite's resnet10 / resnet50 (3x32x32 inputs).")
claim("C003-5.14", F, "§5.5.1-5.5.2, Eq. (5.2)",
      "HAR inference: F(x) = [M(x)_i L_i(x)_j], a Bayes factorisation P(y|x) = P(y|x,z) P(z|x).", kind="theory",
      calibration="Deterministic on random-weight HARs: F sums to 1, its meta marginal equals M (max error "
                  "asserted < 1e-5), CE on F = -log M_z - log L_zj, and the constructed counterexample where "
                  "meta(argmax F) != argmax M is reproduced.")
claim("C003-5.15", F, "§5.5.3",
      "Each HAR component is trained independently: the meta-classifier on all data with meta labels, each leaf "
      "classifier only on its meta-class with re-indexed labels, all with the same defence.", kind="setup",
      calibration="Structural and exact: component datasets, labels and configs checked on the mini study.")
claim("C003-5.16", F, "§5.7.1",
      "Limitations: the worst-case hierarchical attack costs grow linearly with the number of eligible targets; "
      "HAR grows with the number of meta-classes.", kind="qualitative",
      calibration="Exact: gradient evaluations = sum of targets tried x steps <= |S| x k x n; HAR parameter count "
                  "affine in the number of meta-classes (second differences 0).")
