"""Training is seeded and deterministic on the CPU; bad configs raise clear errors."""
import pytest
import torch

from robustsuite.data import DataSpec, load_dataset
from robustsuite.errors import ConfigError
from robustsuite.train import SignGD, TrainConfig, kw, make_optimizer, train_model

CFG = TrainConfig(DataSpec("digits"), "mlp", kw(hidden=(32,)), epochs=2, batch_size=64, lr=0.1)


def test_deterministic_and_learns():
    data = DataSpec("digits").load(None, train=True)
    a, _ = train_model(CFG, data)
    b, _ = train_model(CFG, data)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    test = load_dataset("digits", train=False)
    assert (a(test.x).argmax(1) == test.y).float().mean() > 0.5


def test_select_by_validation_and_target():
    data = DataSpec("digits").load(None, train=True)
    _, h = train_model(CFG.replace(val_size=200, select="best_val", epochs=4), data)
    assert h["selected_val_acc"] == max(h["val_acc"])
    _, h = train_model(CFG.replace(val_size=200, select="target_val", target_val=50.0, epochs=20), data)
    assert h["val_acc"][-1] >= 50.0 and len(h["val_acc"]) < 20  # stopped once matched


def test_signgd_moves_each_weight_by_lr():
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    w.grad = torch.tensor([0.5, -7.0, 0.0])
    SignGD([w], lr=0.1).step()
    assert torch.allclose(w.detach(), torch.tensor([0.9, -1.9, 3.0]))


@pytest.mark.parametrize("change, message", [
    ({"lr": -0.1}, "lr=-0.1"),
    ({"batch_size": 0}, "batch_size=0"),
    ({"select": "best"}, "select='best'"),
    ({"select": "best_val"}, "needs val_size"),
    ({"val_size": 10, "select": "target_val"}, "target_val"),
])
def test_bad_config(change, message):
    with pytest.raises(ConfigError, match=message):
        CFG.replace(**change)


def test_unknown_optimizer_and_digest():
    with pytest.raises(ConfigError, match="optimizer='adamw'"):
        make_optimizer("adamw", [torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    assert CFG.digest() == CFG.replace(label="x").digest() != CFG.replace(seed=1).digest()


def test_augmentations_keep_shape_and_content():
    from robustsuite.train.loop import augment

    x = torch.rand(6, 3, 8, 8)
    gen = torch.Generator().manual_seed(0)
    flipped = augment(x, "hflip", gen)
    assert all(torch.equal(f, o) or torch.equal(f, o.flip(-1)) for f, o in zip(flipped, x))
    cropped = augment(x, "crop_flip", gen)
    assert cropped.shape == x.shape and cropped.min() >= 0
    assert torch.equal(augment(x, "none", gen), x)


def _crop_flip_per_image(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """The crop as it was first written, one image at a time: the reference for the gather."""
    n, _, h, w = x.shape
    padded = torch.nn.functional.pad(x, (4, 4, 4, 4))
    dy, dx = torch.randint(0, 9, (2, n), generator=gen).tolist()
    x = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])
    flip = torch.rand(n, generator=gen) < 0.5
    return torch.where(flip.view(-1, 1, 1, 1), x.flip(-1), x)


@pytest.mark.parametrize("shape", [(1, 1, 5, 7), (16, 3, 32, 32), (33, 1, 28, 28)])
def test_crop_flip_takes_the_same_draws_and_crops_as_per_image(shape):
    from robustsuite.train.loop import augment

    x = torch.rand(shape, generator=torch.Generator().manual_seed(1))
    ours, ref = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    for _ in range(3):  # the generators stay in step batch after batch
        assert torch.equal(augment(x, "crop_flip", ours), _crop_flip_per_image(x, ref))
    assert torch.equal(ours.get_state(), ref.get_state())


def test_labels_of_nested_configs_do_not_change_the_identity():
    witness = CFG.replace(seed=3)
    a = CFG.replace(objective="standard", objective_kwargs=kw(witness=witness), init=witness)
    b = a.replace(objective_kwargs=kw(witness=witness.replace(label="renamed")), init=witness.replace(label="x"))
    assert a.digest() == b.digest() != a.replace(objective_kwargs=kw(witness=CFG)).digest()


def test_a_training_split_must_hold_examples():
    from robustsuite.data import Split
    from robustsuite.train import split_validation

    split = Split(torch.zeros(2, 1, 4, 4), torch.zeros(2, dtype=torch.long), 10)
    with pytest.raises(ConfigError, match="val_size=8 leaves no training examples of a training split of 2"):
        split_validation(split, 8)
    with pytest.raises(ConfigError, match="training split of digits is empty"):
        train_model(TrainConfig(DataSpec("digits"), "mlp", epochs=1), split.take(slice(0, 0)))
    train, val = split_validation(split, 1)
    assert len(train) == len(val) == 1
