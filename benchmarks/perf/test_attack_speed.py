"""PGD's speed, as ratios measured in one run: over the bare forward + input-backward loop it
needs (the physical floor; target <= 1.05x) and against torchattacks' PGD on the same model and
inputs (target: no slower). The contenders alternate round by round; the figures are in the
benchmark's extra_info. Timings are targets, not assertions (a shared CI machine is too noisy);
what is asserted is that the attacks compute the same points.

torchattacks is optional, installed apart so that its bundled `robustbench` never shadows ours:
    pip install --no-deps --target ~/.cache/robustsuite/vendor torchattacks==3.5.1
"""
from __future__ import annotations

import pytest
import torch

from robustsuite.attacks import pgd
from robustsuite.harness.perf import bf16_peak_flops, count_flops, interleaved, load_reference, medians, ratio
from robustsuite.studies.perf import ATTACK_MINI, ATTACK_PAPER, ATTACK_WORKHORSES, AttackPerf, floor_loop, reference_pgd


def _figures(times, pairs, study: AttackPerf) -> dict:
    mins = {k: min(v) for k, v in times.items()}
    info = {"images": study.batch, "steps": study.steps, "rounds": study.rounds,
            "median_seconds": medians(times), "min_seconds": mins,
            "images_per_second": {k: round(study.batch / v, 2) for k, v in mins.items()}}
    for num, den in pairs:
        info[f"{num}_over_{den}"] = {"median_of_round_ratios": round(ratio(times, num, den), 4),
                                     "ratio_of_minima": round(mins[num] / mins[den], 4)}
    return info


@pytest.mark.perf
@pytest.mark.studies(mini=[ATTACK_MINI], paper=[ATTACK_PAPER, *ATTACK_WORKHORSES])
def test_pgd_over_its_floor(benchmark, suite, study):
    model, x, y = study.setup(suite.device)
    alpha = study.eps / 4
    ours = pgd(model, x, y, eps=study.eps, steps=study.steps, step_size=alpha, random_start=False)
    assert torch.allclose(ours, reference_pgd(model, x, y, study.eps, alpha, study.steps), atol=1e-5)
    bf16 = study.precision == "bf16" and suite.device.startswith("cuda")

    def autocast(fn):
        def run():
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
                return fn()
        return run

    fns = {"pgd": autocast(lambda: pgd(model, x, y, eps=study.eps, steps=study.steps, step_size=alpha,
                                       random_start=False)),
           "floor": autocast(lambda: floor_loop(model, x, y, study.steps))}
    times = {k: [] for k in fns}

    def one_round():
        for k, v in interleaved(fns, rounds=1, warmup=0).items():
            times[k] += v

    benchmark.pedantic(one_round, rounds=study.rounds, warmup_rounds=1)
    info = _figures(times, [("pgd", "floor")], study)
    with torch.no_grad():
        forward = count_flops(autocast(lambda: model(x)))
    flops = 2 * study.steps * forward  # each step: a forward and an input-backward (about one forward)
    info.update(flops_per_attack=flops, flops_rule="2k x forward FLOPs",
                achieved_tflops=round(flops / min(times["pgd"]) / 1e12, 4))
    if suite.device.startswith("cuda"):
        name = torch.cuda.get_device_name(torch.device(suite.device))
        peak = bf16_peak_flops(name)
        info.update(device_name=name, bf16_peak_tflops=peak and peak / 1e12,
                    fraction_of_bf16_peak=peak and round(flops / min(times["pgd"]) / peak, 4))
    benchmark.extra_info.update(info, target="pgd_over_floor <= 1.05", device=suite.device,
                                precision="bf16" if bf16 else "fp32")


@pytest.mark.perf
@pytest.mark.studies(mini=[ATTACK_MINI], paper=[ATTACK_PAPER])
def test_pgd_against_torchattacks(benchmark, suite, study):
    ta = load_reference("torchattacks")
    if ta is None:
        pytest.skip("torchattacks is not installed apart: pip install --no-deps --target "
                    "~/.cache/robustsuite/vendor torchattacks==3.5.1 (see docs/scaling.md)")
    model, x, y = study.setup(suite.device)
    alpha = study.eps / 4
    theirs = ta.PGD(model, eps=study.eps, alpha=alpha, steps=study.steps, random_start=False)
    ours = pgd(model, x, y, eps=study.eps, steps=study.steps, step_size=alpha, random_start=False)
    same = ((ours - theirs(x, y)).abs() <= 1e-5).float().mean().item()
    assert same > 0.99, f"our PGD and torchattacks' differ in {1 - same:.2%} of the pixels"
    fns = {"pgd": lambda: pgd(model, x, y, eps=study.eps, steps=study.steps, step_size=alpha, random_start=False),
           "torchattacks": lambda: theirs(x, y)}
    times = {k: [] for k in fns}

    def one_round():
        for k, v in interleaved(fns, rounds=1, warmup=0).items():
            times[k] += v

    benchmark.pedantic(one_round, rounds=study.rounds, warmup_rounds=1)
    benchmark.extra_info.update(_figures(times, [("pgd", "torchattacks")], study), same_pixels=same,
                                target="pgd_over_torchattacks <= 1.0", torchattacks=ta.__version__,
                                device=suite.device, precision="fp32")
