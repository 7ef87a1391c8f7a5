"""Adversarial training with a "focus" set, as the data-perspective paper runs it (Wang et al.'s
pipeline, DM-Improves-AT): PGD or TRADES training, an EMA copy of the weights, a tracking set
attacked every epoch to pick the "best" checkpoint (the paper's focus F1), explicit injection of
adversarial focus examples into every batch (the paper's "*" rows, F2), and the paper's
learning-rate variants a to e.

Tracking runs on the EMA copy inside a guard that turns off parameter gradients and training
mode, with its own random generator, and the EMA copy is updated through `.data`: so which set
is tracked cannot change the trained parameters (the paper's "glitch", C000-30). The guard can be
switched off to show that even a leaking context manager leaves the live model untouched.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import json
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from robustsuite.attacks import pgd
from robustsuite.attacks.pgd import project, random_start
from robustsuite.data import Split
from robustsuite.errors import ConfigError, choice, positive
from robustsuite.models import create_model, swap_relu_for_silu
from robustsuite.train.checkpoint import Checkpoint, rng_states, set_rng_states
from robustsuite.train.config import TrainConfig
from robustsuite.train.focus_schedule import LR_VARIANTS, paper_lr
from robustsuite.train.optim import lr_factor, make_optimizer

LOSSES = ("pgd_at", "trades")


@dataclass(frozen=True)
class FocusConfig:
    """A focus-training run. Index sets refer to the training split as `base.data` loads it."""

    base: TrainConfig  # data, model, optimizer, lr (max lr), momentum, weight decay, epochs, batch, schedule, seed
    eps: float
    norm: str = "linf"
    steps: int = 5  # the training attack
    step_size: float | None = None
    loss: str = "pgd_at"  # or "trades"
    beta: float = 6.0  # TRADES
    label_smoothing: float = 0.0
    holdout: tuple[int, ...] = ()  # removed from training (the paper's "-v", "-s")
    focus: tuple[int, ...] = ()  # F2: adversarial examples of these points are injected into every batch
    per_batch: int = 0
    focus_steps: int = 20
    track: tuple[int, ...] = ()  # F1: attacked every epoch on the evaluated model; picks the best epoch
    monitor: tuple[tuple[int, ...], ...] = ()  # more sets whose per-epoch robust accuracy is logged
    track_steps: int = 40
    ema_decay: float = 0.0  # 0: no weight averaging
    guard: bool = True  # tracking inside a no-parameter-gradient, eval-mode context
    shared_tracking_rng: bool = False  # a negative control (C000-30): tracking draws from the training stream
    lr_variant: str = "base"  # "base": base.schedule; "a".."e": the paper's variants of a 1-cycle schedule
    swish: bool = False  # nn.ReLU modules become nn.SiLU (the paper's wrn-28-10-swish); see swap_relu_for_silu
    augment: bool = False  # random crop (pad 4) and horizontal flip, DM-Improves-AT's `--augment base`
    generated: str = ""  # npz with `image` (N,H,W,C uint8) and `label`: generated data mixed into batches
    generated_fraction: float = 0.0  # share of every batch drawn from `generated` (the paper: 0.8)
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        choice("loss", self.loss, LOSSES)
        choice("lr_variant", self.lr_variant, LR_VARIANTS)
        choice("norm", self.norm, ("linf", "l2"))
        positive("eps", self.eps, allow_zero=True)
        positive("per_batch", self.per_batch, allow_zero=True)
        if self.per_batch and not self.focus:
            raise ConfigError("per_batch > 0 needs a focus set (focus=indices).")
        if self.generated_fraction and not self.generated:
            raise ConfigError("generated_fraction > 0 needs generated= (a path to an npz of images and labels).")
        if not 0.0 <= self.generated_fraction < 1.0:
            raise ConfigError(f"generated_fraction={self.generated_fraction} must lie in [0, 1).")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ConfigError(f"ema_decay={self.ema_decay} is not allowed; use 0 (off) or a value in (0, 1).")

    @property
    def model(self) -> str:  # the model cache names files by it
        return f"focus-{self.base.model}"

    def replace(self, **changes) -> "FocusConfig":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in ("base", "label")}
        d["base"] = self.base.to_dict()
        if not self.shared_tracking_rng:  # absent at its default: adding the field changed no cache key
            del d["shared_tracking_rng"]
        return d

    def digest(self, salt: str = "") -> str:
        blob = json.dumps(self.to_dict(), sort_keys=True, default=str) + salt
        return hashlib.sha256(blob.encode()).hexdigest()[:20]


@dataclass
class FocusResult:
    live: nn.Module
    ema: nn.Module | None
    history: dict

    @property
    def final(self) -> nn.Module:
        """The weights the paper evaluates: the EMA copy when there is one."""
        return self.ema if self.ema is not None else self.live


@contextlib.contextmanager
def no_param_grad_and_eval(model: nn.Module, enabled: bool = True):
    """DM-Improves-AT's ctx_noparamgrad_and_eval: parameters stop requiring gradients and every
    module leaves training mode; both are restored on exit."""
    if not enabled:
        yield model
        return
    grads = [p.requires_grad for p in model.parameters()]
    modes = [m.training for m in model.modules()]
    for p in model.parameters():
        p.requires_grad_(False)
    model.eval()
    try:
        yield model
    finally:
        for p, g in zip(model.parameters(), grads):
            p.requires_grad_(g)
        for m, t in zip(model.modules(), modes):
            m.training = t


def tracking_attack(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float, norm: str, steps: int,
                    generator: torch.Generator) -> torch.Tensor:
    """PGD with the CW margin loss and a uniform random start, written as DM-Improves-AT's
    perturb_iterative writes it: `loss.backward()` (so gradients reach any parameter that still
    requires them), not a gradient with respect to the input only."""
    delta = random_start(x, eps, norm, generator)
    step = 2.5 * eps / steps
    for _ in range(steps):
        delta.requires_grad_(True)
        logits = model(x + delta)
        true = logits.gather(1, y[:, None]).squeeze(1)
        other = logits.masked_fill(F.one_hot(y, logits.shape[1]).bool(), float("-inf")).amax(1)
        (other - true).sum().backward()
        with torch.no_grad():
            g = delta.grad
            delta = delta + step * (g.sign() if norm == "linf" else g / g.flatten(1).norm(dim=1).clamp_min(1e-12)
                                    .view(-1, *([1] * (x.dim() - 1))))
            delta = project(delta, x, eps, norm)
    return (x + delta).detach()


def _trades_loss(model, x, y, cfg: FocusConfig, step: float) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        p_nat = F.softmax(model(x), 1)
    x_adv = (x + 0.001 * torch.randn_like(x)).clamp(0, 1).detach()
    for _ in range(cfg.steps):
        x_adv.requires_grad_(True)
        kl = F.kl_div(F.log_softmax(model(x_adv), 1), p_nat, reduction="sum")
        (g,) = torch.autograd.grad(kl, x_adv)
        with torch.no_grad():
            d = step * (g.sign() if cfg.norm == "linf" else g / g.flatten(1).norm(dim=1).clamp_min(1e-12)
                        .view(-1, *([1] * (x.dim() - 1))))
            x_adv = (x + project(x_adv + d - x, x, cfg.eps, cfg.norm)).detach()
    model.train()
    logits = model(x)
    return (F.cross_entropy(logits, y, label_smoothing=cfg.label_smoothing)
            + cfg.beta * F.kl_div(F.log_softmax(model(x_adv), 1), F.softmax(logits, 1), reduction="batchmean"))


def _augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random crop with 4-pixel zero padding and a random horizontal flip, per image."""
    n, _, h, w = x.shape
    padded = F.pad(x, (4, 4, 4, 4))
    dy, dx = (torch.randint(0, 9, (n,), generator=gen) for _ in range(2))
    out = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])
    flip = (torch.rand(n, generator=gen) < 0.5).to(x.device)
    return torch.where(flip.view(-1, 1, 1, 1), out.flip(3), out)


def load_generated(path: str) -> Split:
    """Generated images (Wang et al.'s npz: `image` N,H,W,C uint8, `label`) as a Split."""
    import numpy as np

    try:
        blob = np.load(path)
    except OSError as err:
        from robustsuite.errors import DataNotFoundError

        raise DataNotFoundError(f"generated data {path!r} could not be read ({err}).") from None
    x = torch.from_numpy(blob["image"]).permute(0, 3, 1, 2).float().div(255.0)
    y = torch.from_numpy(blob["label"]).long()
    return Split(x, y, int(y.max()) + 1)


def _robust_acc(model, x, y, cfg: FocusConfig, gen: torch.Generator, guard: bool) -> float:
    with no_param_grad_and_eval(model, guard):
        model.eval()
        adv = tracking_attack(model, x, y, eps=cfg.eps, norm=cfg.norm, steps=cfg.track_steps, generator=gen)
        with torch.no_grad():
            return 100.0 * (model(adv).argmax(1) == y).float().mean().item()


def train_focus(cfg: FocusConfig, data: Split, device: str | torch.device = "cpu",
                checkpoint: Checkpoint | None = None) -> FocusResult:
    """Train `cfg` on the full training split `data` (holdout removed here); see the module doc.
    With a `checkpoint`, the run saves its full state as it goes and resumes from it, as
    `train_model` does."""
    b = cfg.base
    torch.manual_seed(b.seed)
    data = data.to(device)
    keep = torch.ones(len(data), dtype=torch.bool)
    keep[list(cfg.holdout)] = False
    train = data.take(keep.nonzero().squeeze(1).to(device))
    model = create_model(b.model, input_shape=data.input_shape, num_classes=data.num_classes, **dict(b.model_kwargs))
    swapped = swap_relu_for_silu(model) if cfg.swish else 0
    model.to(device)
    ema = copy.deepcopy(model) if cfg.ema_decay > 0 else None
    opt = make_optimizer(b.optimizer, model.parameters(), lr=b.lr, momentum=b.momentum, weight_decay=b.weight_decay,
                         nesterov=b.nesterov)
    gen = torch.Generator().manual_seed(b.seed + 100_003)  # batches and injected picks
    # tracking attacks: never the training stream (except in C000-30's negative control)
    track_gen = gen if cfg.shared_tracking_rng else torch.Generator().manual_seed(b.seed + 7)
    step = cfg.step_size if cfg.step_size is not None else 2.5 * cfg.eps / cfg.steps
    steps_per_epoch = -(-len(train) // b.batch_size)
    total = max(1, b.epochs * steps_per_epoch)
    fx, fy = data.x[list(cfg.focus)], data.y[list(cfg.focus)]
    extra = load_generated(cfg.generated) if cfg.generated else None
    n_gen = int(round(b.batch_size * cfg.generated_fraction)) if extra is not None else 0
    real_bs = b.batch_size - n_gen
    sets = {"track": cfg.track, **{f"monitor{i}": s for i, s in enumerate(cfg.monitor)}}
    hist: dict = {"lr": [], "train_loss": [], "relu_swapped": swapped, **{k: [] for k, s in sets.items() if s}}
    best = (-1.0, -1)
    generators = {"batches": gen, "tracking": track_gen}
    start_epoch, start_step, perm, running, f_adv, lr = 0, 0, None, 0.0, None, None
    saved = checkpoint.load() if checkpoint is not None else None
    if saved is not None:
        model.load_state_dict(saved["model"])
        if ema is not None:
            ema.load_state_dict(saved["ema"])
        opt.load_state_dict(saved["optimizer"])
        set_rng_states(saved["rng"], generators, device)
        hist, best = saved["history"], tuple(saved["best"])
        start_epoch, start_step, running, lr = saved["epoch"], saved["step"], saved["running"], saved["lr"]
        perm = saved["perm"].to(device) if saved["perm"] is not None else None
        f_adv = saved["f_adv"].to(device) if saved["f_adv"] is not None else None

    def save(epoch: int, next_step: int) -> None:
        checkpoint.save({"model": model.state_dict(), "ema": ema.state_dict() if ema is not None else None,
                         "optimizer": opt.state_dict(), "rng": rng_states(generators, device), "epoch": epoch,
                         "step": next_step, "perm": perm, "running": running, "lr": lr, "f_adv": f_adv,
                         "history": hist, "best": list(best)})

    with checkpoint if checkpoint is not None else contextlib.nullcontext():
        for epoch in range(start_epoch, b.epochs):
            lr_epoch = paper_lr(cfg.lr_variant, epoch, b.epochs, b.lr) if cfg.lr_variant != "base" else None
            if perm is None:  # a fresh epoch (a resumed one keeps its permutation, focus examples, loss)
                if cfg.per_batch:  # F2: this epoch's adversarial focus examples, crafted on the live model
                    model.eval()
                    f_adv = pgd(model, fx, fy, eps=cfg.eps, norm=cfg.norm, steps=cfg.focus_steps, generator=gen)
                perm = torch.randperm(len(train), generator=gen).to(device)
                running = 0.0
            for i in range(start_step, steps_per_epoch):
                progress = (epoch * steps_per_epoch + i) / total
                lr = lr_epoch if lr_epoch is not None else b.lr * lr_factor(b.schedule, progress, b.milestones)
                for g in opt.param_groups:
                    g["lr"] = lr
                idx = perm[(i * real_bs) % len(train):][:real_bs]
                x, y = train.x[idx], train.y[idx]
                if n_gen:
                    g_idx = torch.randint(len(extra), (n_gen,), generator=gen)
                    x, y = torch.cat([x, extra.x[g_idx].to(device)]), torch.cat([y, extra.y[g_idx].to(device)])
                if cfg.augment:
                    x = _augment(x, gen)
                if cfg.loss == "pgd_at":
                    model.eval()
                    x = pgd(model, x, y, eps=cfg.eps, norm=cfg.norm, steps=cfg.steps, step_size=step, generator=gen)
                if cfg.per_batch:
                    pick = torch.randint(len(fx), (cfg.per_batch,), generator=gen).to(device)
                    x, y = torch.cat([x, f_adv[pick]]), torch.cat([y, fy[pick]])
                model.train()
                if cfg.loss == "trades":
                    loss = _trades_loss(model, x, y, cfg, step)
                else:
                    loss = F.cross_entropy(model(x), y, label_smoothing=cfg.label_smoothing)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                running += float(loss.detach())
                if ema is not None:
                    with torch.no_grad():
                        for pe, p in zip(ema.parameters(), model.parameters()):
                            pe.data.mul_(cfg.ema_decay).add_(p.data, alpha=1 - cfg.ema_decay)
                        for be, bl in zip(ema.buffers(), model.buffers()):
                            be.data.copy_(bl.data)
                if checkpoint is not None and checkpoint.signalled():
                    save(epoch, i + 1)
                    checkpoint.after_save()
            start_step, perm = 0, None
            hist["lr"].append(lr)
            hist["train_loss"].append(running / steps_per_epoch)
            evaluated = ema if ema is not None else model
            for name, s in sets.items():
                if s:
                    acc = _robust_acc(evaluated, data.x[list(s)], data.y[list(s)], cfg, track_gen, cfg.guard)
                    hist[name].append(acc)
                    if name == "track" and acc >= best[0]:
                        best = (acc, epoch)
            if checkpoint is not None and epoch + 1 < b.epochs and (checkpoint.due(epoch + 1)
                                                                    or checkpoint.signalled()):
                save(epoch + 1, 0)
                checkpoint.after_save()
    hist["best_epoch"] = best[1]
    model.eval()
    if ema is not None:
        ema.eval()
    return FocusResult(model, ema, hist)


def parameters_equal(a: nn.Module, b: nn.Module) -> tuple[bool, float]:
    """Bit-for-bit equality of two models' parameters and buffers, and the largest difference."""
    sa, sb = a.state_dict(), b.state_dict()
    same = sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    diff = max((float((sa[k].double() - sb[k].double()).abs().max()) for k in sa if sa[k].numel()), default=0.0)
    return same, diff
