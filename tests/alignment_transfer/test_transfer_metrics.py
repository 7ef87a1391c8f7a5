"""Transfer matrices: the AND filter, the released code's parity filter, and the denominators."""
from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from robustsuite.data import DataSpec
from robustsuite.errors import ConfigError
from robustsuite.metrics.transfer import (matrix_metrics, parse_matrix_metrics, qualified_mask, transfer_cell,
                                          transfer_matrix, white_box)
from robustsuite.studies.alignment import target_outcomes
from robustsuite.train import TrainConfig


def _all_cases() -> list[tuple[bool, bool, bool, bool]]:
    return list(itertools.product([False, True], repeat=4))


def test_parity_filter_is_not_the_and_filter():
    cases = torch.tensor(_all_cases())
    c0, c1, i0, i1 = cases.unbind(1)
    and_mask = qualified_mask(c0, c1, i0, i1, "and")
    parity = qualified_mask(c0, c1, i0, i1, "parity")
    assert int(and_mask.sum()) == 1 and and_mask[-1]  # only (correct, correct, fooled, fooled)
    assert int(parity.sum()) == 8  # chained XNOR = even number of True among the four
    assert torch.equal(parity, cases.sum(1) % 2 == 0)
    # a point both models misclassify and that stays misclassified counts as "transferred" under parity
    both_wrong = (torch.tensor([False]), torch.tensor([False]), torch.tensor([True]), torch.tensor([True]))
    assert qualified_mask(*both_wrong, "parity").item() and not qualified_mask(*both_wrong, "and").item()
    with pytest.raises(ConfigError, match="rule"):
        qualified_mask(c0, c1, i0, i1, "or")


class Fixed(nn.Module):
    """Predicts class 1 wherever the input's first pixel is above `cut`, else class 0."""

    def __init__(self, cut: float) -> None:
        super().__init__()
        self.cut = cut

    def forward(self, x):
        s = (x.flatten(1)[:, 0] > self.cut).float()
        return torch.stack([1 - s, s], 1)


def shove(model, x, y):
    """A fake 'attack': sets the first pixel to 1 (class 1) where y == 0, to 0 where y == 1."""
    adv = x.clone()
    adv.view(len(x), -1)[:, 0] = (y == 0).float()
    return adv


def test_cell_rates_use_the_stated_denominators():
    x = torch.tensor([[0.1], [0.4], [0.6], [0.9]]).view(4, 1, 1, 1)
    y = torch.tensor([0, 0, 1, 1])
    src, tgt = Fixed(0.5), Fixed(0.3)
    wb_s, wb_t = white_box(src, x, y, shove), white_box(tgt, x, y, shove)
    # src is correct on all four, tgt misclassifies x=0.4 (it says 1); the shove fools both everywhere
    cell = transfer_cell(wb_s, tgt, wb_t, y)
    assert (cell.n_all, cell.n_qualified) == (4, 3)
    assert cell.rate_all == 100.0 and cell.rate_qualified == 100.0
    assert cell.n_parity == 3  # x=0.4 is (T, F, T, T): odd parity, left out by both filters
    m = matrix_metrics({("source", "t"): cell})
    assert m["n_qualified[source->t]"] == 3 and m["transfer_all[source->t]"] == 100.0


def test_matrix_attacks_each_model_once_and_parses_back():
    x = torch.rand(10, 1, 2, 2)
    y = (x.flatten(1)[:, 0] > 0.5).long()
    calls = []

    def counting(model, xb, yb):
        calls.append(model)
        return shove(model, xb, yb)

    models = {"a": Fixed(0.5), "b": Fixed(0.5), "c": Fixed(0.5)}
    matrix = transfer_matrix({"a": models["a"], "b": models["b"]}, {"b": models["b"], "c": models["c"]}, x, y, counting)
    assert len(calls) == 3 and set(matrix) == {("a", "b"), ("a", "c"), ("b", "b"), ("b", "c")}
    parsed = parse_matrix_metrics({**matrix_metrics(matrix), "gain_mean": [1.0]})
    assert set(parsed) == {"transfer", "n_qualified", "transfer_all", "n_all", "transfer_parity", "n_parity"}
    assert parsed["n_all"][("a", "c")] == 10
    with pytest.raises(ConfigError, match="cannot appear"):
        matrix_metrics({("x->y", "t"): matrix[("a", "b")]})
    calls.clear()  # one model object under two names ("aligned" a placebo's fine-tuned source): attacked once
    twin = transfer_matrix({"a": models["a"], "aligned": models["a"]}, {"c": models["c"]}, x, y, counting)
    assert calls == [models["a"], models["c"]] and twin[("aligned", "c")] == twin[("a", "c")]


def test_empty_qualified_set_gives_nan_not_zero():
    x = torch.full((3, 1, 1, 1), 0.9)
    y = torch.zeros(3, dtype=torch.long)  # both models say class 1: never correct
    wb = white_box(Fixed(0.5), x, y, shove)
    cell = transfer_cell(wb, Fixed(0.5), wb, y)
    assert cell.n_qualified == 0 and cell.rate_qualified != cell.rate_qualified


def test_target_outcomes_attack_each_target_once_per_memo():
    """A target's masks are memoised by its config's digest (not its display label), so the zoos of a
    case and of its negative control attack a shared target once; the masks are the white box's."""
    x = torch.rand(10, 1, 2, 2)
    y = (x.flatten(1)[:, 0] > 0.5).long()
    calls, store = [], {}

    def counting(model, xb, yb):
        calls.append(model)
        return shove(model, xb, yb)

    def memo(key, compute):
        if key not in store:
            store[key] = compute()
        return store[key]

    spec = DataSpec("mnist", n_test=10)
    cfg = TrainConfig(spec, "mlp", epochs=1, label="zoo-target")
    model = Fixed(0.5)
    main = target_outcomes({"t": cfg}, lambda c: model, spec, x, y, counting, memo)
    control = target_outcomes({"t": cfg.replace(label="control-zoo-target")}, lambda c: model, spec, x, y, counting, memo)
    assert len(calls) == 1
    direct = white_box(model, x, y, shove)
    for wb in (main["t"], control["t"]):
        assert torch.equal(wb.correct, direct.correct) and torch.equal(wb.fooled, direct.fooled) and wb.adv is None
    target_outcomes({"t": cfg}, lambda c: model, spec, x[:5], y[:5], counting, memo)  # other points: attacked again
    assert len(calls) == 2
