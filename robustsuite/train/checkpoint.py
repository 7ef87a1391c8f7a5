"""Training checkpoints: the full state of a run in progress, written atomically, so that a run
killed or preempted resumes where it stopped and ends bit-identical (on the CPU) to one that was
never interrupted.

A checkpoint holds plain data and tensors only (it loads with `weights_only=True`): the model's
and optimizer's state dicts, every RNG state the loop draws from, the position (epoch, step,
this epoch's permutation, the running loss), the history, the best epoch so far and an
objective's own counters (`loss.state`, e.g. an eps ramp). The lr schedule is a function of the
position, so it needs no state of its own.

It is written every `every` epochs, at most once per `min_seconds` (a short training, such as most
of the mini tier's, then writes none and loses only those seconds when killed), and at the end of the step (or epoch) in which SIGTERM or
SIGUSR1 arrives (what Slurm sends before a preemption or a time limit): after SIGUSR1 training
goes on; after SIGTERM the process then dies of the signal as it would have without us.
"""
from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch

from robustsuite.atomic import write_atomic
from robustsuite.errors import ConfigError

FORMAT = 1
SIGNALS = (signal.SIGTERM, signal.SIGUSR1)


@dataclass
class Checkpoint:
    """Where a training run keeps its state, and how often (every `every` epochs; 0: only on a signal;
    never sooner than `min_seconds` after the run started or last saved)."""

    path: Path
    every: int = 1
    min_seconds: float = 0.0
    _last: float = field(default=0.0, repr=False)
    _pending: list[int] = field(default_factory=list, repr=False)
    _previous: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self._last = time.monotonic()
        if not isinstance(self.every, int) or self.every < 0:
            raise ConfigError(f"checkpoint every={self.every!r} is not allowed; give a whole number of epochs >= 0 "
                              "(0: only when SIGTERM or SIGUSR1 arrives).")

    def load(self) -> dict | None:
        """The saved state, or None when there is none. An unreadable file is moved aside (a run
        killed while renaming cannot leave one, but a damaged disk can): training starts over."""
        if not self.path.exists():
            return None
        try:
            state = torch.load(self.path, map_location="cpu", weights_only=True)
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise ValueError(f"not a format-{FORMAT} training checkpoint")
            return state
        except Exception as err:  # noqa: BLE001 -- any unreadable checkpoint is set aside the same way
            aside = self.path.with_name(self.path.name + ".corrupt")
            os.replace(self.path, aside)
            import warnings

            warnings.warn(f"training checkpoint {self.path} is unreadable ({err}); moved to {aside}, training "
                          "starts from epoch 0", RuntimeWarning, stacklevel=2)
            return None

    def save(self, state: dict) -> None:
        buf = io.BytesIO()
        torch.save({"format": FORMAT, **state}, buf)
        write_atomic(self.path, buf.getvalue())
        self._last = time.monotonic()

    def due(self, epochs_done: int) -> bool:
        """After `epochs_done` epochs: is a checkpoint due by the interval?"""
        return (self.every > 0 and epochs_done % self.every == 0
                and time.monotonic() - self._last >= self.min_seconds)

    def signalled(self) -> bool:
        """Whether SIGTERM or SIGUSR1 arrived and its checkpoint is not written yet."""
        return bool(self._pending)

    def after_save(self) -> None:
        """Called after every save: the signals' checkpoint is written; after SIGTERM the process ends."""
        if signal.SIGTERM in self._pending:
            self.__exit__(None, None, None)  # hands SIGTERM to the previous handler
        self._pending.clear()

    def __enter__(self) -> "Checkpoint":
        """Catch SIGTERM/SIGUSR1 while training (only possible in the main thread; elsewhere the
        interval checkpoints still apply)."""
        for sig in SIGNALS:
            try:
                self._previous[sig] = signal.signal(sig, lambda signum, frame: self._pending.append(signum))
            except ValueError:  # not the main thread
                pass
        return self

    def __exit__(self, *exc) -> None:
        """Give the signals back; a SIGTERM that arrived goes on to the previous handler (by
        default: the process ends), also when training ended before it could be acted on."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
        if signal.SIGTERM in self._pending:
            self._pending.clear()
            os.kill(os.getpid(), signal.SIGTERM)


def rng_states(generators: Mapping[str, torch.Generator], device: torch.device | str) -> dict:
    """Every RNG state a training loop draws from: torch's global CPU (and CUDA) state and the
    loop's own generators, by name."""
    states = {"torch": torch.get_rng_state(), "generators": {k: g.get_state() for k, g in generators.items()}}
    if torch.device(device).type == "cuda":
        states["cuda"] = torch.cuda.get_rng_state(torch.device(device))
    return states


def set_rng_states(states: dict, generators: Mapping[str, torch.Generator], device: torch.device | str) -> None:
    torch.set_rng_state(states["torch"])
    for k, g in generators.items():
        g.set_state(states["generators"][k])
    if "cuda" in states:
        torch.cuda.set_rng_state(states["cuda"], torch.device(device))
