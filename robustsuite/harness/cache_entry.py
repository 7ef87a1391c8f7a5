"""One model-cache file: a state dict, the architecture to rebuild it through the model registry,
the config and code versions it was trained with, and a checksum over all of it.

Everything but the tensors is stored as JSON text, so the file loads with
`torch.load(weights_only=True)`: a cache folder on shared scratch that someone else can write can
hand us wrong weights at worst, never code to run. A file that holds anything else is refused.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from robustsuite.errors import RobustSuiteError
from robustsuite.models import ModelSpec

FORMAT = 2  # 1: a pickled nn.Module (loaded code); 2: state dict + spec + checksum
TEXT_FIELDS = ("spec", "config", "meta")


class BadEntryError(RobustSuiteError):
    """A cache file that cannot be used: unreadable, refused, tampered with or of another format."""


@dataclass(frozen=True)
class Entry:
    spec: ModelSpec
    state_dict: dict[str, torch.Tensor]
    config: dict
    meta: dict  # history, train_seconds, code versions, created

    def model(self, device: torch.device | str = "cpu") -> nn.Module:
        """The model rebuilt through the registry, with these weights, in eval mode. Building does
        not disturb the global RNG (a cache hit and a miss leave it alike)."""
        try:
            model = _skeleton_with(self.spec, self.state_dict)
            if model is None:
                with torch.random.fork_rng(devices=[]):
                    model = self.spec.build()
                model.load_state_dict(self.state_dict)
        except RuntimeError as err:
            raise BadEntryError(f"its weights do not fit a rebuilt {self.spec.name!r}: {err}") from None
        return model.to(device).eval()


def _skeleton(spec: ModelSpec) -> nn.Module | None:
    """`spec`'s architecture built on the meta device (no storage, no random initialisation, which
    costs a ViT-B seconds on a CPU), or None where its constructor cannot run there."""
    try:
        with torch.device("meta"):
            return spec.build()
    except Exception:  # noqa: BLE001 -- any constructor that needs real tensors is built for real instead
        return None


def _skeleton_with(spec: ModelSpec, state: dict[str, torch.Tensor]) -> nn.Module | None:
    """The meta-built model holding `state`'s tensors, or None where that is not the same model
    as a real build loading them: a tensor outside the state dict (left on meta) or tied weights
    (which `assign` would untie). A state that does not fit raises, as `load_state_dict` does."""
    model = _skeleton(spec)
    if model is None:
        return None
    tied = len(list(model.parameters())) != len(dict(model.named_parameters(remove_duplicate=False)))
    if tied:
        return None
    model.load_state_dict(state, assign=True)
    if any(t.is_meta for t in (*model.parameters(), *model.buffers())):
        return None
    return model


def encode(model: nn.Module, config: dict, meta: dict) -> bytes:
    """The bytes of an entry for `model`, which must have been built by `create_model` and must be
    what its spec builds again (same module types), so that loading gives back the same model."""
    spec = getattr(model, "model_spec", None)
    if not isinstance(spec, ModelSpec):
        raise BadEntryError(f"a {type(model).__name__} not built by create_model (it has no model_spec) cannot be "
                            "cached: entries are state dicts rebuilt through the model registry.")
    rebuilt = _skeleton(spec)
    if rebuilt is None:
        with torch.random.fork_rng(devices=[]):
            rebuilt = spec.build()
    if [type(m) for m in rebuilt.modules()] != [type(m) for m in model.modules()]:
        raise BadEntryError(f"this {spec.name!r} was changed after create_model built it (its module types differ "
                            "from a rebuilt one); record the change in its ModelSpec so the cache can rebuild it.")
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    blob = {"format": FORMAT, "spec": spec.to_json(), "config": json.dumps(config, sort_keys=True, default=str),
            "meta": json.dumps(meta, sort_keys=True, default=str), "state_dict": state}
    blob["checksum"] = checksum(blob)
    buf = io.BytesIO()
    torch.save(blob, buf)
    return buf.getvalue()


def decode(path: Path, *, verify: bool = True) -> Entry:
    """Read the entry at `path` and (with `verify`) check its checksum; BadEntryError says what is
    wrong with it."""
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True, mmap=not verify)
    except Exception as err:  # noqa: BLE001 -- every way of failing to read is one kind of bad entry
        text = str(err)
        found = re.search(r"Unsupported global: GLOBAL (\S+)", text)
        if found:
            raise BadEntryError(f"refused: it holds a pickled {found.group(1)}, not a state dict and plain data "
                                "(an old format-1 entry or a planted file; loading is weights_only)") from None
        detail = re.search(r"WeightsUnpickler error: \s*(.+)", text)
        reason = detail.group(1).strip() if detail else (text.splitlines()[0] if text else repr(err))
        raise BadEntryError(f"unreadable (truncated or corrupt): {reason}") from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        found = blob.get("format") if isinstance(blob, dict) else type(blob).__name__
        raise BadEntryError(f"not a format-{FORMAT} cache entry (found {found!r})")
    state = blob.get("state_dict")
    if not (isinstance(state, dict) and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items())
            and all(isinstance(blob.get(f), str) for f in TEXT_FIELDS)):
        raise BadEntryError("refused: its state_dict is not a mapping of names to tensors")
    if verify and blob.get("checksum") != checksum(blob):
        raise BadEntryError("checksum mismatch: the weights or the metadata were altered after writing")
    try:
        spec = ModelSpec.from_json(blob["spec"])
        return Entry(spec, state, json.loads(blob["config"]), json.loads(blob["meta"]))
    except (ValueError, KeyError, TypeError) as err:
        raise BadEntryError(f"its architecture or metadata do not parse: {err}") from None


def checksum(blob: dict) -> str:
    """sha256 over the text fields and every tensor's name, dtype, shape and bytes."""
    h = hashlib.sha256()
    for f in TEXT_FIELDS:
        h.update(f"{f}\0{blob[f]}\0".encode())
    for name in sorted(blob["state_dict"]):
        t = blob["state_dict"][name].detach().cpu().contiguous()
        h.update(f"{name}\0{t.dtype}\0{tuple(t.shape)}\0".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()
