"""The suite's session state, usable with or without pytest: options, data, model cache,
results store; and a Case, one claim check that measures, decides and records.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import torch
from torch import nn

from robustsuite.claims import Control, Decision, Sequential, Verdict, get_claim, mean_sd
from robustsuite.data import DataSpec, Split, Stream
from robustsuite.errors import ConfigError, SuiteError, WeightsNotFoundError, choice
from robustsuite.harness import smoke
from robustsuite.harness.cache import ModelCache, Trainer
from robustsuite.harness.efficiency import Efficiency
from robustsuite.harness.environment import environment
from robustsuite.harness.memo_store import MemoStore
from robustsuite.harness.seeding import own_random_stream, seed_everything
from robustsuite.harness.store import ResultsStore
from robustsuite.harness.timing import stopwatch
from robustsuite.train import TrainConfig, train_model
from robustsuite.train.checkpoint import Checkpoint

T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    tier: str = "mini"
    data_root: str = os.environ.get("ROBUSTSUITE_DATA_ROOT", "data")
    download: bool = False
    cache_dir: str = os.environ.get("ROBUSTSUITE_CACHE_DIR", os.path.expanduser("~/.cache/robustsuite"))
    run_dir: str = "results/runs/adhoc"
    seeds: tuple[int, ...] | None = None  # None: each case's own default
    seed_offset: int = 0  # seeds start here: a replication on seeds disjoint from the default run's
    test_offset: int = 0  # evaluation subsets start at this test image: a replication on unseen test data
    device: str = "cpu"
    progress: bool = False
    efficiency: Efficiency = Efficiency()  # precision, channels-last, compile (see efficiency.py)
    checkpoint_every: int = 1  # epochs between training checkpoints; 0: only on SIGTERM/SIGUSR1
    checkpoint_seconds: float = 30.0  # and at least this long apart (a 2-s training writes none)
    smoke: bool = False  # toy-size run of the tier's code paths (robustsuite.harness.smoke); verdicts meaningless

    def __post_init__(self) -> None:
        choice("tier", self.tier, ("mini", "paper"))
        if not (self.device == "cpu" or self.device.startswith("cuda")):
            raise ConfigError(f"device={self.device!r} is not allowed; use 'cpu', 'cuda' or 'cuda:N'.")
        if not isinstance(self.checkpoint_every, int) or self.checkpoint_every < 0:
            raise ConfigError(f"checkpoint_every={self.checkpoint_every!r} is not allowed; give a whole number of "
                              "epochs >= 0 (0: only on SIGTERM/SIGUSR1).")
        if not self.checkpoint_seconds >= 0:
            raise ConfigError(f"checkpoint_seconds={self.checkpoint_seconds!r} is not allowed; give seconds >= 0.")


def parse_seeds(text: str | None) -> tuple[int, ...] | None:
    """'3' -> (0, 1, 2); '0,4,7' -> (0, 4, 7); None -> None."""
    if text is None:
        return None
    try:
        if "," in text:
            return tuple(int(s) for s in text.split(","))
        n = int(text)
    except ValueError:
        raise ConfigError(f"--seeds={text!r} is not allowed; give a count (3) or a list (0,1,2).") from None
    if n < 1:
        raise ConfigError(f"--seeds={text!r} is not allowed; the count must be >= 1.")
    return tuple(range(n))


class Suite:
    """Session-wide: data (kept on the device), the model cache and the results store.

    Cases get data and models prepared by the efficiency options (channels-last, compiled);
    training always uses the plain ones (a compiled module renames its state_dict), and models
    trained under bf16 are cached in their own folder."""

    def __init__(self, options: Options) -> None:
        self.options = options
        folder = options.efficiency.cache_folder(options.cache_dir)
        if options.smoke:  # smoke models (stand-in data, toy recipes) never share a folder with real ones
            folder = folder.with_name(f"smoke-{folder.name}")
        self.cache = ModelCache(folder, self._train, options.device)
        self.store = ResultsStore(options.run_dir)
        self._data: dict[tuple[DataSpec, bool], Split | Stream] = {}  # a streamed dataset is a Stream
        self._prepared: dict[tuple[DataSpec, bool], Split] = {}
        self._memo: dict[object, object] = {}

    @property
    def efficiency(self) -> dict:
        """The efficiency options, as recorded in every result record's environment."""
        return self.options.efficiency.as_dict()

    @property
    def tier(self) -> str:
        return self.options.tier

    @property
    def device(self) -> str:
        return self.options.device

    def data(self, spec: DataSpec, *, train: bool) -> Split:
        """A split on the device, in the layout the efficiency options ask for."""
        key = (spec, train)
        if key not in self._prepared:
            self._prepared[key] = self.options.efficiency.prepare_split(self._plain_data(spec, train))
        return self._prepared[key]

    def model(self, cfg: TrainConfig) -> nn.Module:
        """The trained model of `cfg` (from the cache), prepared by the efficiency options."""
        if self.options.smoke:  # configs a case builds from module constants get the compute caps too
            cfg = smoke.shrink(cfg, sizes=False)
        return self.options.efficiency.prepare_model(self.cache.get(cfg))

    def model_cache(self, root: str | os.PathLike, trainer: Trainer) -> ModelCache:
        """A model cache under `root` for configs the suite's own trainer does not train (a study's
        focus-training configs): `trainer(cfg)` returns (model, history)."""
        return ModelCache(root, trainer, self.device)

    def memo(self, key: object, compute: Callable[[], object], *, shared: bool = False) -> object:
        """A session-wide memo, so cases that share a measurement compute it once. `shared`: the
        value is plain data (JSON) and is also kept in the cache folder, so the other workers of
        the run, and later runs of the same code, read it instead of measuring it again."""
        if key not in self._memo:
            with own_random_stream(f"memo:{key!r}"):  # the same value whichever case computes it first
                self._memo[key] = self.shared_memo.get(key, compute) if shared else compute()
        return self._memo[key]

    @functools.cached_property
    def shared_memo(self) -> MemoStore:
        o = self.options
        settings = json.dumps({"tier": o.tier, "device": o.device, "smoke": o.smoke, "seed_offset": o.seed_offset,
                               "test_offset": o.test_offset, "data_root": os.path.abspath(o.data_root),
                               "efficiency": self.efficiency}, sort_keys=True, default=str)
        return MemoStore(os.path.join(o.cache_dir, "memo"), settings)

    def seeds(self, default: int = 3) -> tuple[int, ...]:
        seeds = self.options.seeds if self.options.seeds is not None else tuple(range(default))
        seeds = tuple(s + self.options.seed_offset for s in seeds)
        return smoke.seeds(seeds) if self.options.smoke else seeds

    def _plain_data(self, spec: DataSpec, train: bool) -> Split | Stream:
        key = (spec, train)
        if key not in self._data:
            split = spec.load(self.options.data_root, train=train, download=self.options.download,
                              test_offset=self.options.test_offset, standin=self.options.smoke)
            if self.options.smoke:
                split = split.head(smoke.examples(split.input_shape, train=train))
            self._data[key] = split.to(self.device)
        return self._data[key]

    def _train(self, cfg: TrainConfig):
        checkpoint = Checkpoint(self.cache.checkpoint_path(cfg), self.options.checkpoint_every,
                                self.options.checkpoint_seconds)
        with own_random_stream():  # a training leaves the caller's random stream as a cache hit would
            try:
                return train_model(cfg, self._plain_data(cfg.data, train=True), device=self.device,
                                   load=self.cache.get, progress=self.options.progress, checkpoint=checkpoint)
            except WeightsNotFoundError:
                if not self.options.smoke:
                    raise
                # smoke: the stand-in of absent weights is the same architecture, randomly initialised
                return train_model(smoke.without_weights(cfg), self._plain_data(cfg.data, train=True),
                                   device=self.device, load=self.cache.get, progress=self.options.progress)


class Case:
    """One running check of one claim: it times what it measures and writes one record."""

    def __init__(self, suite: Suite, case_id: str, *, expected: str = "pass",
                 timer: Callable[[Callable[[], object]], object] | None = None, control: Control | None = None) -> None:
        self.suite = suite
        self.case_id = case_id
        self.expected = expected
        self.control = control  # set: this run is the claim's negative control, which must not reproduce
        self.timings: dict[str, float] = {}
        self._timer = timer

    def __getattr__(self, name: str):  # data, model, memo, seeds, tier, device come from the suite
        return getattr(self.suite, name)

    def measure(self, fn: Callable[[], object]) -> object:
        """Run the case's measurement once, timed (pytest-benchmark when under pytest)."""
        before = dict(self.suite.cache.stats)
        seed_everything(self.case_id)
        with stopwatch(self.timings, "measure_seconds"):
            result = self._timer(fn) if self._timer is not None else fn()
        self.timings["train_seconds"] = self.suite.cache.stats["train_seconds"] - before["train_seconds"]
        self.timings["models_trained"] = self.suite.cache.stats["trained"] - before["trained"]
        self.timings["models_from_cache"] = self.suite.cache.stats["hits"] - before["hits"]
        return result

    def sequential(self, rule: Sequential, measure: Callable[[tuple[int, ...]], T],
                   values: Callable[[T], Sequence[float]]) -> tuple[Decision, tuple[int, ...], T]:
        """Decide `rule` look by look over this case's seeds, timed as its measurement.

        `measure(seeds)` gives the case's data for those seeds (memoize it per seed, so a later
        look only adds seeds), `values(data)` one value per seed. Returns the decision, the seeds
        of its last look and their data."""
        if self.options.smoke:
            rule = dataclasses.replace(rule, looks=smoke.smaller("looks", rule.looks))
        seeds = self.seeds(rule.n_max)
        decision = self.measure(lambda: rule.run(lambda ss: values(measure(ss)), seeds))
        used = tuple(seeds[:decision.stats["n"]])
        return decision, used, measure(used)

    def conclude(self, claim_id: str, decision: Decision, *, assertion: str, study: object,
                 metrics: Mapping[str, Sequence[float]] | None = None, seeds: Sequence[int] = ()) -> Decision:
        """Record the case, then assert its decision.

        The record's verdict is the paper's claim's: the decision's, except for an erratum claim,
        whose case decides the corrected statement: the paper is refuted when that statement
        reproduces, and a corrected statement that fails is an error of the suite, never "refuted".
        A negative control's record names the control (`control`, `control_removes`) and carries
        the decision's verdict: a control of an erratum judges the corrected statement (its
        counterexample), so its record also says `control_judges`. The control fails when that
        verdict is `reproduced` (the case cannot tell the claim, or the counterexample, from its placebo).
        """
        claim = get_claim(claim_id)
        _check_rule(claim, decision, seeds, smoke=self.suite.options.smoke)
        verdict = decision.verdict.value
        if claim.erratum and self.control is None:
            verdict = Verdict.REFUTED.value if decision.verdict is Verdict.REPRODUCED else SUITE_ERROR
        metrics = {k: [float(v) for v in vs] for k, vs in (metrics or {}).items()}
        study_obj, study = study, _plain(study)
        record = {
            "schema_version": 1, "case": self.case_id, "claim": claim.id, "family": claim.family, "tier": self.tier,
            "study": study if isinstance(study, dict) else {"id": study}, "seeds": list(seeds), "metrics": metrics,
            "aggregate": {k: dict(zip(("mean", "sd"), mean_sd(v)), n=len(v)) for k, v in metrics.items() if v},
            "assertion": assertion, "decision": {"verdict": decision.verdict.value, "rule": decision.rule,
                                                 "stats": _plain(decision.stats)},
            "verdict": verdict, "paper": dict(claim.paper), "expected": self.expected,
            "timings": self.timings, "environment": environment(self.device) | {"efficiency": self.suite.efficiency}
            | {"seed_offset": self.suite.options.seed_offset, "test_offset": self.suite.options.test_offset},
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "departures": list(getattr(study_obj, "departures", ())),  # from the paper's protocol, by the study
            "smoke": self.suite.options.smoke,  # a smoke record's verdict means nothing (compare skips it)
        }
        if self.control is not None:
            # the field robustsuite/report/kinds.py reads (CONTROL_FIELD; the harness does not import the report)
            record |= {"control": self.control.name, "control_removes": self.control.removes}
            if claim.erratum:
                record["control_judges"] = "the corrected statement"
        self.suite.store.write(record)
        if self.suite.options.smoke:
            return decision  # a smoke case passes by reaching here: its code paths ran, its verdict means nothing
        if self.control is not None:
            assert verdict != Verdict.REPRODUCED.value, (
                f"{claim.id}'s negative control {self.control.name!r} ({self.control.removes}) reproduces the claim: "
                f"the case cannot tell the claim from its placebo: {assertion}: {decision}")
            return decision
        if verdict == SUITE_ERROR:
            raise SuiteError(f"{claim.id} is an erratum, but the corrected statement the suite asserts does not "
                             f"hold: {assertion}: {decision}")
        assert decision.verdict is Verdict.REPRODUCED, f"{claim.id}: {assertion}: {decision}"
        return decision


SUITE_ERROR = "suite-error"  # the record's verdict when an erratum's corrected statement fails


def _check_rule(claim, decision: Decision, seeds: Sequence[int], smoke: bool = False) -> None:
    """Refuse a rule that cannot mean what the verdict says. An inferential rule tests a mean over
    seeds, so it takes one value per seed (a conjunction over conditions is an exact rule). An
    empirical claim is decided by inference: an exact rule ("every seed > margin") on one value per
    seed that varies over seeds is refused, since its verdict need not replicate. (One value per
    seed is told by count; a smoke run's two seeds match many conjunctions' condition counts, so
    there only the first check applies.)"""
    values = decision.stats.get("values", [])
    if not decision.exact and seeds and len(values) != len(seeds):
        raise ConfigError(f"{claim.id}: {decision.rule!r} tests a mean over seeds but got {len(values)} values for "
                          f"{len(seeds)} seeds; a conjunction over conditions takes an exact rule (AllSeeds, Within).")
    if (not smoke and claim.kind == "empirical" and decision.exact and len(values) == len(seeds) > 1
            and len(set(values)) > 1):
        raise ConfigError(f"{claim.id} is empirical and its values vary over seeds ({values}); decide it with an "
                          f"inferential rule (OneSidedT, Sequential, Equivalent), not {decision.rule!r}.")


def _plain(obj: object) -> object:
    """Configs and stats as JSON-ready data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if hasattr(obj, "to_dict"):
            return _plain(obj.to_dict())
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, torch.Tensor):
        return obj.tolist()
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)
