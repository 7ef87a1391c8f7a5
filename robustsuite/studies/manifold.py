"""Shared studies and measurements of the manifold family's cases (Stutz et al., CVPR 2019).

A study fixes the data, classifier, training budget and attack budgets; `evaluate` trains (through
the model cache) and attacks one (scheme, N, seed) model once per session (`rs.memo`), so all
cases read one set of numbers.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TypeVar

import torch

import robustsuite.data.fonts as fonts_data
from robustsuite.attacks import pgd
from robustsuite.attacks.manifold import cw_l2, fonts_attack, latent_attack, success_rate
from robustsuite.claims.verdict import Sequential
from robustsuite.data import DataSpec
from robustsuite.metrics import accuracy
from robustsuite.train import TrainConfig, kw

S = TypeVar("S")
SCHEMES = ("normal", "onman", "random", "regular", "regular_paper", "mixed", "onman_weak", "onman_full",
           "regular_weak", "regular_full", "regular_random")


@dataclass(frozen=True)
class FontsStudy:
    """FONTS with its true manifold: normal training over `ns`, the other schemes over `at_ns`."""

    id: str
    dataset: str
    model: str
    model_kwargs: tuple = ()
    ns: tuple[int, ...] = (250, 500, 1000, 2000)
    at_ns: tuple[int, ...] = (250, 1000)
    variant_n: int = 250  # training size of the full / weak / random variants (App. H)
    epochs: int = 15
    lr: float = 0.01
    batch_size: int = 100
    eps: float = 0.3  # regular L_inf budget of the success rate (the paper's)
    eps_at: float = 0.3  # regular adversarial training budget
    eta: float = 0.3  # on-manifold budget (latent L_inf)
    eps_l2: float = 1.5
    train_steps: int = 4
    attack_steps: int = 20
    restarts: int = 1  # of the regular PGD attacks (the paper: 5)
    cw_steps: int = 120
    n_test: int | None = None  # test error on the first n_test images (None = all)
    n_attack: int = 200  # test images attacked
    n_project: int = 30  # adversarial examples projected per model
    proj_starts: int = 8
    proj_iters: int = 100
    placebo: tuple[tuple[str, str], ...] = ()  # a negative control: (scheme, the scheme that trains in its slot)
    attack_placebo: tuple[tuple[str, str], ...] = ()  # a negative control: (attack, the attack filling its slot)
    fixed_n: int | None = None  # a negative control: every N of the grid trains on this many images (no more data)
    doubled_budget_n: int | None = None  # a negative control: models trained on this N are attacked at 2 eps_at
    departures: tuple[str, ...] = ()  # where a paper-tier study departs from the paper's protocol (recorded)

    @property
    def datasets(self) -> tuple[str, ...]:
        return ("fonts",)  # the pytest marker (fonts_mini is the small FONTS)

    def data(self, n: int | None) -> DataSpec:
        return DataSpec(self.dataset, n_train=n, n_test=self.n_test)

    def config(self, scheme: str, n: int, seed: int) -> TrainConfig:
        label = f"{self.id}-{scheme}-n{n}-s{seed}"
        scheme = dict(self.placebo).get(scheme, scheme)
        steps = self.train_steps
        objective, okw = {
            "normal": ("standard", kw()),
            "onman": ("fonts_onmanifold_at", kw(manifold=self.dataset, eta=self.eta, steps=steps)),
            "onman_weak": ("fonts_onmanifold_at", kw(manifold=self.dataset, eta=self.eta, steps=steps, weak=True)),
            "onman_full": ("fonts_onmanifold_at", kw(manifold=self.dataset, eta=self.eta, steps=steps, fraction=1.0)),
            "random": ("fonts_onmanifold_at", kw(manifold=self.dataset, eta=self.eta, steps=steps, mode="random")),
            "regular": ("regular_at", kw(eps=self.eps_at, steps=steps)),
            "regular_paper": ("regular_at", kw(eps=self.eps, steps=steps)),  # at the paper's eps (C002-23/24)
            "regular_weak": ("regular_at", kw(eps=self.eps_at, steps=steps, weak=True)),
            "regular_full": ("regular_at", kw(eps=self.eps_at, steps=steps, fraction=1.0)),
            "regular_random": ("regular_at", kw(eps=self.eps_at, steps=steps, mode="random")),
            "mixed": ("mixed_at", kw(manifold=self.dataset, eps=self.eps_at, eta=self.eta, steps=steps)),
        }[scheme]
        return TrainConfig(self.data(self.fixed_n or n), self.model, self.model_kwargs, optimizer="adam", lr=self.lr,
                           weight_decay=1e-4, epochs=self.epochs, batch_size=self.batch_size, schedule="cosine",
                           objective=objective, objective_kwargs=okw, seed=seed,
                           label=label)


def with_placebo(study: S, trained_as: str, *schemes: str) -> S:
    """A negative control: the study (a FontsStudy or LearnedStudy) with the slots of `schemes` trained as
    `trained_as` (e.g. on-manifold adversarial training replaced by normal training)."""
    return dataclasses.replace(study, id=f"{study.id}-{schemes[0]}-as-{trained_as}",
                               placebo=(*study.placebo, *((s, trained_as) for s in schemes)))


def with_attack_placebo(study: FontsStudy, attacked_as: str, *attacks: str) -> FontsStudy:
    """A negative control: the study with the results of `attacks` ("on", "reg", "cw", "on_l2", ...)
    replaced by those of `attacked_as` (e.g. on-manifold success replaced by regular success)."""
    return dataclasses.replace(study, id=f"{study.id}-{attacks[0]}-as-{attacked_as}",
                               attack_placebo=(*study.attack_placebo, *((a, attacked_as) for a in attacks)))


def attack_slot(study: FontsStudy, attack: str) -> str:
    """The attack whose results fill `attack`'s slot: itself, unless a negative control replaces it."""
    return dict(study.attack_placebo).get(attack, attack)


def _slots(study: FontsStudy, results: dict) -> dict:
    """`results` with each attack's entry filled by its placebo's where a negative control says so."""
    return {k: results[attack_slot(study, k)] for k in results}


def manifold_of(study: FontsStudy, device: str = "cpu") -> fonts_data.FontsManifold:
    return fonts_data.FontsManifold(fonts_data.SPECS[study.dataset], device=device)


def attacked_points(study: FontsStudy, device: str = "cpu"):
    """The attacked test images with their true latents."""
    s = fonts_data.load_fonts(study.dataset, False)
    k = study.n_attack
    return tuple(t[:k].to(device) for t in (s.x, s.y, s.font, s.theta))


def regular_early(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, steps: int) -> torch.Tensor:
    """L_inf PGD that stops at the first label flip (the paper's attacks; small ||delta||)."""
    return latent_attack(model, lambda t: t, x, y, eta=eps, steps=steps, low=0.0, high=1.0, random_start=False,
                         early_stop=True).x


def evaluate(rs, study: FontsStudy, scheme: str, n: int, seed: int) -> dict:
    """Test error and success rates of one model (memoised for the session)."""

    def compute() -> dict:
        torch.manual_seed(seed)
        model = rs.model(study.config(scheme, n, seed))
        test = rs.data(study.data(None), train=False)
        x, y, font, theta = attacked_points(study, rs.device)
        man = manifold_of(study, rs.device)
        out = {"err": 1 - accuracy(model, test.x, test.y) / 100}
        g = torch.Generator().manual_seed(seed)
        out["reg"] = success_rate(model, x, y, pgd(model, x, y, eps=study.eps, steps=study.attack_steps,
                                                      restarts=study.restarts, generator=g))
        eps_at = study.eps_at * (2 if n == study.doubled_budget_n else 1)
        out["reg_at_budget"] = success_rate(model, x, y, pgd(model, x, y, eps=eps_at, steps=study.attack_steps,
                                                             generator=g))
        on = fonts_attack(model, man, y, font, theta, eta=study.eta, steps=study.attack_steps)
        out["on"] = success_rate(model, x, y, on.x)
        out["reg_l2"] = success_rate(model, x, y, pgd(model, x, y, eps=study.eps_l2, norm="l2",
                                                      steps=study.attack_steps, generator=g))
        on2 = fonts_attack(model, man, y, font, theta, eta=study.eta, steps=study.attack_steps, norm="l2")
        out["on_l2"] = success_rate(model, x, y, on2.x)
        early = regular_early(model, x, y, study.eps, 2 * study.attack_steps)
        with torch.no_grad():
            hit = (model(x).argmax(1) == y) & (model(early).argmax(1) != y)
        out["mean_linf"] = float((early - x).flatten(1).abs().amax(1)[hit].mean()) if hit.any() else study.eps
        with torch.no_grad():  # the on-manifold counterpart: mean latent ||zeta||_inf of the (early-stopped) hits
            hit_on = (model(x).argmax(1) == y) & (model(on.x).argmax(1) != y)
        out["on_mean_linf"] = float((on.z - theta).abs().amax(1)[hit_on].mean()) if hit_on.any() else study.eta
        return _slots(study, out)

    return rs.memo(("manifold-eval", study, scheme, n, seed), compute)


def cw_success(rs, study: FontsStudy, scheme: str, n: int, seed: int) -> dict:
    """C&W L2 in image space and in latent space (Eqs. 20-21), success rates."""

    def compute() -> dict:
        model = rs.model(study.config(scheme, n, seed))
        x, y, font, theta = attacked_points(study, rs.device)
        adv = cw_l2(model, x, y, steps=study.cw_steps)
        man = manifold_of(study, rs.device)
        on = fonts_attack(model, man, y, font, theta, eta=study.eta, steps=study.attack_steps, loss="cw")
        return _slots(study, {"reg_cw": success_rate(model, x, y, adv), "on_cw": success_rate(model, x, y, on.x)})

    return rs.memo(("manifold-cw", study, scheme, n, seed), compute)


def transfer(rs, study: FontsStudy, n: int, seed: int) -> dict:
    """Black-box transfer from a held-out normally trained model (largest N, another seed)."""

    def compute() -> dict:
        target = rs.model(study.config("normal", n, seed))
        source = rs.model(study.config("normal", max(study.ns), 1000 + seed))
        x, y, font, theta = attacked_points(study, rs.device)
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            both = (target(x).argmax(1) == y) & (source(x).argmax(1) == y)
        reg = pgd(source, x, y, eps=study.eps, steps=study.attack_steps, generator=g)
        man = manifold_of(study, rs.device)
        on = fonts_attack(source, man, y, font, theta, eta=study.eta, steps=study.attack_steps).x
        with torch.no_grad():
            r = ((target(reg).argmax(1) != y) & both).sum() / both.sum().clamp_min(1)
            o = ((target(on).argmax(1) != y) & both).sum() / both.sum().clamp_min(1)
        return _slots(study, {"reg_transfer": float(r), "on_transfer": float(o)})

    return rs.memo(("manifold-transfer", study, n, seed), compute)


def distances(rs, study: FontsStudy, n: int, seed: int) -> dict:
    """Distances of regular, C&W and on-manifold adversarial examples (and clean images) to the
    true manifold (multi-start projection from random starts only) and to the 50-NN subspaces."""
    from robustsuite.attacks.manifold import nn_subspace_residual, project_fonts

    def compute() -> dict:
        model = rs.model(study.config("normal", n, seed))
        x, y, font, theta = attacked_points(study, rs.device)
        man = manifold_of(study, rs.device)
        k = study.n_project
        pool = rs.data(study.data(None), train=True).x
        with torch.no_grad():
            ok = model(x).argmax(1) == y
        out: dict = {}
        reg = regular_early(model, x, y, study.eps, 2 * study.attack_steps)
        on = fonts_attack(model, man, y, font, theta, eta=study.eta, steps=study.attack_steps)
        cw = cw_l2(model, x, y, steps=study.cw_steps)
        proj = lambda pts, idx, **kw: project_fonts(man, pts[idx], y[idx], font[idx], starts=study.proj_starts,  # noqa
                                                    iters=study.proj_iters, seed=seed, **kw)
        for name, pts in _slots(study, {"reg": reg, "on": on.x, "cw": cw}).items():
            with torch.no_grad():
                hit = ok & (model(pts).argmax(1) != y)
            idx = hit.nonzero().squeeze(1)[:k]
            delta = pts[idx] - x[idx]
            norm = delta.flatten(1).norm(dim=1)
            p = proj(pts, idx)
            out[f"{name}_count"] = len(idx)
            out[f"{name}_delta_l2"] = norm
            out[f"{name}_dist"] = p.distance
            out[f"{name}_ratio"] = p.distance / norm
            out[f"{name}_proj_to_x"] = (p.image - x[idx]).flatten(1).norm(dim=1)
            out[f"{name}_nn_ratio"] = nn_subspace_residual(x[idx], delta, pool) / norm
            out[f"{name}_nn_mean"] = nn_subspace_residual(x[idx], delta, pool, centre="mean") / norm
            if name == "reg":  # the released code's start (the true theta), but really optimised
                out["reg_ratio_theta0"] = proj(pts, idx, theta0=theta[idx]).distance / norm
                out["reg_start_ratio"] = p.start_distance / norm
        idx = torch.arange(min(k, len(x)))
        out["clean_dist"] = proj(x, idx).distance
        out["clean_nn_mean"] = nn_subspace_residual(x[idx], None, pool, centre="mean") / _offset_norm(x[idx], pool)
        with torch.no_grad():
            hit_on = ok & (model(on.x).argmax(1) != y)
        out["on_zeta"] = (on.z - theta)[hit_on].abs()  # per-parameter |zeta| (C002-10)
        out["tangent"] = _tangent_fraction(model, man, x[idx], y[idx], font[idx], theta[idx], seed)
        return out

    return rs.memo(("manifold-distances", study, n, seed), compute)


def _offset_norm(x: torch.Tensor, pool: torch.Tensor, k: int = 50) -> torch.Tensor:
    """||x - mean of its k nearest pool neighbours||_2: normalises a test image's 50-NN residual."""
    idx = torch.cdist(x.flatten(1), pool.flatten(1)).topk(k, largest=False).indices
    return (x.flatten(1) - pool.flatten(1)[idx].mean(1)).norm(dim=1)


def _tangent_fraction(model, man, x, y, font, theta, seed) -> dict:
    """rho = ||P_T grad_x L|| / ||grad_x L||, T = span of the decoder Jacobian at theta (C002-07)."""
    xg = x.clone().requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(model(xg), y, reduction="sum")
    (grad,) = torch.autograd.grad(loss, xg)
    q, _ = torch.linalg.qr(man.jacobian(y, font, theta))
    g = grad.flatten(1)
    rho = (q.transpose(1, 2) @ g[..., None]).squeeze(-1).norm(dim=1) / g.norm(dim=1).clamp_min(1e-12)
    r = torch.randn(g.shape, generator=torch.Generator().manual_seed(seed)).to(g)
    rho_rand = (q.transpose(1, 2) @ r[..., None]).squeeze(-1).norm(dim=1) / r.norm(dim=1)
    return {"rho": rho, "rho_random": rho_rand}


def auc(neg, pos) -> float:
    """P(a pos value > a neg value): the AUC of separating two distance distributions."""
    from sklearn.metrics import roc_auc_score

    neg, pos = list(map(float, neg)), list(map(float, pos))
    return float(roc_auc_score([0] * len(neg) + [1] * len(pos), neg + pos))


def n_seeds(rs) -> tuple[int, ...]:
    """3 seeds at the mini tier, the paper's 5 models per N at the paper tier."""
    return rs.seeds(3 if rs.tier == "mini" else 5)


def seed_rule(rs, margin: float, mini_looks: tuple[int, ...] = (3, 6, 9)) -> Sequential:
    """The family's rule for a noisy per-seed value: a sequential one-sided t-test of mean > margin
    with looks at `mini_looks` seeds (mini), or at the paper's 5 models per N and 10 (paper).
    A case whose measured effect is small against its spread asks for later looks."""
    return Sequential(margin, 0.05, looks=mini_looks if rs.tier == "mini" else (5, 10))


def median(t) -> float:
    return float(torch.as_tensor(t, dtype=torch.float64).median())


FONTS_MINI = FontsStudy("fonts-mini-mlp", "fonts_mini", "mlp", kw(hidden=(128, 128)), eps_at=0.1)
# The paper's protocol on the full FONTS variant (22 matplotlib fonts instead of 1000 Google Fonts,
# so 21k training images and N up to 20k instead of 40k): main CNN, Adam 0.01, 20 epochs, batch
# 100, 40-step attacks and inner loops, 1000 attacked test images, 5 models per N.
FONTS_DEPARTURES = ("FONTS from the 22 fonts matplotlib ships instead of 1000 Google Fonts: 21k training images, "
                    "N up to 20k instead of 40k",)
FONTS_PAPER = FontsStudy("fonts-cnn", "fonts", "stutz_cnn", ns=(250, 500, 1000, 2500, 5000, 10000, 20000),
                         at_ns=(250, 500, 1000, 2500, 5000, 10000, 20000), variant_n=1000, epochs=20, eps_at=0.3,
                         train_steps=40, attack_steps=40, restarts=5, n_attack=1000, n_project=1000, proj_starts=8,
                         proj_iters=100, departures=FONTS_DEPARTURES)
FONTS_PAPER_MLP = FontsStudy("fonts-mlp", "fonts", "stutz_mlp", ns=FONTS_PAPER.ns, at_ns=FONTS_PAPER.at_ns,
                             variant_n=1000, epochs=20, eps_at=0.3, train_steps=40, attack_steps=40, restarts=5,
                             n_attack=1000, departures=FONTS_DEPARTURES)
FONTS_PAPER_RESNET = FontsStudy("fonts-resnet13", "fonts", "stutz_resnet13", ns=FONTS_PAPER.ns,
                                at_ns=FONTS_PAPER.at_ns, epochs=80, eps_at=0.3, train_steps=40, attack_steps=40,
                                restarts=5, n_attack=1000, departures=FONTS_DEPARTURES)
FONTS_PAPER_VGG = FontsStudy("fonts-vgg", "fonts", "stutz_vgg", ns=FONTS_PAPER.ns, at_ns=FONTS_PAPER.at_ns,
                             epochs=20, eps_at=0.3, train_steps=40, attack_steps=40, restarts=5, n_attack=1000,
                             departures=FONTS_DEPARTURES)


def data_factors(ns_ref, err_ref, ns_adv, err_adv) -> list[float]:
    """For each reference size N_ref whose error the adversarially trained model reaches inside its
    grid, N*_adv / N_ref with N*_adv log-interpolated where err_adv crosses err_ref(N_ref)."""
    import math

    out = []
    for n, target in zip(ns_ref, err_ref):
        for (n0, e0), (n1, e1) in zip(zip(ns_adv, err_adv), list(zip(ns_adv, err_adv))[1:]):
            if e0 >= target >= e1 and e0 > e1:
                w = (e0 - target) / (e0 - e1)
                out.append(math.exp(math.log(n0) + w * (math.log(n1) - math.log(n0))) / n)
                break
    return out


def pearson(a, b) -> float:
    """Pearson correlation; 0 when a series is constant, as `spearman`."""
    from scipy.stats import pearsonr

    if len(set(map(float, a))) < 2 or len(set(map(float, b))) < 2:
        return 0.0
    return float(pearsonr(a, b).statistic)


def spearman(a, b) -> float:
    """Spearman rank correlation; 0 when a series is constant (no ranks to correlate), as in
    input_distribution.spearman, instead of NaN (which no verdict rule accepts)."""
    from scipy.stats import spearmanr

    r = float(spearmanr(a, b).statistic)
    return 0.0 if math.isnan(r) else r

