"""`--tier auto` (the default): the flagship command `pytest benchmarks -m cifar10 --gpus 4` selects
the CIFAR-10 paper cases on a CUDA machine (CUDA mocked by a plugin loaded with -p in a
subprocess) and says in the header which tier it chose; on a CPU machine it chooses mini."""
import re
import subprocess
import sys
from pathlib import Path

from robustsuite.harness.tier_plugin import resolve_tier

ROOT = Path(__file__).resolve().parents[2]
MOCK = "import torch\ntorch.cuda.is_available = lambda: True\ntorch.cuda.device_count = lambda: 4\n"


def _collect(tmp_path, *args: str, cuda: bool) -> str:
    (tmp_path / "mockcuda.py").write_text(MOCK)
    env_path = f"{tmp_path}:{ROOT}"
    cmd = [sys.executable, "-m", "pytest", "benchmarks", "--collect-only", "-p", "no:cacheprovider",
           "--results-dir", str(tmp_path / "res"), *args] + (["-p", "mockcuda"] if cuda else [])
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": env_path, "HOME": str(tmp_path),
                              "OMP_WAIT_POLICY": "PASSIVE"})
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout


def _selected(out: str) -> set[str]:
    return set(re.findall(r"^benchmarks/\S+::\S+$", out, re.M))


def test_flagship_command_on_a_cuda_machine_selects_the_cifar10_paper_cases(tmp_path):
    auto = _collect(tmp_path, "-m", "cifar10", "--gpus", "4", cuda=True)
    assert "robustsuite: tier paper (auto: CUDA available (4 GPUs))" in auto
    paper = _collect(tmp_path, "-m", "cifar10", "--tier", "paper", "-q", cuda=False)
    cases = _selected(paper)
    assert len(cases) > 30
    n = re.search(r"(\d+)/\d+ tests collected", auto)
    assert n and int(n.group(1)) == len(cases)


def test_on_a_cpu_machine_the_header_names_the_tier_chosen(tmp_path):
    out = _collect(tmp_path, "-m", "cifar10", cuda=False)
    assert "robustsuite: tier mini (auto: no CUDA device" in out


def test_resolve_tier():
    assert resolve_tier("auto", "auto", True, 2) == ("paper", "auto: CUDA available (2 GPUs)")
    assert resolve_tier("auto", "cpu", True, 2)[0] == "mini"
    assert resolve_tier("auto", "auto", False, 0)[0] == "mini"
    assert resolve_tier("paper", "auto", False, 0) == ("paper", "--tier paper")
