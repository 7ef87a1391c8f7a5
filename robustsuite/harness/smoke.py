"""`--smoke`: every case of a tier runs end to end at toy size, to prove its code paths before
GPU-hours are spent. Its verdicts mean nothing; its records carry `smoke: true`.

THE RULE (the only difference between a smoke run and a real one): every integer in a study,
training config or data spec is capped by the name of the field (or keyword argument) holding it:

    ...epochs                      -> 1   (0 stays 0: zero-epoch configs load weights)
    ...steps, ...iters             -> 2   (attacks, adversarial training, projections)
    ...restarts, ...starts         -> 1
    example counts: ns, n_..., ..._n, ..._ns, ..._points -> EXAMPLES (for n_...: None, "all", too)
    ..._size but not ...batch_size -> EXAMPLES // 4  (val_size, set_size: subsets of a split of EXAMPLES)
    looks (a sequential rule's seed counts) -> (SEEDS,)
    (names containing "class" are left alone: class counts fix shapes)

applied recursively through frozen dataclasses, tuples and keyword-pair tuples; plus at most two
seeds per case, and datasets absent from --data-root replaced by their stand-ins
(robustsuite.data.standins: real shapes, channels and class counts). Architectures, objectives,
attacks and every other field are untouched, so the smoke run executes the real code paths.
"""
from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T")
EXAMPLES = 32  # examples per split, training subset and attacked batch
SEEDS = 2  # seeds per case (a rule that needs a spread gets one)
_CAPS = (("epochs", 1), ("steps", 2), ("iters", 2), ("restarts", 1), ("starts", 1))


def cap_for(name: str) -> int | None:
    """The smoke cap of a field called `name`, or None when the rule leaves it alone."""
    name = name.lower()
    if "class" in name:
        return None
    for suffix, cap in _CAPS:
        if name.endswith(suffix):
            return cap
    if name == "looks":
        return SEEDS
    if name.endswith("_size") and not name.endswith("batch_size"):  # val_size, set_size: subsets of a split
        return EXAMPLES // 4
    if name == "ns" or name.startswith("n_") or name.endswith(("_n", "_ns", "_points")):
        return EXAMPLES
    return None


def _capped(name: str, value: object, cap: int, *, none_is_all: bool) -> object:
    if value is None and none_is_all:
        return cap
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            new = tuple(min(v, cap) for v in value)
            if name == "looks":  # a sequential design's looks must stay strictly increasing
                new = tuple(dict.fromkeys(new))
            return value if new == value else new
        return value
    return min(value, cap)


def shrink(obj: T) -> T:
    """`obj` with the smoke rule applied to every field it holds, at any depth (idempotent)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for f in dataclasses.fields(obj):
            if not f.init:
                continue
            value = getattr(obj, f.name)
            cap = cap_for(f.name)
            new = _capped(f.name, value, cap, none_is_all=f.name.startswith("n_")) if cap is not None else shrink(value)
            if new is not value:
                changes[f.name] = new
        return dataclasses.replace(obj, **changes) if changes else obj
    if isinstance(obj, tuple):
        if obj and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in obj):  # kw(...) pairs
            new = tuple((k, _capped(k, v, cap_for(k), none_is_all=False) if cap_for(k) is not None else shrink(v))
                        for k, v in obj)
        else:
            new = tuple(shrink(v) for v in obj)
        return obj if all(a is b for a, b in zip(new, obj)) else new
    return obj


def seeds(seeds: tuple[int, ...]) -> tuple[int, ...]:
    """The first SEEDS of a case's seeds."""
    return seeds[:SEEDS]
