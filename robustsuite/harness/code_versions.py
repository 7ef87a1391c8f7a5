"""Which version of the code produced a model: narrow, explicit cache invalidation.

Every module that can change a trained model (under data/, models/, train/, attacks/, metrics/)
has a version in a committed table, `code_versions.json`, next to the hash of the source that
version describes. A model's cache key is its config plus the versions of just the modules its
config reaches: the loop, its model's builder, its objective, its dataset and transform, and
everything those import from the versioned packages, followed module by module.

So editing a module changes no key by itself. `tests/harness/test_code_versions.py` fails until
the table is brought up to date with `robustsuite cache versions`: `--bump MODULE` when the change
can change a trained model (its models retrain), `--accept` when it cannot (a comment, a typo in
a message): the new hash is recorded and the version kept. Editing a loader no config uses
therefore invalidates nothing, and bumping one invalidates only the models trained on its data.
"""
from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from robustsuite.atomic import write_atomic
from robustsuite.errors import ConfigError

PACKAGES = ("data", "models", "train", "attacks", "metrics")
ROOT = Path(__file__).resolve().parents[1]  # the robustsuite package
TABLE = Path(__file__).with_name("code_versions.json")


def sources(root: Path = ROOT) -> dict[str, Path]:
    """module name -> source file, for every module of the versioned packages."""
    found = {}
    for pkg in PACKAGES:
        for f in sorted((root / pkg).rglob("*.py")):
            parts = f.relative_to(root.parent).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return found


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@cache
def load_table(path: Path = TABLE) -> dict[str, dict]:
    """The committed table: module -> {"version": int, "sha256": str}."""
    return json.loads(path.read_text()) if path.exists() else {}


def check_table(table: dict[str, dict], root: Path = ROOT) -> list[str]:
    """What keeps `table` from describing the sources under `root`: one line per module."""
    found = sources(root)
    problems = [f"{m}: changed since version {table[m]['version']}; run `robustsuite cache versions --bump {m}` "
                "if the change can change a trained model, else `robustsuite cache versions --accept`"
                for m, f in found.items() if m in table and table[m]["sha256"] != source_hash(f)]
    problems += [f"{m}: new module, not in the table; run `robustsuite cache versions --accept`"
                 for m in found if m not in table]
    problems += [f"{m}: in the table but gone; run `robustsuite cache versions --accept`"
                 for m in table if m not in found]
    return problems


def update_table(bump: Iterable[str] = (), *, path: Path = TABLE, root: Path = ROOT) -> dict[str, dict]:
    """Record every module's current hash; the versions of `bump` go up by one (and new modules
    start at 1). Written atomically; returns the new table."""
    old, found, bump = load_table(path), sources(root), set(bump)
    unknown = bump - set(found)
    if unknown:
        raise ConfigError(f"--bump {sorted(unknown)}: no such module; versioned modules are under "
                          f"robustsuite/{{{','.join(PACKAGES)}}}, e.g. robustsuite.data.datasets.")
    table = {m: {"version": old.get(m, {"version": 0})["version"] + (1 if m in bump or m not in old else 0),
                 "sha256": source_hash(f)} for m, f in found.items()}
    write_atomic(path, (json.dumps(table, indent=1, sort_keys=True) + "\n").encode())
    load_table.cache_clear()
    return table


def entry_modules(cfg: object) -> list[str]:
    """The modules a training config names directly: for a TrainConfig the loop, its model's
    builder, its objective, its dataset and transform; for a config that wraps one in `base`
    (a focus-training config) its own module and the base's."""
    from robustsuite.data.datasets import DATASETS
    from robustsuite.data.variants import TRANSFORMS
    from robustsuite.models import MODELS
    from robustsuite.train import OBJECTIVES, TrainConfig

    if isinstance(cfg, TrainConfig):
        return ["robustsuite.train.loop", MODELS.get(cfg.model).__module__, OBJECTIVES.get(cfg.objective).__module__,
                DATASETS.get(cfg.data.name).__module__, TRANSFORMS.get(cfg.data.transform).__module__]
    base = getattr(cfg, "base", None)
    if base is None:
        raise ConfigError(f"{type(cfg).__name__} is not a training config the model cache knows: give it a "
                          "TrainConfig `base`, or teach harness/code_versions.entry_modules about it.")
    return [type(cfg).__module__, *entry_modules(base)]


def reached(modules: Iterable[str]) -> frozenset[str]:
    """`modules` and every versioned module they import, directly or through each other."""
    table, seen, todo = sources(), set(), [m for m in modules]
    while todo:
        m = todo.pop()
        if m in seen or m not in table:
            continue
        seen.add(m)
        todo += _imports(m)
    return frozenset(seen)


def code_versions(cfg: object) -> dict[str, int]:
    """module -> version, for the modules `cfg` reaches (and those of the configs it depends on:
    `init`, witness models in `objective_kwargs`, a wrapped `base`)."""
    table = load_table()
    versions = {m: table.get(m, {"version": 0})["version"] for m in reached(entry_modules(cfg))}
    for dep in _dependencies(cfg):
        versions |= code_versions(dep)
    return dict(sorted(versions.items()))


def code_salt(cfg: object) -> str:
    """The code part of a model's identity: a hash of `code_versions(cfg)`."""
    return hashlib.sha256(json.dumps(code_versions(cfg), sort_keys=True).encode()).hexdigest()[:12]


def _dependencies(cfg: object) -> list[object]:
    from robustsuite.train import TrainConfig

    if not isinstance(cfg, TrainConfig):
        base = getattr(cfg, "base", None)
        return [base] if base is not None else []
    return ([cfg.init] if cfg.init is not None else []) + [v for _, v in cfg.objective_kwargs
                                                           if isinstance(v, TrainConfig)]


@cache
def _imports(module: str) -> tuple[str, ...]:
    """The robustsuite modules `module`'s source imports (anywhere in it, lazily or not); a name
    imported from a package counts as the module that defines it."""
    tree = ast.parse(sources()[module].read_text())
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("robustsuite.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("robustsuite"):
            found += [_defining_module(node.module, a.name) for a in node.names]
    return tuple(dict.fromkeys(found))


def _defining_module(package: str, name: str) -> str:
    if importlib.util.find_spec(package) is not None and _is_module(f"{package}.{name}"):
        return f"{package}.{name}"
    obj = getattr(importlib.import_module(package), name, None)
    return getattr(obj, "__module__", None) or package


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
