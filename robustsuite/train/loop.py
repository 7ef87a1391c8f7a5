"""The training loop: seeded, deterministic on the CPU, with optional validation selection,
resumable from a checkpoint (see `checkpoint.py`). It reads its data through `batches(order,
batch_size)`, so an in-memory Split and a Stream (data too large for memory) train alike."""
from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable

import torch
from torch import nn

from robustsuite.data import Split
from robustsuite.errors import ConfigError
from robustsuite.metrics import accuracy
from robustsuite.models import create_model
from robustsuite.train.checkpoint import Checkpoint, rng_states, set_rng_states
from robustsuite.train.config import TrainConfig
from robustsuite.train.objectives import OBJECTIVES
from robustsuite.train.optim import lr_factor, make_optimizer

LoadModel = Callable[[TrainConfig], nn.Module]


def split_validation(train: Split, val_size: int) -> tuple[Split, Split | None]:
    """The last `val_size` examples of the (already shuffled) training split are held out."""
    if val_size <= 0:
        return train, None
    if not isinstance(train, Split):
        raise ConfigError(f"val_size={val_size} needs an in-memory Split to validate on; "
                          f"{getattr(train, 'name', type(train).__name__)} is streamed: use val_size=0.")
    n = len(train) - val_size
    if n < 1:
        raise ConfigError(f"val_size={val_size} leaves no training examples of a training split of "
                          f"{len(train)}; it must be below {len(train)}.")
    return train.take(slice(0, n)), train.take(slice(n, None))


def train_model(cfg: TrainConfig, data: Split, *, device: torch.device | str = "cpu",
                load: LoadModel | None = None, progress: bool = False,
                checkpoint: Checkpoint | None = None) -> tuple[nn.Module, dict]:
    """Train the model `cfg` describes on `data`; return it (in eval mode) and a history.

    `data` is a Split or a data.stream.Stream, read through the `batches` both have (the loop does
    not import Stream, so that the cache keys of Split-trained models do not depend on it).
    With a `checkpoint`, the run's full state is saved as it goes and a run that finds one
    resumes from it; the result is the same, bit for bit on the CPU, as an uninterrupted run's."""
    torch.manual_seed(cfg.seed)
    train, val = split_validation(data.to(device), cfg.val_size)
    if len(train) == 0:
        raise ConfigError(f"the training split of {cfg.data.id} is empty: there is nothing to train "
                          f"{cfg.label or cfg.model} on.")
    if cfg.init is not None:
        model = copy.deepcopy(_resolve(cfg.init, load))
    else:
        model = create_model(cfg.model, input_shape=train.input_shape, num_classes=train.num_classes,
                             **dict(cfg.model_kwargs))
    model.to(device)
    kwargs = {k: _resolve(v, load) if isinstance(v, TrainConfig) else v for k, v in cfg.objective_kwargs}
    loss_fn = OBJECTIVES.get(cfg.objective)(**kwargs)
    opt = make_optimizer(cfg.optimizer, model.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                         weight_decay=cfg.weight_decay, nesterov=cfg.nesterov)
    gen = torch.Generator().manual_seed(cfg.seed + 100_003)
    steps_per_epoch = -(-len(train) // cfg.batch_size)
    total = max(1, cfg.epochs * steps_per_epoch)
    history: dict = {"val_acc": [], "train_loss": []}
    best = (-1.0, None, -1)
    start_epoch, start_step, perm, running = 0, 0, None, None
    saved = checkpoint.load() if checkpoint is not None else None
    if saved is not None:
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["optimizer"])
        set_rng_states(saved["rng"], {"batches": gen}, device)
        history, best = saved["history"], (saved["best_acc"], saved["best_state"], saved["best_epoch"])
        start_epoch, start_step = saved["epoch"], saved["step"]
        perm = saved["perm"].to(device) if saved["perm"] is not None else None
        running = saved["running"].to(device) if saved["running"] is not None else None
        getattr(loss_fn, "state", {}).update(saved["objective_state"])

    def save(epoch: int, step: int) -> None:  # the position is the next step to run
        checkpoint.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "rng": rng_states({"batches": gen}, device),
                         "epoch": epoch, "step": step, "perm": perm, "running": running, "history": history,
                         "best_acc": best[0], "best_state": best[1], "best_epoch": best[2],
                         "objective_state": dict(getattr(loss_fn, "state", {}))})

    epochs = range(start_epoch, cfg.epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc=cfg.label or cfg.model, leave=False, initial=start_epoch, total=cfg.epochs)
    with checkpoint if checkpoint is not None else contextlib.nullcontext():
        for epoch in epochs:
            model.train()
            if perm is None:  # a fresh epoch (a resumed one keeps its permutation and running loss)
                perm = torch.randperm(len(train), generator=gen).to(device)
                running = torch.zeros((), device=device)
            batches = train.batches(perm[start_step * cfg.batch_size:], cfg.batch_size)
            for i, (x, y) in enumerate(batches, start_step):
                for g in opt.param_groups:
                    g["lr"] = cfg.lr * lr_factor(cfg.schedule, (epoch * steps_per_epoch + i) / total, cfg.milestones)
                loss = loss_fn(model, augment(x, cfg.augment, gen), y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                running += loss.detach()
                if checkpoint is not None and checkpoint.signalled():
                    save(epoch, i + 1)
                    checkpoint.after_save()
            start_step = 0
            history["train_loss"].append(float(running) / steps_per_epoch)
            perm = running = None
            if val is not None:
                acc = accuracy(model.eval(), val.x, val.y)
                history["val_acc"].append(acc)
                if cfg.select != "last" and acc > best[0]:
                    best = (acc, copy.deepcopy(model.state_dict()), epoch)
                if cfg.select == "target_val" and acc >= cfg.target_val:
                    break  # matched: keep this epoch (best so far is this one)
            if checkpoint is not None and epoch + 1 < cfg.epochs and (checkpoint.due(epoch + 1)
                                                                      or checkpoint.signalled()):
                save(epoch + 1, 0)
                checkpoint.after_save()
    if cfg.select != "last" and best[1] is not None:
        model.load_state_dict(best[1])
        history["selected_epoch"] = best[2]
        history["selected_val_acc"] = best[0]
    return model.eval(), history


def augment(x: torch.Tensor, kind: str, gen: torch.Generator) -> torch.Tensor:
    """Random horizontal flips ("hflip"), after a random crop of the 4-pixel zero-padded image
    ("crop_flip"); the draws come from the training generator, so runs stay deterministic.
    The crops are one indexing of the view of all 9 x 9 windows (no Python loop over the batch,
    no device sync), taking the same draws in the same order as a crop per image would."""
    if kind == "none":
        return x
    n, _, h, w = x.shape
    if kind == "crop_flip":
        windows = torch.nn.functional.pad(x, (4, 4, 4, 4)).unfold(2, h, 1).unfold(3, w, 1)  # n, c, 9, 9, h, w
        dy, dx = torch.randint(0, 9, (2, n), generator=gen).to(x.device)
        x = windows[torch.arange(n, device=x.device), :, dy, dx]  # n, c, h, w
    flip = (torch.rand(n, generator=gen) < 0.5).to(x.device)
    return torch.where(flip.view(-1, 1, 1, 1), x.flip(-1), x)


def _resolve(cfg: TrainConfig, load: LoadModel | None) -> nn.Module:
    if load is None:
        raise ConfigError("this config depends on another trained model; pass load= (a ModelCache.get) to train it.")
    return load(cfg)
