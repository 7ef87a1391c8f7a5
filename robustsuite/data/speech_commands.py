"""Speech Commands v0.02 (Warden 2018) through torchaudio: 35 words, 1-s clips at 16 kHz.

Waveforms in [-1, 1] are mapped to [0, 1] by (w + 1) / 2 so that the suite's attacks and noise
(which keep inputs in [0, 1]) apply unchanged; perturbation sizes in waveform units halve.
Stored as (N, 1, 1, 16000) so image-shaped code paths work; clips are zero-padded to 1 s.
"""
from __future__ import annotations

from pathlib import Path

import torch

from robustsuite.data.datasets import register_dataset
from robustsuite.data.split import Split
from robustsuite.errors import DataNotFoundError

LENGTH = 16_000


@register_dataset()
def speech_commands(root: Path, *, train: bool, download: bool) -> Split:
    try:
        from torchaudio.datasets import SPEECHCOMMANDS
    except ImportError:
        raise DataNotFoundError("Speech Commands needs torchaudio (pip install torchaudio).") from None
    try:
        ds = SPEECHCOMMANDS(str(root), download=download, subset="training" if train else "testing")
    except (RuntimeError, OSError) as err:
        raise DataNotFoundError(f"Speech Commands not found under --data-root={str(root)!r} "
                                f"(expected {root}/SpeechCommands/speech_commands_v0.02); use --download. ({err})") from None
    labels = sorted({Path(p).parent.name for p in ds._walker})
    xs, ys = [], []
    for i in range(len(ds)):
        wave, _, label, *_ = ds[i]
        wave = wave[0, :LENGTH]
        xs.append(torch.nn.functional.pad(wave, (0, LENGTH - wave.numel())))
        ys.append(labels.index(label))
    x = (torch.stack(xs).clamp(-1, 1) + 1) / 2
    return Split(x.view(-1, 1, 1, LENGTH), torch.tensor(ys), len(labels))
