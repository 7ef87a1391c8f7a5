"""A smoke run of the paper-tier pipeline (torchvision architectures, random weights, tiny RGB data),
so the ImageNet code path is exercised without ImageNet or downloads."""
from __future__ import annotations

import torch

from robustsuite.data import DataSpec, Split, register_dataset
from robustsuite.studies.alignment_paper import Net, PretrainedAlignment, measure_pretrained
from robustsuite.train import kw, train_model

torch.set_num_threads(1)


@register_dataset()
def _alignment_tiny_rgb(root, *, train: bool, download: bool) -> Split:
    g = torch.Generator().manual_seed(0 if train else 1)
    return Split(torch.rand(24, 3, 32, 32, generator=g), torch.randint(0, 4, (24,), generator=g), 4)


def test_measure_pretrained_runs_end_to_end_and_names_the_matrix():
    data = DataSpec("_alignment_tiny_rgb")
    nets = [Net(n, a, None, data) for n, a in (("src", "resnet18"), ("wit", "mobilenet_v3_small"),
                                                ("t1", "shufflenet_v2_x0_5"), ("t2", "squeezenet1_1"))]
    study = PretrainedAlignment("tiny", nets[0], (nets[1],), targets=tuple(nets[2:]), batch_size=8, smooth_points=4,
                                test=data, align=data, attack_kwargs=kw(eps=0.03, steps=2, step_size=0.015))
    zoo: dict = {}

    def load(cfg):
        if cfg not in zoo:
            zoo[cfg] = train_model(cfg, cfg.data.load(None, train=True), load=load)[0]
        return zoo[cfg]

    out = measure_pretrained(study, 0, load, lambda spec, train: spec.load(None, train=train), mechanism=True,
                             ensemble=True)
    assert {"transfer[source->t1]", "transfer[aligned->t2]", "transfer[ensemble->t1]", "n_qualified[source->t1]",
            "gain_mean", "kl_before", "kl_after", "grad_norm_pgd[aligned]", "sharpness[source]",
            "lf_fraction[aligned]"} <= set(out)
    assert out["n_all[source->t1]"] == 24
    assert set(study.held_out_targets()) == {"t1", "t2"}


def test_the_paper_tier_aligns_one_epoch_over_streamed_imagenet_train_and_smoke_caps_it():
    """The thesis' protocol (one epoch over all of ImageNet-train, streamed); the departure that
    existed only because Splits live in memory is gone; a smoke run sees EXAMPLES images."""
    from robustsuite.studies.alignment_paper import RES18, RES50
    from robustsuite.harness import smoke

    study = PretrainedAlignment("res50<-res18", RES50, (RES18,))
    cfg = study.aligned(0)
    assert cfg.data == DataSpec("imagenet") and cfg.epochs == 1 and cfg.data.n_train is None
    assert not any("imagenet_train20" in d or "in-memory" in d for d in study.departures)
    shrunk = smoke.shrink(study).aligned(0).data
    assert shrunk.name == "imagenet" and shrunk.n_train == smoke.EXAMPLES


def test_relative_drop_is_defined_when_nothing_was_there_to_fall():
    """A random torchvision ViT (the smoke run's stand-in) has a zero head: KL and curvature 0 before alignment."""
    from robustsuite.studies.alignment import relative_drop

    assert relative_drop(0.25, 1.0) == 0.75 and relative_drop(2.0, 1.0) == -1.0
    assert relative_drop(0.0, 0.0) == 0.0 and relative_drop(0.3, 0.0) == -1.0
