"""`--smoke`: every case of a tier runs end to end at toy size, to prove its code paths before
GPU-hours are spent. Its verdicts mean nothing; its records carry `smoke: true`.

THE RULE (the only difference between a smoke run and a real one): every study is shrunk once,
when its cases are parametrized; every integer it holds is capped by the name of the field (or
keyword argument) holding it:

    ...epochs                        -> 1   (0 stays 0: zero-epoch configs load weights)
    ...steps, ...iters, ...queries   -> 2   (attacks, adversarial training, projections)
    ...restarts, ...starts, ...rounds -> 1  (rounds: of a perf benchmark's timing)
    ...targets                       -> 1   (target classes an attack tries in turn: AutoAttack's, the
                                            hierarchical search's)
    (a None under these caps, no limit, is capped too)
    ...grid                          -> 3   (points per axis of a loss-surface slice)
    ...draws                         -> 2   (Monte Carlo draws: noise draws, z samples)
    ..._size but not ...batch_size   -> EXAMPLES // 4  (val_size, set_size: subsets of a training split)
    looks (a sequential rule's seed counts) -> (SEEDS,)
    example counts n_..., ..._n, ..._points, batch -> EXAMPLES  (for n_...: None, "all", too)
    sweeps of example counts ns, ..._ns, sizes -> EXAMPLES per doubling beyond 64:
                                        n -> min(n, EXAMPLES * max(1, bit_length(n) - 6)),
                                        so 250, 500, 1000, 2000 -> 64, 96, 128, 160 stay distinct and
                                        ordered; None (all the data) stays None
    (names containing "class" are left alone: class counts fix shapes)

recursively through frozen dataclasses, tuples and keyword-pair tuples. Training configs that
reach the model cache are capped again for epochs/steps/iters/restarts (configs a case builds
from module constants; their example counts are left as set), and so is every attack when it
runs, its function's keyword defaults included (attacks a case builds from literals, such as a
PGD-1000 column or SimBA's 3,072 iterations). A case gets at most SEEDS seeds,
and datasets absent from --data-root are replaced by their stand-ins (robustsuite.data.standins:
real shapes, channels and class counts). Architectures, objectives, attacks and every other field
are untouched, so the smoke run executes the real code paths; pretrained weights that are not
cached are replaced by a random initialisation of the same architecture. Last, every split a case
or a training loads (test and training alike) whose inputs are larger than a CIFAR image keeps only
its first VALUES // (values per input) examples, at least 2 (2 ImageNet images, 12 CelebA crops, 6
speech clips), and a training split EXAMPLES // 4 more, room for the validation subset the rule leaves
(val_size): one fine-tuning step of ResNet-50 at 224 pixels on 32 images costs 15-20 s on one CPU
core, and a 224-pixel alignment case takes a dozen of them.
"""
from __future__ import annotations

import dataclasses
import math
from typing import TypeVar

T = TypeVar("T")
EXAMPLES = 32  # examples per split subset and attacked batch
SEEDS = 2  # seeds per case (a rule that needs a spread gets one)
CIFAR_VALUES = 3 * 32 * 32  # values per CIFAR image: inputs larger than this are "large"
VALUES = EXAMPLES * CIFAR_VALUES  # values a loaded split of large inputs keeps: EXAMPLES CIFAR images' worth
_CAPS = (("epochs", 1), ("steps", 2), ("iters", 2), ("queries", 2), ("restarts", 1), ("starts", 1), ("rounds", 1),
         ("targets", 1), ("grid", 3), ("draws", 2))
_SWEEPS = ("ns", "sizes")


def _kind(name: str) -> str | None:
    """Which part of the rule applies to a field called `name` (None: left alone)."""
    name = name.lower()
    if "class" in name:
        return None
    if any(name.endswith(suffix) for suffix, _ in _CAPS):
        return "compute"
    if name == "looks":
        return "looks"
    if name.endswith("_size") and not name.endswith("batch_size"):
        return "subset"
    if name in _SWEEPS or name.endswith("_ns"):
        return "sweep"
    if name == "batch" or name.startswith("n_") or name.endswith(("_n", "_points")):
        return "count"
    return None


def _compute_cap(name: str) -> int:
    """The cap of a field the rule reads as compute (epochs, steps, targets, ...)."""
    return next(c for suffix, c in _CAPS if name.lower().endswith(suffix))


def _int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _sweep(n: int) -> int:
    return min(n, EXAMPLES * max(1, n.bit_length() - 6))


def smaller(name: str, value: object, *, sizes: bool = True) -> object:
    """`value` of a field called `name` under the rule (the same object when the rule leaves it)."""
    kind = _kind(name)
    if kind is None or (not sizes and kind != "compute"):
        return value
    if kind == "count" and value is None and name.lower().startswith("n_"):
        return EXAMPLES
    if kind == "compute" and value is None:
        return _compute_cap(name)
    if kind == "looks" and isinstance(value, tuple):
        new = tuple(dict.fromkeys(min(v, SEEDS) for v in value))  # still strictly increasing
        return value if new == value else new
    if kind == "sweep":
        f = _sweep
    else:
        cap = {"subset": EXAMPLES // 4, "count": EXAMPLES}.get(kind) or _compute_cap(name)
        f = lambda v: min(v, cap)  # noqa: E731
    if _int(value):
        new = f(value)
        return value if new == value else new
    if isinstance(value, tuple) and value and all(_int(v) or v is None for v in value):
        new = tuple(v if v is None else f(v) for v in value)
        return value if new == value else new
    return value


def shrink(obj: T, *, sizes: bool = True) -> T:
    """`obj` with the smoke rule applied to every field it holds, at any depth; sizes=False
    applies only the compute caps (epochs, steps, iters, restarts, ...: the `_CAPS` names)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for f in dataclasses.fields(obj):
            if not f.init:
                continue
            value = getattr(obj, f.name)
            new = _capped(f.name, value, sizes)
            if new is not value:
                changes[f.name] = new
        return dataclasses.replace(obj, **changes) if changes else obj
    if isinstance(obj, tuple):
        if obj and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in obj):  # kw(...) pairs
            new = tuple((k, _capped(k, v, sizes)) for k, v in obj)
        else:
            new = tuple(shrink(v, sizes=sizes) for v in obj)
        return obj if all(a is b for a, b in zip(new, obj)) else new
    return obj


def capped_attack(spec):
    """An AttackSpec under the rule's compute caps, with its function's defaults written out first
    (so an attack left at a default of 100 iterations is capped too)."""
    return shrink(spec.with_defaults(), sizes=False)


def _capped(name: str, value: object, sizes: bool) -> object:
    """A field's value under the rule; a value the rule does not cap by its name is searched inside."""
    new = smaller(name, value, sizes=sizes)
    return shrink(value, sizes=sizes) if new is value else new


def without_weights(cfg):
    """A training config whose model is built without pretrained weights (the stand-in for absent
    weights in a smoke run: `weights` -> None, `pretrained` -> False)."""
    stand_in = {"weights": None, "pretrained": False}
    return cfg.replace(model_kwargs=tuple((k, stand_in.get(k, v)) for k, v in cfg.model_kwargs))


def examples(input_shape: tuple[int, ...], *, train: bool = False) -> int | None:
    """How many examples a smoke run keeps of a split with inputs of this shape: for inputs larger
    than a CIFAR image, VALUES worth (at least 2), and for a training split room for a validation
    subset besides; None (all of them) for the others."""
    size = math.prod(input_shape)
    return max(2, VALUES // size) + (EXAMPLES // 4 if train else 0) if size > CIFAR_VALUES else None


def seeds(seeds: tuple[int, ...]) -> tuple[int, ...]:
    """The first SEEDS of a case's seeds."""
    return seeds[:SEEDS]
