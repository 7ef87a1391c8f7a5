"""Thesis chapter 6 (model alignment and adversarial transferability) and chapter 7's restatements:
C003-6.01 to 6.17, C003-7.01 to 7.04. Catalog: ../shared/claims/claims-003-ch5-7.md, section 3.

Mini tier: MNIST (6,000-image subset; models trained on 500 images so that independently trained
models disagree), small CNN source, witnesses {CNN, wide MLP, small MLP}, held-out targets
{2 CNNs, MLP, LeNet-5}, 3 epochs of alignment (KL at T = 4, no cross-entropy) over 2,000 unlabeled
images with +-1-pixel shifts and N(0, 0.1^2) noise, PGD20 at eps = 0.2, transfer over qualified
points (AND filter). Paper tier: ImageNet with torchvision weights (tags in the study), CIFAR-10
zoo for the other-dataset claim.
"""
from robustsuite.claims.claim import claim

F = "alignment-transfer"
_MINI = ("3 seeds on MNIST (source CNN, 4 held-out targets, ~340-410 qualified points per cell); "
         "values per seed in the record.")

claim("C003-6.01", F, "§6.3, Eq. (6.1); App. 6.A",
      "Alignment fine-tunes only the source, by SGD on the (temperature-softened) KL to frozen witnesses "
      "(mean over witnesses), and lowers the alignment loss on held-out data.",
      kind="empirical",
      calibration="Unit tests (tests/alignment_transfer) check the spec: witness bit-identical, mean over "
                  "witnesses, T^2 scaling, KL >= 0. Mini case, 6 seeds measured: held-out KL at T = 4 fell by "
                  "70-78% (self) and 58-76% (3 witnesses); asserted > 30% (the smaller of the two) in every seed.")

claim("C003-6.02", F, "§6.4.1, Table 6.1",
      "After alignment, source-witness KL decreases, prediction agreement increases and the cosine of the "
      "input gradients increases.",
      paper={"kl_before_res50": 0.63, "kl_after_res50": 0.31, "agreement_before_res50": 80.7,
             "agreement_after_res50": 82.4, "grad_cos_before_res50": 0.043, "grad_cos_after_res50": 0.096,
             "kl_before_vitb": 0.75, "kl_after_vitb": 0.24, "agreement_before_vitb": 78.9,
             "agreement_after_vitb": 85.0, "grad_cos_before_vitb": 0.026, "grad_cos_after_vitb": 0.063},
      calibration="Mini: self-alignment (CNN witness). Per seed the smallest of (relative KL drop, agreement gain "
                  "/ 100, grad-cos gain) is asserted > 0 in every seed. Measured (6 seeds): KL 0.15-0.22 -> "
                  "0.05-0.08, agreement +2.6..4.6 points, grad-cos 0.35-0.53 -> 0.43-0.69; the CE fine-tuned "
                  "control leaves KL at 0.13-0.17 and lowers grad-cos (0.31-0.48).")

claim("C003-6.03", F, "§6.4.2, Fig. 6.2",
      "Perturbations from the aligned source carry more low-frequency (DCT) energy than those from the "
      "unaligned source.",
      calibration="Paper: low-frequency share (top-left 28 x 28 DCT block of 224 x 224) aligned > source. "
                  "Mini: same measure with the top-left 7 x 7 block of 28 x 28. Control finetuned-as-aligned (seeds "
                  "0-2): gains -0.005 / -0.004 / -0.013, inconclusive.",
      xfail_at={"mini": "no consistent direction of the low-frequency share at this scale (the pilot on 8 x 8 digits was "
                        "inconclusive too)"})

claim("C003-6.04", F, "§6.4.3, Fig. 6.3",
      "Aligned-model perturbations sit at flatter loss maxima: the loss surface around the adversarial point "
      "(plane of the perturbation and an orthogonal direction) is less sharp for the aligned source.",
      calibration="Sharpness = peak minus mean of the CE loss on a 7 x 7 grid over [-1, 1]^2 (units of the "
                  "perturbation), mean over 50 points. Mini (3-witness alignment), 6 seeds: ratio aligned/source "
                  "0.48-0.82; asserted < 1 in every seed. Caveat, recorded: the CE fine-tuned control is as flat "
                  "(0.48-0.75), so flatness alone does not explain the transfer gain at this scale.")

claim("C003-6.05", F, "§6.4.3, Table 6.2",
      "Alignment reduces the input-gradient norm and the top Hessian eigenvalue of the loss at clean, Gaussian "
      "(sigma^2 = 0.01) and PGD points.",
      paper={"grad_res50_clean_before": 0.056, "grad_res50_clean_after": 0.032, "grad_res50_pgd_before": 0.453,
             "grad_res50_pgd_after": 0.171, "lmax_res50_clean_before": 4.16, "lmax_res50_clean_after": 1.25,
             "lmax_res50_pgd_before": 0.10, "lmax_res50_pgd_after": 0.05},
      calibration="Mini (3-witness alignment): gradient-norm ratios aligned/source at clean, Gaussian and PGD "
                  "points 0.67-0.92, 0.66-0.91, 0.43-0.74 and lambda_max ratios at clean and Gaussian points "
                  "0.72-0.90, 0.60-0.88 (6 seeds, 100 points; the case uses 50); the largest of "
                  "these five ratios is asserted < 1 in every seed. lambda_max at PGD points is recorded, not "
                  "gated (ratio 0.76-1.13 over 6 seeds: both ways; the thesis' own Table 6.2 contradicts its 'most pronounced at PGD "
                  "points' for lambda_max, catalog issue 9).")

claim("C003-6.06", F, "§6.5.2, Table 6.3, Fig. 6.1",
      "Aligning a CNN source with any single CNN witness (including an independently trained copy of its own "
      "architecture) raises transfer error on nearly every target (158/160 cells); the ViT-B/16 source gains "
      "from every witness.",
      calibration="Paper: per (source, CNN witness) mean gain over targets >= +2 and >= 8/10 targets positive; "
                  "ViT-B source mean gain >= +5. Mini: single-witness self-alignment (an independently trained "
                  "copy of the source CNN); mean gain over the 4 held-out targets measured +6.4, +0.1, +1.5, "
                  "+5.8, +12.8, +9.0 in seeds 0-5 (the digits pilot saw -1.6; MNIST models trained on 500 images "
                  "disagree more); asserted > 0 in every seed, i.e. the sign only: seed 1's margin is thin. "
                  "The CE fine-tuned control loses transfer (-11.1..+0.1), so the gain is the alignment's.")

claim("C003-6.07", F, "§6.5.2, §6.6.1, Table 6.3",
      "CNN sources aligned with a ViT-family witness lose transfer to CNN targets; the ViT-B/16 source gains "
      "from CNN and ViT witnesses alike.",
      paper={"res50_vitb_cnn_targets": -12.93, "res50_swin_cnn_targets": -10.43})

claim("C003-6.08", F, "§6.5.3, Table 6.3",
      "DN121, the smallest CNN, is frequently the most effective witness (highest mean gain for >= 4 of 5 sources).",
      paper={"dn121_mean_res50": 6.35, "dn121_mean_vgg19": 5.14, "dn121_mean_dn121": 7.47,
             "dn121_mean_incv3": 4.29, "dn121_mean_vitb": 23.57})

claim("C003-6.09", F, "§6.5.3, Table 6.4",
      "A smaller witness gives larger transfer gains than a larger one of the same family.",
      paper={"res50_res18": 17.80, "res50_res101": 2.57, "res101_res18": 22.69, "res101_res50": 10.38})

claim("C003-6.10", F, "§6.5.3, Table 6.5",
      "More witnesses give modestly higher transferability (mean gain non-decreasing in the number of witnesses).",
      paper={"k1": 17.80, "k2": 18.33, "k3": 19.28, "k4": 19.59},
      calibration="Mini: source aligned with 3 heterogeneous witnesses (CNN, wide MLP, small MLP) vs with 1 "
                  "(the CNN). Value per seed: min(gain_3, gain_3 - gain_1), mean gains over the 4 held-out targets; "
                  "one-sided t-test of mean > 0 at alpha 0.05 (not every seed: the k-effect is 'modest' in the "
                  "thesis too). Measured (6 seeds): gain_3 = +8.7, +4.4, +5.5, +7.1, +15.9, +7.1 (6/6 > 0); "
                  "gain_3 - gain_1 = +2.4, +4.3, +4.1, +1.3, +3.1, -1.9 (5/6 > 0; p = 0.03 over all 6, "
                  "p = 0.01 over the default seeds 0-2). The decided value min(gain_3, gain_3 - gain_1) at seeds "
                  "0-5: +3.8, +3.5, +1.6, -0.2, +2.7, -1.1 (p = 0.045 against 0.025 at the second look: "
                  "inconclusive). With the small CNN and LeNet-5 channels-last (2026-12-06; the same models up to "
                  "float rounding, so a re-draw of the same seeds) seeds 0-2 give +3.7, +3.5, +2.2 (p = 0.010 "
                  "against 0.0125 at the first look: reproduced), while seeds 100-105 on test images from 1000 give "
                  "-2.9, +2.3, +3.0, -8.8, +0.5, -10.4 (inconclusive). The effect sits at the first look's "
                  "threshold: like C003-6.06 and 6.12, its decided mini verdict does not replicate on fresh seeds.")

claim("C003-6.11", F, "§6.5.3, Table 6.6",
      "Embedding-space alignment (penultimate layer: RKD, EGA, HINT, NCE) also improves transfer; EGA is best "
      "for Res50.",
      paper={"res50_kl": 17.80, "res50_rkd": 1.61, "res50_ega": 19.05, "res50_hint": 4.34, "res50_nce": 12.81})

claim("C003-6.12", F, "§6.5.3, Table 6.7",
      "Alignment is compatible with transfer-enhancing attacks: MI, NI, VMI, VNI, SINI, TI and DI-FGSM all "
      "transfer better from the aligned source (84/84 cells).",
      paper={"res50_mi": 17.10, "res50_ni": 14.77, "res50_vmi": 12.67, "res50_vni": 12.08, "res50_sini": 10.42,
             "res50_ti": 16.19, "res50_di": 13.71},
      calibration="Mini: eps = 0.2, 20 steps, alpha = 0.025, the first 200 test points, 3-witness alignment, TI "
                  "kernel 5, VMI/VNI 2 neighbours, SINI 3 scales; targets qualify by their own PGD20. Value per "
                  "seed: the smallest mean gain (qualified points) over the 7 attacks; sequential one-sided t-test "
                  "of mean > 0 with looks at 3 and 6 seeds (alpha 0.05 over both). Seeds 0-2 alone: smallest gains "
                  "+5.9, +5.4, +1.4 (p = 0.05, goes on to 6 seeds). Control finetuned-as-aligned (seeds "
                  "0-5): smallest gains -5.8 / -4.6 / -13.3 / -9.3 / -5.6 / -6.2, refuted.")

claim("C003-6.13", F, "§6.5.3, Table 6.8",
      "Alignment is compatible with model-modification attacks: MI-FGSM-LinBP and PGD-BPA from the aligned source "
      "transfer better to every target (all-sample rates).",
      paper={"linbp_mean_gain": 9.66, "bpa_mean_gain": 16.86},
      calibration="Mini: as C003-6.12 with linbp_mi_fgsm (later half of the ReLUs linear) and bpa_pgd; rates over "
                  "all 200 points, the denominator of Table 6.8; the smaller of the two mean gains asserted > 0 in "
                  "every seed. Qualified-point gains are recorded too. Control finetuned-as-aligned (seeds 0-2): "
                  "-5.4 / -4.3 / -6.6, refuted.",
      xfail_at={"mini": "LinBP gains nothing on the all-sample denominator: the aligned source fools itself white-box "
                        "less often"})

claim("C003-6.14", F, "§6.5.3, Table 6.9",
      "A single aligned source beats the logit ensemble of the source and its witness as a transfer surrogate.",
      paper={"res50_aligned_res18": 92.03, "ensemble_res18": 91.25},
      calibration="Mini: aligned (self) vs the logit ensemble source + self-witness, mean over targets. Control "
                  "finetuned-as-aligned (seeds 0-2): -19.8 / -15.5 / -21.2 points, refuted.",
      xfail_at={"mini": "the logit ensemble of source and witness transfers better than the self-aligned source (the "
                        "digits pilot saw the same)"})

claim("C003-6.15", F, "App. 6.B, Table 6.10",
      "Alignment gains persist on other datasets (Stanford Cars, Food101).",
      paper={"cars_swin_convnextb_before": 68.77, "cars_swin_convnextb_after": 88.89,
             "food_res50_swin_before": 26.67, "food_res50_swin_after": 31.88},
      calibration="Paper tier substitutes CIFAR-10 (a ResNet/VGG/WRN zoo trained from scratch) for Cars/Food101, "
                  "whose fine-tuned models neither torchvision nor this suite provide.")

claim("C003-6.16", F, "App. 6.C, Table 6.11",
      "Alignment gains persist against defended targets (input transformations, purification, adversarial training).",
      paper={"bitred_before": 49.22, "bitred_after": 54.70, "jpeg_before": 38.81, "jpeg_after": 53.03,
             "rs_before": 35.41, "rs_after": 43.99})

claim("C003-6.17", F, "§6.3, §6.5, §6.6",
      "Qualitative statements: prolonged alignment overfits; temperature prevents exact replication; soft labels "
      "regularise the Jacobian; alignment keeps the forward pass; no theory.",
      kind="qualitative",
      no_case="Qualitative and design statements without numbers (catalog C003-6.17 a-e: 'document, do not gate'); "
              "(c) is measured by C003-6.05 and (e) by C003-6.07.")

claim("C003-7.01", F, "§7.1", "Restatement of chapter 5 (hierarchical robustness).", kind="qualitative",
      no_case="Restates C003-5.01, 5.04-5.06, which the hierarchical family's cases check.")
claim("C003-7.02", F, "§7.1", "Restatement of chapter 6: alignment raises transferability; CNN sources need CNN "
      "witnesses.", kind="qualitative",
      no_case="Restates C003-6.06 and 6.07; their cases carry the verdicts.")
claim("C003-7.03", F, "§7.1", "Normalisation observation from chapters 3-4 (batch norm and robustness).",
      kind="qualitative", no_case="A chapter 3-4 claim (thesis-ch3-4 family); no chapter 5-6 experiment varies it.")
claim("C003-7.04", F, "§7.2", "Future-work items.", kind="qualitative", no_case="Future work, not a testable claim.")
