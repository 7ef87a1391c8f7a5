"""A tiny JPEG class-folder tree in ImageNet's layout, shared by the format and stream tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


def _write_jpeg_folders(base: Path, parts: tuple[str, ...], classes: tuple[str, ...], ext: str = ".JPEG",
                        per_class: int = 2) -> None:
    """`base/<part>/<class>/img<j><ext>`: `per_class` random 40x30 RGB JPEGs per class."""
    from PIL import Image

    for part in parts:
        for k, cls in enumerate(classes):
            (base / part / cls).mkdir(parents=True)
            for j in range(per_class):
                pixels = np.random.default_rng(10 * k + j).integers(0, 256, (40, 30, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(base / part / cls / f"img{j}{ext}")


@pytest.fixture
def write_jpeg_folders():
    """The writer of JPEG class folders (a fixture, so that test modules need not import each other)."""
    return _write_jpeg_folders
