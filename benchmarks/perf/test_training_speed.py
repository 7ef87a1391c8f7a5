"""Adversarial-training throughput (images/s) on random data, as ratios measured in one run: a
PGD-k training step against its floor (k attack floor steps plus one standard step). On a GPU
the step's FLOPs over its time give the fraction of the GPU's bf16 peak (the paper-tier study,
CIFAR ResNet-18 with PGD-10 in bf16 and channels-last, targets >= 25%). FLOPs are estimated as
(2k + 3) forward passes' worth (an input-backward costs about one forward, a full backward two);
torch's FlopCounterMode cannot watch autograd.grad, which the attack uses.
"""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from robustsuite.harness.perf import bf16_peak_flops, count_flops, interleaved, medians, ratio
from robustsuite.models import create_model
from robustsuite.studies.perf import TRAINING_MINI, TRAINING_PAPER, TRAINING_WORKHORSES
from robustsuite.train.objectives import OBJECTIVES


@pytest.mark.perf
@pytest.mark.studies(mini=[TRAINING_MINI], paper=[TRAINING_PAPER, *TRAINING_WORKHORSES])
def test_adversarial_training_throughput(benchmark, suite, study):
    device = suite.device
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = create_model(study.model, input_shape=study.input_shape, num_classes=study.num_classes,
                         **dict(study.model_kwargs)).to(device)
    x = torch.rand((study.batch, *study.input_shape), generator=g).to(device)
    y = torch.randint(0, study.num_classes, (study.batch,), generator=g).to(device)
    if study.channels_last:
        model, x = model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    at_loss = OBJECTIVES.get("pgd_at")(eps=study.eps, steps=study.steps)
    dtype = torch.bfloat16 if study.precision == "bf16" and device.startswith("cuda") else None

    def step(loss_fn):
        def run():
            with torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model, x, y)
                loss.backward()
                opt.step()
            return loss
        return run

    def attack_floor():
        model.eval()
        with torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
            xx = x.clone().requires_grad_(True)
            for _ in range(study.steps):
                torch.autograd.grad(F.cross_entropy(model(xx), y, reduction="sum"), xx)
        model.train()

    before = [p.detach().clone() for p in model.parameters()]
    loss = step(at_loss)()
    assert torch.isfinite(loss) and any(not torch.equal(b, p) for b, p in zip(before, model.parameters()))
    fns = {"pgd_at_step": step(at_loss), "standard_step": step(lambda m, a, b: F.cross_entropy(m(a), b)),
           "attack_floor": attack_floor}
    times = {k: [] for k in fns}

    def one_round():
        for k, v in interleaved(fns, rounds=1, warmup=0).items():
            times[k] += v

    benchmark.pedantic(one_round, rounds=study.rounds, warmup_rounds=1)
    mins = {k: min(v) for k, v in times.items()}
    model.eval()
    with torch.no_grad(), torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
        forward = count_flops(lambda: model(x))
    model.train()
    flops = (2 * study.steps + 3) * forward  # k x (forward + input-backward) + (forward + backward)
    floor = [a + s for a, s in zip(times["attack_floor"], times["standard_step"])]
    info = {"images_per_second": round(study.batch / mins["pgd_at_step"], 2),
            "standard_images_per_second": round(study.batch / mins["standard_step"], 2),
            "median_seconds": medians(times), "min_seconds": mins,
            "pgd_at_over_floor": round(ratio({"a": times["pgd_at_step"], "f": floor}, "a", "f"), 4),
            "pgd_at_over_standard": round(ratio(times, "pgd_at_step", "standard_step"), 4),
            "flops_per_step": flops, "flops_rule": "(2k+3) x forward FLOPs",
            "achieved_tflops": round(flops / mins["pgd_at_step"] / 1e12, 4),
            "precision": study.precision if dtype is not None else "fp32", "channels_last": study.channels_last,
            "device": device}
    if device.startswith("cuda"):
        name = torch.cuda.get_device_name(torch.device(device))
        peak = bf16_peak_flops(name)
        info.update(device_name=name, bf16_peak_tflops=peak and peak / 1e12,
                    fraction_of_bf16_peak=peak and round(flops / mins["pgd_at_step"] / peak, 4),
                    target="fraction_of_bf16_peak >= 0.25")
    benchmark.extra_info.update(info)
