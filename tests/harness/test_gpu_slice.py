"""scripts/gpu-slice.sh without a GPU: its dry run prints the three steps with the options that
make them what the script promises, within an 8-minute budget; without CUDA it stops at once."""
import re
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gpu-slice.sh"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def test_dry_run_lists_the_three_steps_within_eight_minutes():
    out = _run("--dry-run", "--data-root", "/data").stdout
    budget = int(re.search(r"= (\d+) s", out).group(1))
    assert budget < 8 * 60
    steps = dict(re.findall(r"== (\S+) \(limit \d+s\): (.*)", out))
    assert set(steps) == {"smoke-paper", "perf", "gpus2-one-device"}
    assert all(o in steps["smoke-paper"] for o in ("--tier paper", "--smoke", "--device cuda", "--data-root /data"))
    assert "test_training_speed.py" in steps["perf"] and "test_pgd_over_its_floor" in steps["perf"]
    assert "--smoke" not in steps["perf"]  # throughput is measured at full size
    assert "--gpus 2" in steps["gpus2-one-device"]


def test_bad_argument_and_missing_gpu_are_clear():
    bad = _run("--fast")
    assert bad.returncode == 2 and "unknown argument --fast" in bad.stderr
    import torch

    if not torch.cuda.is_available():
        none = _run()
        assert none.returncode == 3 and "no CUDA device" in none.stderr


def test_the_perf_studies_cover_both_workhorses_in_both_precisions():
    from robustsuite.studies.perf import ATTACK_WORKHORSES, TRAINING_WORKHORSES

    ids = set()
    for name, studies in (("test_training_speed", TRAINING_WORKHORSES), ("test_attack_speed", ATTACK_WORKHORSES)):
        ids |= {(name, s.model, s.precision) for s in studies}
    for name in ("test_training_speed", "test_attack_speed"):
        for model in ("preact_resnet18", "wrn28"):
            assert {(name, model, "fp32"), (name, model, "bf16")} <= ids
