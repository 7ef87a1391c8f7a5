"""What robustsuite's two pytest plugin modules share, in one place neither has to import the other
for: the run folder and the scale settings (shard, efficiency) of this pytest process."""
from __future__ import annotations

from pathlib import Path

import pytest

RUN_DIR = pytest.StashKey[Path]()  # this run's folder, set in plugin.py's pytest_configure
SCALE = pytest.StashKey[dict]()  # shard, efficiency, start time, outcomes: set in scale_plugin.py
