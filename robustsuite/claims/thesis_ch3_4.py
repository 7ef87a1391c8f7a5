"""Thesis chapters 3 (SOAR) and 4 (irrelevant frequencies, GD vs signGD): C003-1.01, 2.06-2.08,
3.01-3.24, 4.06-4.35 (4.01-4.05 and 4.08 live in thesis_optimizers.py).

Evidence quoted in skip/xfail reasons comes from this family's mini-tier measurements (digits
MLPs, 2-core CPU) and from the catalog's pilots (../shared/claims/claims-003-ch3-4.md, sections 8-9).
"""
from robustsuite.claims.claim import claim

F = "thesis-ch3-4"
# Pilot numbers, measured outside the suite (the mini tier has no SOAR table study yet, so no record
# carries them): the cases of these claims run at the paper tier only.
_TOY_SOAR = ("pilot outside the suite, not a record: digits MLP 64-256-256-10, Linf eps=0.1, seed 0 (this family's pilot, 2-core CPU): clean / PGD20: "
             "standard 96.2 / 54.2, SOAR 94.0 / 67.5, FOAR 96.7 / 66.8, PGD10-AT 95.7 / 74.8; catalog pilot (jax, "
             "40 epochs): standard 98.7 / 47.1, SOAR 98.0 / 70.8, FOAR 99.2 / 69.5, PGD10-AT 99.2 / 87.7")

# ---------------------------------------------------------------- chapters 1-2
claim("C003-1.01", F, "§1.1 contributions",
      "(a) SOAR significantly improves adversarial robustness over standard training; (b)-(e) are the chapter-4 "
      "claims C003-4.01, 4.09-4.14, 4.17-4.33, 4.04, checked by their own cases.",
      paper={"pgd20_standard": 0.14, "pgd20_soar": 56.06},
      calibration="3 seeds, digits MLP: per-seed PGD20 gain of SOAR over its own standard start; pilot gain "
                  "13-24 pts; asserted > 5 pts (paired t-test). Fine-tuning on SOAR's PGD1 points without the "
                  "regulariser (the negative control) gains 7.3 / 4.5 / 9.3 on its own (seeds 0-2), so a second case "
                  "asserts SOAR > that PGD1-only arm (4.5 / 4.5 / 3.8 pts, seeds 0-2).")
claim("C003-2.06", F, "§2.5, Table 3.2",
      "Every robustified model has lower clean accuracy than its standard counterpart.",
      paper={"standard": 92.54, "mma": 82.37, "pgd10": 80.64, "soar": 87.95, "mart": 75.88, "trades": 75.61,
             "foar": 65.84},
      xfail_at={"mini": "not shown at toy scale: " + _TOY_SOAR + " (FOAR and PGD10-AT are not below standard)."},
      calibration="paper tier: Standard - each defence >= 3 pts (reported >= 4.6).")
claim("C003-2.07", F, "§2.3, Table 3.2",
      "PGD plateaus: accuracy under PGD1000 is within 1.5 pts of PGD20 for every model.",
      paper={"soar_pgd20": 56.06, "soar_pgd1000": 54.69, "pgd10_pgd20": 42.86, "pgd10_pgd1000": 42.17},
      calibration="mini: PGD20 vs PGD200 (PGD1000 at paper tier) on the first 200 test digits, standard and SOAR "
                  "MLPs, 3 seeds; measured |gaps| <= 0.5 pt; asserted <= 2 pts for every model and seed.")
claim("C003-2.08", F, "§2.5 / §3.2 (Bishop 1995)",
      "Training with Gaussian input noise equals Tikhonov regularisation for linear least squares: "
      "E_n 1/2(<x+n,w>-y)^2 = 1/2(<x,w>-y)^2 + sigma^2/2 ||w||^2.", kind="theory",
      calibration="exact expectation vs Monte Carlo (10^6 draws): relative error < 1e-2; exact form to 1e-12.")

# ---------------------------------------------------------------- chapter 3: linear and Taylor identities
claim("C003-3.01", F, "§3.2", "Population GD on an over-parameterised linear model (data on span(e1)) converges "
      "to (w1*, w2(0), ..., wd(0)): irrelevant weights never move; L = 0.", kind="theory",
      calibration="deterministic, d=1000: irrelevant weights equal to 0 ulp, |w1-w1*| < 1e-10.")
claim("C003-3.02", F, "§3.2, Eq. 3.1", "For dx = (0, eps sign(w_j(0))) the attacked loss of the GD solution is "
      "1/2 eps^2 (sum_j |w_j(0)|)^2, independent of x.", kind="theory", calibration="exact, rtol 1e-12.")
claim("C003-3.03", F, "§3.2", "E||W||_1^2 = d sigma^2 + d(d-1)(2/pi) sigma^2 for W ~ N(0, sigma^2 I): the "
      "attacked loss grows as d^2.", kind="theory",
      calibration="Monte Carlo 10^4 draws, d in {10, 100, 1000}: within 2%; log-log slope in [1.9, 2.1].")
claim("C003-3.04", F, "§3.2", "Ridge regression removes the irrelevant weights but shrinks the relevant one: "
      "w1 = mu1/(mu1+lambda) w1*, w_j = 0.", kind="theory", calibration="numeric solve vs closed form, rtol 1e-10.")
claim("C003-3.05", F, "§3.2, Eq. 3.2", "The adversarial risk equals L(w) + eps E[r] ||w_{2:d}||_1 + eps^2/2 "
      "||w_{2:d}||_1^2 (with matching signs, issue I-14).", kind="theory",
      calibration="Monte Carlo over X (2*10^5) vs closed form, rtol 1e-2; exact when E[r], E[r^2] are analytic.")
claim("C003-3.06", F, "§3.3.3", "The first-order Taylor model recovers the first two terms of (3.2); the "
      "second-order model recovers (3.2) exactly (quadratic loss).", kind="theory", calibration="exact, rtol 1e-10.")
claim("C003-3.07", F, "§3.3.1, Eq. 3.4", "FOAR: max_{||d||_p<=eps} l + g^T d = l + eps ||g||_q; eps ||g||_1 for Linf.",
      kind="theory", calibration="exact for p in {2, inf}; brute force over the 2^d vertices of the Linf ball, d <= 8.")
claim("C003-3.08", F, "§3.3.2, Prop. 3.3.1 / Cor. 3.3.2",
      "max over the eps-ball of the second-order model <= l + (d eps^2 + 1)/2 E||Hz||_2 - 1/2.", kind="theory",
      erratum="The proof's step ||H||_F = E||Hz||_2 (3.8) is false (Jensen: E||Hz|| <= ||H||_F) and the printed "
              "bound fails: logistic model d=5, eps=0.1, ||w||=0.86, f=0.5: exact max 0.1009 > printed bound -0.0006. "
              "The bound holds with ||H||_F (and ||H||_2); the case asserts that and keeps the counterexample.",
      calibration="exact maxima (rank-1 Hessian); E||Hz|| by 2*10^5 samples (MC error < 1e-3 of a 0.1 gap).")
claim("C003-3.09", F, "§3.3.2, Eqs. 3.11-3.12",
      "The finite-difference HVP ||z|| (g(x + h z/||z||) - g(x))/h approximates Hess z with O(h) error; R is the "
      "norm of the estimated Hz times (d eps^2 + 1)/2.", kind="theory",
      calibration="fp64 softplus MLP vs autograd HVP: relative error < 1e-2 at h=0.01 and halves with h (ratio in "
                  "[1.6, 2.4]); R vs exact within 1e-2 relative.")
claim("C003-3.10", F, "App. 3.B, Table 3.6", "One z sample suffices: the SOAR loss with n = 1, 10, 100 samples "
      "is essentially the same.", paper={"begin_n1": 10.58, "begin_n100": 10.58, "end_n1": 1.57, "end_n100": 1.56},
      calibration="256 training digits (the pilot's size) at the start (standard model) and end (SOAR model) of "
                  "fine-tuning, 3 seeds; 1,400 points gave 0.9-1.7%, catalog pilot within ~7%; asserted |n1 - n100| / n100 < 10% in every seed. "
                  "Control one-point (seeds 0-2): 0.11 / 0.13 / 0.36, inconclusive.")
claim("C003-3.11", F, "§3.3.4, Eq. 3.13", "Logistic regression: the second-order max over the L2 ball is "
      "l + eps|r| ||w|| + eps^2/2 u ||w||^2, and both terms vanish as the prediction becomes confident.",
      kind="theory", calibration="exact vs sampled maximum (10^5 points, d <= 10); monotone decrease for f in "
                                 "{0.5, 0.99, 0.9999}.")

# ---------------------------------------------------------------- chapter 3: SOAR experiments (CIFAR-10 ResNet-10)
claim("C003-3.12", F, "§3.3.4, Table 3.1", "SOAR with zero or random initialisation is over-confident (mean max "
      "softmax >= 99.97% on clean, noisy and PGD1 inputs), unlike PGD1-initialised SOAR.",
      paper={"standard_clean": 98.11, "pgd10_clean": 70.33, "soar_zero_clean": 99.99, "soar_rand_clean": 99.98,
             "soar_pgd1_clean": 97.71},
      xfail_at={"mini": "no over-confidence at toy scale (this family's pilot, digits MLP, 2 seeds, mean max-softmax "
                       "clean / noise / PGD1): SOAR-zero 97.5 / 96.8 / 91.6 and 97.6 / 97.2 / 91.8, SOAR-random "
                       "98.1 / 97.8 / 90.6, SOAR-PGD1 97.1 / 96.6 / 90.6, standard 95.5 / 94.7 / 82.5 (catalog pilot: "
                       "SOAR-zero 99.1 vs SOAR-PGD1 99.7)."},
      calibration="paper tier: zero/random >= 99.5, |PGD1 - standard| <= 2 pts, PGD10 < 75.")
claim("C003-3.13", F, "App. 3.C, Table 3.7", "Zero/random-init SOAR masks gradients: white-box PGD20 ~ 90% but "
      "transferred PGD20 <= 9.2%; PGD1 init removes it.",
      paper={"zero_pgd20": 89.24, "zero_transfer": 2.86, "rand_pgd20": 90.82, "rand_transfer": 9.16,
             "pgd1_pgd20": 56.06, "pgd1_transfer": 79.25},
      xfail_at={"mini": "no masking signature at toy scale (this family's pilot, digits MLP, 2 seeds, white-box / "
                       "transferred PGD20): SOAR-zero 51.9 / 67.0 and 60.7 / 70.0, SOAR-random 52.6 / 65.7 and "
                       "57.2 / 67.0, SOAR-PGD1 67.0 / 76.6 and 64.5 / 74.1 (catalog pilot: SOAR-zero 55.2 / 73.3)."},
      calibration="paper tier: white-box - transfer >= 70 pts (zero, rand); transfer >= white-box + 15 (PGD1).")
claim("C003-3.14", F, "§3.4.2, Table 3.2", "SOAR is the most robust method under FGSM and every PGD attack, "
      "beating the best baseline by 8-10 pts, with 87.95% clean accuracy.",
      paper={"soar_clean": 87.95, "soar_fgsm": 67.15, "soar_pgd20": 56.06, "soar_pgd1000": 54.69, "mart_pgd20": 46.60,
             "pgd10_pgd20": 42.86, "trades_pgd20": 45.38},
      xfail_at={"mini": "not shown at toy scale: " + _TOY_SOAR + " (PGD10-AT beats SOAR)."},
      calibration="paper tier: SOAR - max(baselines) >= 5 pts per attack, cells +-3 pts (10k test images).")
claim("C003-3.15", F, "§3.4.2, Table 3.2", "First-order regularisation (FOAR) is insufficient: 23.8 pts below SOAR "
      "under PGD20.", paper={"foar_pgd20": 32.28, "soar_pgd20": 56.06, "foar_clean": 65.84},
      xfail_at={"mini": "FOAR is as robust as SOAR at toy scale: " + _TOY_SOAR + "."},
      calibration="paper tier: SOAR - FOAR >= 15 pts (PGD20), FOAR >= 25.")
claim("C003-3.16", F, "App. 3.C, Table 3.8 (caption swapped, I-5; columns shifted, I-4)",
      "FOAR also benefits from PGD1 initialisation (PGD20 32.28 vs 23.65 zero / 24.71 random).",
      paper={"zero_pgd20": 23.65, "rand_pgd20": 24.71, "pgd1_pgd20": 32.28},
      calibration="mini: digits MLP, FOAR fine-tuned 10 epochs from the standard model; pilot (2 seeds) PGD20 "
                  "zero / random / PGD1 init 59.9 / 60.5 / 66.8 and 58.9 / 57.2 / 67.8; the mini case (3 seeds) "
                  "measured gaps 6.3 / 7.3 / 8.8 pts (mean 7.5, sd 1.3); "
                  "asserted PGD1-FOAR - max(zero, random) > 2 pts in every seed at mini, >= 5 pts at paper tier "
                  "(reported 7.6-8.6).")
claim("C003-3.17", F, "§3.4.2, Table 3.3", "SOAR is the most robust under SimBA and transferred PGD; SimBA "
      "hurts every defence more than transfer.",
      paper={"soar_simba": 68.57, "mart_simba": 48.57, "soar_pgd20_r": 79.25, "mma_pgd20_r": 78.70},
      xfail_at={"mini": "SOAR is not the most robust model at toy scale: " + _TOY_SOAR + "."},
      calibration="paper tier: SOAR SimBA - best baseline >= 15; transfer >= every baseline - 1 pt.")
claim("C003-3.18", F, "§3.4.2, Table 3.4", "AutoAttack components: APGD-CE close to PGD20; at 8/255 SOAR is the "
      "least robust under targeted APGD-DLR (18.25) and FAB (20.22).",
      paper={"soar_apgdce_8": 53.40, "soar_dlr_8": 18.25, "soar_fab_8": 20.22, "soar_square_8": 35.94},
      xfail_at={"mini": "needs the CIFAR-10 models of Table 3.2 (SOAR is not the most robust model at toy scale: "
                       + _TOY_SOAR + ")."},
      calibration="paper tier: SOAR APGD-CE >= best baseline + 5; SOAR DLR <= min(baselines) - 5.")
claim("C003-3.19", F, "App. 3.D, Table 3.9", "SOAR trained for Linf 8/255 beats L2-PGD10-AT and L2-TRADES under "
      "white-box L2 PGD100 at every eps (by 28.8 pts at eps=1.74).",
      paper={"soar_174": 56.89, "pgd10_174": 28.09, "trades_174": 25.67, "soar_60": 75.39},
      skip_at={"mini": "needs CIFAR-10 ResNet-10 models; at toy scale SOAR does not beat PGD-AT even in Linf: "
                       + _TOY_SOAR + "."},
      calibration="paper tier: SOAR - max(PGD10, TRADES) >= 4 pts at every white-box eps.")
claim("C003-3.20", F, "App. 3.E, Table 3.10", "SOAR robustness grows with capacity: CNN6 < CNN8 < ResNet-10.",
      paper={"cnn6_pgd20": 32.83, "cnn8_pgd20": 47.30, "resnet10_pgd20": 56.06},
      xfail_at={"mini": "not monotone at toy scale (pilot, digits MLP widths 64/256/1024, SOAR PGD20): seed 0 "
                       "65.5 / 67.5 / 65.7, seed 1 65.0 / 64.5 / 72.3; clean 96.0 / 94.0 / 95.0 and 92.2 / 91.4 / 96.5. "
                       "The paper case trains CNN6 / CNN8 (our definition, models/cnn_depth.py) and ResNet-10."},
      calibration="paper tier: strict ordering in clean and PGD20 accuracy.")
claim("C003-3.21", F, "App. 3.F", "No gradient masking: the mean number of input-gradient coordinates with "
      "|dl/dx_j| > 1e-6 is 3069/3072 for SOAR (PGD1 init), 1043 for zero-init SOAR.",
      paper={"pgd10": 3072, "soar_pgd1": 3069, "soar_zero": 1043},
      xfail_at={"mini": "not reproduced at toy scale (this family's pilot, 8x8 digits, d=64, 2 seeds, mean non-zero "
                       "input-gradient coordinates): standard 63.7 / 63.6, PGD10-AT 63.8 / 63.9, SOAR-PGD1 51.6 / "
                       "58.8 (< 0.99 d), SOAR-zero 46.7 / 44.3 (> 0.5 d); catalog pilot: SOAR-PGD1 16/64."},
      calibration="paper tier: SOAR-PGD1 >= 0.99 d; zero-init <= 0.5 d.")
claim("C003-3.22", F, "App. 3.F", "An Linf PGD20 attack with eps=1 (step 2/255) spans the entire input range "
      "[0, 1], giving near black-and-white images, and drives SOAR to 0% accuracy.",
      paper={"soar_acc_eps1": 0.0},
      erratum="With step 2/255 and 20 steps a pixel moves at most 40/255, so the attack cannot 'span the whole input "
              "range'; the sanity check needs a step of at least 1/20. The case runs the printed attack and asserts "
              "the corrected statement: with step 0.1 (span 2.0) accuracy is <= 1%.",
      calibration="3 seeds, digits SOAR models: accuracy under the corrected attack measured 0%; the printed attack "
                  "(kept in the metrics) leaves 3.3-3.5%. Control small-budget (eps 0.01) judges the correction: the "
                  "corrected attack leaves 93.5 / 88.4 / 92.2% (seeds 0-2), refuted.")
claim("C003-3.23", F, "§3.5.1, Table 3.5", "Passes per minibatch: standard 1F/1B, FOAR 1F/2B, SOAR 3F/4B, "
      "k-step PGD-AT (k+1)F/(k+1)B.", paper={"soar_forward": 3, "soar_backward": 4, "foar_forward": 1,
                                              "foar_backward": 2},
      calibration="exact counts of forward calls and autograd passes in this implementation (FOAR with zero init; "
                  "PGD1 init adds 1F/1B); SOAR/standard wall-clock ratio recorded, not asserted. Control "
                  "two-z-samples: SOAR 5F/6B, inconclusive (4 of 5 hold).")
claim("C003-3.24", F, "§3.5.1", "Limitations: networks with batch normalisation do not benefit from SOAR.",
      kind="qualitative",
      skip_at={"mini": "the mini-tier SOAR models are BN-free MLPs; the claim needs a BN ResNet-10 (paper case)."},
      calibration="paper tier: PGD20 gain of SOAR over standard on BN ResNet-10 < 10 pts (asserted as stated).")

# ---------------------------------------------------------------- chapter 4: frequencies
claim("C003-4.06", F, "App. 4.B, Table 4.5", "ViT-B/16 (frozen ImageNet encoder, MLP head fine-tuned) on "
      "Imagenette: >= 99.18% clean for every optimizer, ~0% under adversarial attacks, SGD still the most robust.",
      paper={"sgd_clean": 99.18, "adam_clean": 99.93, "sgd_gauss_0.1": 91.25, "adam_gauss_0.1": 88.59},
      skip_at={"mini": "needs ImageNet-1k ViT-B/16 weights (torchvision) and Imagenette at 224 px; no CPU analogue."},
      calibration="paper tier: clean >= 99; SGD >= adaptive - 1 pt at sigma^2 0.05 and 0.1; adversarial <= 7%.")
claim("C003-4.07", F, "App. 4.B, Table 4.6", "Speech Commands: at similar clean accuracy SGD is the most robust "
      "in all 9 perturbed cells.", paper={"sgd_clean": 85.14, "adam_clean": 85.47, "sgd_l2_0.05": 20.31,
                                            "rmsprop_l2_0.05": 19.04},
      skip_at={"mini": "needs the Speech Commands audio set (torchaudio) and an M5 model; no CPU analogue."},
      calibration="paper tier: SGD >= max(adaptive) - 1 pt in every perturbed cell; |clean gap| <= 1.")
claim("C003-4.09", F, "§4.2.2, Figs 4.2, 4.10", "The spectral energy of natural images concentrates at low "
      "frequencies: mean |DCT| decays with frequency.", kind="empirical",
      calibration="band-averaged mean |DCT| over 10 radial bands strictly decreasing and band9/band0 < 0.1 for "
                  "1000 32x32 patches of scikit-learn's two photos (measured 0.06) and for digits16; deterministic.")
claim("C003-4.10", F, "§4.3.1, Fig. 4.3a", "Training on images whose low-magnitude DCT coefficients are removed "
      "barely hurts accuracy on the original test set, even for p > 50.",
      calibration="3 seeds, digits16 MLP (SGD): pilot p=0/50/70/90 -> 97.0/97.1/97.1/97.0; asserted acc(p=90) >= "
                  "acc(p=0) - 5 pts in every seed.")
claim("C003-4.11", F, "§4.3.1, Figs 4.3b, 4.4", "Low-pass filtering the training data (p% highest frequencies "
      "removed) barely hurts accuracy on the original test set for p > 50.",
      calibration="3 seeds, digits16 MLP (SGD): pilot p=0/50/90 -> 97.0/97.0/95.1; asserted acc(p=90) >= acc(p=0) - "
                  "5 pts in every seed.")
claim("C003-4.12", F, "§4.3, Claim 4.3.1", "A model only needs relevant information; its use of irrelevant "
      "information is under-constrained and can make it perturbation-sensitive.", kind="qualitative",
      no_case="a hypothesis, not a measurable statement; it is operationalised by C003-4.34 (SGD leaves the "
              "irrelevant-frequency weights unchanged, Adam/RMSProp move them), C003-4.13 (band noise) and C003-4.18 "
              "(linear theory).")
claim("C003-4.13", F, "§4.3.2, Eq. 4.5, Figs 4.6, 4.17", "Band-limited Gaussian noise: adaptive-method models "
      "are far more sensitive than SGD models to noise in the higher (irrelevant) bands.",
      calibration="3 seeds, digits16 MLP trained with bands 5-9 removed, sigma=2 per band, K=10 shared draws: "
                  "per-seed min over Adam/RMSProp of mean drop on bands 5-9 minus SGD's; pilot 1.6-3.5 pts; "
                  "asserted > 0 in every seed. The band-0 equality is recorded, not asserted (pilot: 46 vs 60 pts at "
                  "this sigma).")
claim("C003-4.14", F, "§4.2.2, §4.4.1", "The DCT is orthonormal and invertible; a linear model is the same in the "
      "frequency and spatial domains (<w, x> = <Cw, Cx>; Parseval).", kind="theory",
      calibration="exact, atol 1e-12; equals scipy.fft.dctn(norm='ortho').")
claim("C003-4.15", F, "App. 4.D.1, Table 4.8", "For d=3, X = C^T X~: each pattern of zero variances gives the "
      "printed spatial data; an irrelevant frequency makes a spatial dimension redundant.", kind="theory",
      calibration="exact: the 2 printed rows to 1e-15 and rank(Sigma) = number of relevant frequencies for all 7.")

# ---------------------------------------------------------------- chapter 4: linear theory (§4.4, App. 4.D)
claim("C003-4.16", F, "§4.4.1, Eqs. 4.7-4.9", "Worst-case L2 perturbation eps sign(<x~, w~-w~*>) w~/||w~|| and the "
      "closed-form adversarial risk (folded normal).", kind="theory",
      calibration="Monte Carlo 10^6 samples within 0.5%; the closed-form maximiser beats 10^4 random unit perturbations.")
claim("C003-4.17", F, "§4.4.1, Eq. 4.10", "Any standard-risk minimiser has R_a = eps^2/2 ||w~||^2; w~^R (zero "
      "irrelevant weights) is the unique most robust one.", kind="theory", calibration="exact, rtol 1e-10.")
claim("C003-4.18", F, "§4.4.2, Eqs. 4.11-4.13", "GD never updates irrelevant frequencies: e~(t) = (I - eta "
      "Sigma~)^t e~(0); E R_a = O(eps^2 d sigma^2).", kind="theory",
      calibration="iteration vs closed form rtol 1e-9; irrelevant coordinates unchanged to 1e-12; Monte Carlo "
                  "log-log slope of E R_a vs d in [0.95, 1.05]; the minibatch version is exact too.")
claim("C003-4.19", F, "§4.4.2, Eqs. 4.15-4.16", "The signGD step in closed form: e~(t+1) = e~(t) - eta C "
      "sign(C^T Sigma~ e~(t)).", kind="theory", calibration="10^4 random e~: spatial vs closed form, atol 1e-12.")
claim("C003-4.20", F, "App. 4.D.2, Table 4.9", "13 of the 27 sign patterns are valid, with the printed updates; "
      "non-zero updates reduce |e~0| and |e~1|; |A| and |B| change by the listed amounts.", kind="theory",
      calibration="exact enumeration.")
claim("C003-4.21", F, "App. 4.D.2, Prop. 4.D.1", "A and B never hit exactly 0 (random initialisation).",
      kind="theory", calibration="2000 random inits x 1500 steps, two variance ratios: no exact zero.")
claim("C003-4.22", F, "App. 4.D.2, Prop. 4.D.3", "Eventually |A| <= s0^2 eta (|e~0| <= sqrt3 eta) forever.",
      kind="theory", calibration="Fig. 4.7 setup and 2000 random inits: max_{t>=T}|A| <= s0^2 eta (1 + 1e-12).")
claim("C003-4.23", F, "App. 4.D.2, Prop. 4.D.4", "Transient partitions reach the stationary ones within 3 "
      "iterations; in the stationary partitions A stays 2-periodic with alternating sign and |A| <= 2 s0^2 eta/3.",
      kind="theory",
      erratum="'Once stationary, A(t+2i) = A(t) for all i' fails: while B is still being corrected the orbit of A "
              "changes when |B| falls below |A| (e.g. s^2=(1, 0.25), eta=1: A = 0.0299 at t=147, 0.6966 at t=149), "
              "and |A| <= 2 s0^2 eta/3 fails (I-2). The case asserts the corrected statement: A starts a 2-periodic "
              "sign-alternating oscillation within 3 iterations of entering |A| < s0^2 eta, and is eventually "
              "2-periodic with |A| < s0^2 eta.",
      calibration="2000 random inits for each of s1^2/s0^2 in {0.25, 0.1, 1}; exact recursion.")
claim("C003-4.24", F, "App. 4.D.2, Remark 4.D.5", "Asymptotically A oscillates in [-2 s0^2 eta/3, 2 s0^2 eta/3] "
      "and B stays in [-s1^2 eta, s1^2 eta]: limsup|e~0| = 2 sqrt3 eta/3, limsup|e~1| = sqrt2 eta.", kind="theory",
      erratum="Fig. 4.7's own setup reaches |e~0| = 0.01324 > 2 sqrt3 eta/3 = 0.01155, and random inits with "
              "|B(0)| < s0^2 eta keep |B| above s1^2 eta forever (B never moves). The case asserts the corrected "
              "bounds limsup|A| <= s0^2 eta and limsup|B| <= max(s0^2, s1^2) eta (both O(eta)).",
      calibration="Fig. 4.7 trajectory (20000 steps) and 2000 random inits; exact recursion.")
claim("C003-4.25", F, "App. 4.D.2, Cor. 4.D.6, Eq. 4.22", "Once |e~0| < sqrt3 eta, e~2 moves by at most "
      "(2 sqrt6/3) eta more (positive/negative A imbalance <= 2).", kind="theory",
      erratum="In Fig. 4.7's setup e~2 moves 0.0245 > (2 sqrt6/3) eta = 0.0163 after T=638 (three same-sign steps "
              "of A, imbalance 3, I-3). The case asserts the O(eta) statement |e~2(inf) - e~2(T)| <= 5 eta.",
      calibration="Fig. 4.7 trajectory, exact.")
claim("C003-4.26", F, "§4.4.2, Eq. 4.24", "signGD reaches near-zero standard risk O((s0^2 + s1^2) eta^2); GD "
      "reaches exactly 0.", kind="theory", calibration="Fig. 4.7: R_s = 1.04e-6 vs (s0^2+s1^2) eta^2 = 1.25e-6; "
                                                      "asserted <= 2 (s0^2+s1^2) eta^2.")
claim("C003-4.27", F, "App. 4.D.2, Prop. 4.D.7", "The number of e~2-moving steps before A oscillates is 0 in "
      "P1/P2, T in P3/P5, |B(0)|/(s1^2 eta) - [2, 1] s0^2/s1^2 in P4, (|B(0)| - s0^2 eta)/(s0^2 eta/3) in P6.",
      kind="theory", calibration="2000 random inits per variance ratio (0.25, 0.1, 1, 0.5): exact in P1, P2, P3, "
                                 "P5; within the interval + 1 in P4 (measured max 0.95); within 3 in P6 (measured max "
                                 "2.91, the count is an integer, the prediction is not).")
claim("C003-4.28", F, "App. 4.D.2, Prop. 4.D.8", "|dw~2| = C(sqrt3|e~0(0)| - 3 eta) or C(3 sqrt2 s1^2/(2 s0^2) "
      "|e~1(0)| - 3 eta), C in [sqrt6/6, sqrt6/3].", kind="theory",
      calibration="Fig. 4.7: predicted [2.155, 4.310], simulated 4.319; asserted inside the interval widened by 3 eta.")
claim("C003-4.29", F, "§4.4.2, Eq. 4.19", "GD is always more robust than signGD in the 3-D model; the ratio "
      "R_a(signGD)/R_a(GD) lies in 1 + [1/2, 2] w0*^2/(..) or 1 + [3/4, 3] r^2 w1*^2/(..).", kind="theory",
      calibration="400 random w~* (|w~*_i| in [2, 10]), inits N(0, 0.01^2), s1^2/s0^2 in {0.1, 0.25}, eta=0.002: "
                  "ratio > 1 in 100% and inside the interval +-0.02 in 100% (asserted >= 95%). At eta=0.01, 2% of "
                  "the s1^2/s0^2=0.1 draws fall below 1 (O(eta) residual of e~1 when the predicted gain is < 0.5%), "
                  "consistent with the stated small-eta assumption.")
claim("C003-4.30", F, "§4.4.2, Fig. 4.7", "In the Fig. 4.7 setup all methods reach ~zero standard risk, but "
      "signGD/GD adversarial-risk ratio is 1.146; Adam and RMSProp are also worse than GD; GD keeps w~2 = 0.02.",
      kind="theory", paper={"ratio_signgd_gd": 1.146, "abs_A0": 0.0289, "abs_B0": 0.0177},
      calibration="population gradient, 20000 steps (GD by its closed form): measured 1.1451; asserted within "
                  "0.005 of 1.146; Adam 1.193, RMSProp 1.232 asserted > 1.05. Minibatch signGD (1000 fresh samples "
                  "per step, 3000 steps, 3 seeds): 1.123 / 1.134 / 1.129, asserted in [1.10, 1.16].")
claim("C003-4.31", F, "App. 4.D.3", "An irrelevant frequency makes one spatial dimension redundant: every w* + a "
      "b2 is a standard-risk minimiser and ||w* + a b2|| = ||w*|| + |a|.", kind="theory",
      erratum="The printed norm identity is wrong (I-6): orthogonality gives ||w* + a b2||^2 = ||w*||^2 + a^2. The "
              "case asserts the squared identity and keeps the printed one's counterexample.",
      calibration="exact, rtol 1e-12.")
claim("C003-4.32", F, "§4.5, Eq. 4.20", "||ReLU(W(x+dx)) - ReLU(Wx)||_p <= ||W||_p ||dx||_p and the Lipschitz "
      "constant of a composition is at most the product of the layers'.", kind="theory",
      calibration="10^5 random triples per p in {1, 2, inf}; 2-layer net: PGD-found ratios <= product bound.")
claim("C003-4.33", F, "§4.2.1, Eqs. 4.2-4.3", "Memory-free Adam/RMSProp reduce to signGD: w - eta g/|g|.",
      kind="theory", calibration="PyTorch Adam with betas=(0, 0), eps=0 equals SignGD step for step (atol 1e-7, fp32).")
claim("C003-4.34", F, "Claim 4.3.1 made testable (catalog §5)", "SGD leaves first-layer weights in the removed-"
      "frequency subspace unchanged; Adam and RMSProp move them.",
      calibration="3 seeds, digits16 MLP trained on data with bands 5-9 removed: pilot drift SGD 2.5e-6 (fp32), Adam "
                  "3.2, RMSProp 4.3; asserted SGD <= 1e-4 and min(Adam, RMSProp) >= 0.5 in every seed.")
claim("C003-4.35", F, "§4.6", "Conclusions and limitations (signGD as a proxy, linear models only, standard "
      "objective only).", kind="qualitative",
      no_case="a summary of C003-4.01, 4.13, 4.29 and 4.04 plus limitations; nothing new to measure.")
