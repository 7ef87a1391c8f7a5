"""The perf benchmarks' studies (benchmarks/perf/): what each one times and at which size per tier,
and the plain implementations timed beside the suite's own (PGD's floor loop, a textbook PGD, one
timed nearest-neighbour search). The timing itself (rounds, medians, ratios) stays with the cases
and robustsuite.harness.perf."""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from robustsuite.claims import Control
from robustsuite.data import DataSpec
from robustsuite.metrics.peak_memory import peak_memory
from robustsuite.metrics.sensitivity import Nearest, algorithm1, nearest_other_label
from robustsuite.models import create_model
from robustsuite.train import TrainConfig, kw


# ---- PGD's speed (test_attack_speed.py) ---------------------------------------------------------

@dataclass(frozen=True)
class AttackPerf:
    id: str
    model: str
    input_shape: tuple[int, ...]
    batch: int
    steps: int
    rounds: int
    eps: float = 8 / 255
    num_classes: int = 10
    dataset: str = "synthetic"
    model_kwargs: tuple[tuple[str, object], ...] = ()
    precision: str = "fp32"  # bf16: autocast on the GPU

    def setup(self, device: str):
        g = torch.Generator().manual_seed(0)
        torch.manual_seed(0)
        model = create_model(self.model, input_shape=self.input_shape, num_classes=self.num_classes,
                             **dict(self.model_kwargs)).to(device).eval()
        x = torch.rand((self.batch, *self.input_shape), generator=g).to(device)
        y = torch.randint(0, self.num_classes, (self.batch,), generator=g).to(device)
        return model, x, y


ATTACK_MINI = AttackPerf("small_cnn-16px-b32-pgd5", "small_cnn", (1, 16, 16), batch=32, steps=5, rounds=10)
ATTACK_PAPER = AttackPerf("resnet18-cifar-b256-pgd10", "resnet18", (3, 32, 32), batch=256, steps=10, rounds=20)
# PGD-10 on the paper tier's two CIFAR workhorses, in fp32 and in bf16 (scripts/gpu-slice.sh)
ATTACK_WORKHORSES = tuple(
    AttackPerf(f"{name}-cifar-b{batch}-pgd10-{precision}", model, (3, 32, 32), batch=batch, steps=10, rounds=5,
               model_kwargs=model_kwargs, precision=precision)
    for name, model, model_kwargs, batch in (("preact18", "preact_resnet18", (), 256),
                                             ("wrn28-10", "wrn28", (("widen", 10),), 128))
    for precision in ("fp32", "bf16"))


def floor_loop(model, x, y, steps: int) -> torch.Tensor:
    """What PGD cannot avoid: `steps` forwards and input-gradient backwards."""
    xx = x.clone().requires_grad_(True)
    for _ in range(steps):
        (grad,) = torch.autograd.grad(F.cross_entropy(model(xx), y, reduction="sum"), xx)
    return grad


def reference_pgd(model, x, y, eps: float, alpha: float, steps: int) -> torch.Tensor:
    """Textbook Linf PGD without random start: signed step, ball projection, then box clamp."""
    adv = x.clone()
    for _ in range(steps):
        adv.requires_grad_(True)
        (grad,) = torch.autograd.grad(F.cross_entropy(model(adv), y, reduction="sum"), adv)
        adv = (x + (adv.detach() + alpha * grad.sign() - x).clamp(-eps, eps)).clamp(0, 1)
    return adv


# ---- the model cache, cold vs warm (test_cache_speed.py) ------------------------------------------

@dataclass(frozen=True)
class CachePerf:
    id: str
    config: TrainConfig
    rounds: int
    dataset: str = "digits"


CACHE_MINI = CachePerf("digits16-mlp-2ep", TrainConfig(DataSpec("digits16"), "mlp", kw(hidden=(64,)), epochs=2,
                                                        batch_size=64), rounds=3)
CACHE_PAPER = CachePerf("mnist-small_cnn-5ep", TrainConfig(DataSpec("mnist"), "small_cnn", epochs=5, batch_size=128),
                        rounds=3, dataset="mnist")


# ---- a training checkpoint's cost (test_checkpoint_overhead.py) ----------------------------------

@dataclass(frozen=True)
class CheckpointPerf:
    id: str
    model: str
    input_shape: tuple[int, ...]
    epoch_images: int  # images in one epoch of the real dataset (what the timed steps scale to: not a subset)
    measured_steps: int  # steps timed; the epoch's time is scaled from them
    batch: int = 128
    rounds: int = 3
    dataset: str = "synthetic"


CHECKPOINT_MINI = CheckpointPerf("mnist6k-small_cnn", "small_cnn", (1, 28, 28), epoch_images=6000, measured_steps=47)
CHECKPOINT_PAPER = CheckpointPerf("cifar10-preact_resnet18", "preact_resnet18", (3, 32, 32), epoch_images=50000,
                                  measured_steps=40)


# ---- the sensitivity kernel, C000-07 (test_sensitivity_speed.py) ----------------------------------

@dataclass(frozen=True)
class SpeedStudy:
    id: str
    dataset: str
    data: DataSpec
    n_l2: int
    n_linf: int
    memory_bytes: int
    brute_force: bool = False  # a negative control: every backend's search is Algorithm 1 as printed


SENSITIVITY_MINI = SpeedStudy("mnist-4k", "mnist", DataSpec("mnist"), n_l2=4000, n_linf=800, memory_bytes=64 * 2**20)
SENSITIVITY_PAPER = SpeedStudy("mnist-60k", "mnist", DataSpec("mnist"), n_l2=60_000, n_linf=60_000,
                               memory_bytes=4 * 2**30)
# C000-07's negative control: the chunked kernel (a GEMM pass, then exact refinement) replaced by the paper's
# Algorithm 1 as printed (float64, one point at a time), which is exact but not fast. On 1,000 L2 points, where
# its pairs per second are higher than on 4,000 (0.9 M vs 0.4 M measured), so the smaller size favours it.
BRUTE_FORCE = Control("algorithm1-as-kernel", "the chunked kernel is replaced by Algorithm 1 as printed (float64, "
                                              "one point at a time): exact, without the GEMM pass",
                      dataclasses.replace(SENSITIVITY_MINI, id="mnist-1k-algorithm1-as-kernel", n_l2=1000,
                                          brute_force=True))


def brute_force_search(x: torch.Tensor, y: torch.Tensor, norm: str) -> Nearest:
    """Algorithm 1 as printed, as a search result: r = 1 / max_j 1 / d(p_i, p_j) over other labels; the working
    memory it plans is one point's difference matrix in float64."""
    r = 1.0 / algorithm1(x.cpu(), y.cpu(), norm)
    return Nearest(r.to(x.device), torch.full((len(x),), -1, dtype=torch.int64), norm, "algorithm1",
                   len(x) * x[0].numel() * 8)


def timed_search(x, y, norm, backend, budget, device, brute_force: bool = False):
    """The nearest differently labelled neighbours by `backend`, its seconds and peak memory (`brute_force`:
    Algorithm 1 as printed in place of every backend, a negative control)."""
    start = time.perf_counter()
    if brute_force:
        (res, peak) = peak_memory(lambda: brute_force_search(x, y, norm), device)
    else:
        (res, peak) = peak_memory(lambda: nearest_other_label(x, y, norm=norm, backend=backend, memory_bytes=budget),
                                  device)
    if x.device.type == "cuda":
        torch.cuda.synchronize()
    return res, time.perf_counter() - start, peak


# ---- adversarial-training throughput (test_training_speed.py) -------------------------------------

@dataclass(frozen=True)
class TrainPerf:
    id: str
    model: str
    input_shape: tuple[int, ...]
    batch: int
    steps: int  # PGD steps per training step
    rounds: int
    precision: str = "fp32"  # bf16: autocast on the GPU (weights and optimizer stay fp32)
    channels_last: bool = False
    eps: float = 8 / 255
    num_classes: int = 10
    dataset: str = "synthetic"
    model_kwargs: tuple[tuple[str, object], ...] = ()


TRAINING_MINI = TrainPerf("small_cnn-16px-b32-pgd3", "small_cnn", (1, 16, 16), batch=32, steps=3, rounds=6)
TRAINING_PAPER = TrainPerf("resnet18-cifar-b256-pgd10-bf16", "resnet18", (3, 32, 32), batch=256, steps=10,
                           rounds=10, precision="bf16", channels_last=True)
# PGD-10 adversarial training of the paper tier's two CIFAR workhorses, in fp32 and in bf16 (scripts/gpu-slice.sh)
TRAINING_WORKHORSES = tuple(
    TrainPerf(f"{name}-cifar-b{batch}-pgd10-{precision}", model, (3, 32, 32), batch=batch, steps=10, rounds=5,
              precision=precision, channels_last=True, model_kwargs=model_kwargs)
    for name, model, model_kwargs, batch in (("preact18", "preact_resnet18", (), 256),
                                             ("wrn28-10", "wrn28", (("widen", 10),), 128))
    for precision in ("fp32", "bf16"))
