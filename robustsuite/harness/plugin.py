"""robustsuite's pytest plugin: options, markers, study parametrization, the `rs` fixture,
resume, and pytest-benchmark wiring (a CUDA-synchronizing timer, JSON into the run folder).

Registered as the `robustsuite` pytest11 entry point. Cases look like:

    @pytest.mark.claim("C003-4.04")
    @pytest.mark.studies(mini=[MNIST_MLP], paper=[CIFAR10_PREACT, ...])
    def test_lipschitz(rs, study):
        values = rs.measure(lambda: ...)
        rs.conclude("C003-4.04", AllSeeds(0).decide(values), assertion="...", study=study)

A case may declare negative controls, `@pytest.mark.controls(mini=[Control(name, removes, study)])`:
under `-m control` each runs the same case code on its study and passes unless it reproduces.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import signal
from pathlib import Path

import pytest

from robustsuite.harness.plugin_keys import RUN_DIR, SCALE

DATASET_MARKERS = ("digits", "mnist", "fashion_mnist", "emnist", "cifar10", "cifar100", "svhn", "imagenette",
                   "caltech101", "imagenet", "celeba", "synthetic", "fonts", "speech_commands", "theory")
DOCUMENT_MARKERS = ("data_perspective", "input_distribution", "manifold", "thesis", "thesis_ch3_4", "hierarchical",
                    "alignment_transfer", "perf")
_TIMER = "robustsuite.harness.timing.synced_perf_counter"
# --gpus, --shard, efficiency options, session files; bad options as one usage error at start-up;
# --tier auto, the pytest header, the missing-data note
pytest_plugins = ("robustsuite.harness.scale_plugin", "robustsuite.harness.option_checks",
                  "robustsuite.harness.tier_plugin")


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("robustsuite")
    g.addoption("--tier", choices=("auto", "mini", "paper"), default="auto",
                help="run size: mini (CPU), paper (GPU) or auto (default: paper when CUDA is available, else mini)")
    g.addoption("--data-root", default=os.environ.get("ROBUSTSUITE_DATA_ROOT", "data"),
                help="folder holding the datasets (torchvision layout); env ROBUSTSUITE_DATA_ROOT")
    g.addoption("--download", action=argparse.BooleanOptionalAction, default=False,
                help="allow torchvision downloads (--no-download: never)")
    g.addoption("--cache-dir", default=os.environ.get("ROBUSTSUITE_CACHE_DIR", "~/.cache/robustsuite"),
                help="model cache folder; env ROBUSTSUITE_CACHE_DIR")
    g.addoption("--results-dir", default="results", help="where run folders are written")
    g.addoption("--run", dest="rs_run", default=os.environ.get("ROBUSTSUITE_RUN"),
                help="run name; an existing run is resumed (finished cases are skipped); env ROBUSTSUITE_RUN")
    g.addoption("--seeds", default=None, help="seed count (3) or list (0,1,2); default: each case's own")
    g.addoption("--seed-offset", type=int, default=0,
                help="add K to every seed: replicate a run on disjoint seeds (see `robustsuite replicate`)")
    g.addoption("--test-offset", type=int, default=0,
                help="evaluation subsets start at test image N: replicate a run on unseen test data")
    g.addoption("--device", dest="rs_device", default="auto", help="cpu, cuda, cuda:N or auto")
    g.addoption("--threads", type=int, default=1, help="torch intra-op threads on the CPU (default 1)")
    g.addoption("--progress", action="store_true", help="progress bars for training")
    g.addoption("--checkpoint-every", type=int, default=1, metavar="EPOCHS",
                help="training checkpoints every EPOCHS epochs (0: only on SIGTERM/SIGUSR1); a killed training "
                     "resumes from its last one. Default: 1")
    g.addoption("--checkpoint-seconds", type=float, default=30.0, metavar="S",
                help="interval checkpoints at least S seconds apart: a short training writes none and loses at "
                     "most S seconds when killed. Default: 30")
    g.addoption("--controls", action="store_true",
                help="also run every case's negative controls, beside the main cases (-m control: only the controls)")
    g.addoption("--smoke", action="store_true",
                help="run every case of the tier at toy size on stand-ins of absent data (robustsuite.harness.smoke); "
                     "proves code paths, verdicts meaningless")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for name in DATASET_MARKERS + DOCUMENT_MARKERS:
        config.addinivalue_line("markers", f"{name}: cases on {name}")
    config.addinivalue_line("markers", "claim(*ids): the claim ids a case checks")
    config.addinivalue_line("markers", "studies(mini=[...], paper=[...]): the studies of a case, per tier")
    config.addinivalue_line("markers", "xfail_at(mini='evidence'): this case's claim does not hold at that tier")
    config.addinivalue_line("markers", "skip_at(mini='evidence'): this case cannot be shown at that tier")
    config.addinivalue_line("markers", "controls(mini=[Control(...)], paper=[...]): the case's negative controls, "
                                       "per tier; collected only under -m control")
    config.addinivalue_line("markers", "control(Control): a negative control's run: it passes unless it reproduces")
    if config.option.benchmark_timer == "time.perf_counter" or "perf_counter" in str(config.option.benchmark_timer):
        config.option.benchmark_timer = _TIMER
    if config.getoption("collectonly") or not hasattr(config.option, "tier"):
        return
    if config.option.smoke:  # attacks a case builds from literals get the rule's compute caps when they run
        from robustsuite.attacks.registry import set_before_run
        from robustsuite.harness.smoke import capped_attack
        set_before_run(capped_attack)
    if signal.getsignal(signal.SIGUSR1) == signal.SIG_DFL:
        # Slurm's warning signal asks a training for a checkpoint; between trainings it must not end the run
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    run_dir = Path(config.option.results_dir) / "runs" / (config.option.rs_run or dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
    config.stash[RUN_DIR] = run_dir  # scale_plugin points pytest-benchmark's JSON into it


def pytest_unconfigure(config: pytest.Config) -> None:
    if getattr(config.option, "smoke", False):  # an in-process pytest (pytester) must not leave the caps behind
        from robustsuite.attacks.registry import set_before_run
        set_before_run(None)


def _activate(run_dir: Path) -> None:
    """Create the run folder and point `results/latest` at it (when the file system allows)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    latest = run_dir.parent.parent / "latest"
    try:
        if latest.is_symlink() or not latest.exists():
            tmp = latest.with_name(f".latest-{os.getpid()}")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(Path("runs") / run_dir.name)
            os.replace(tmp, latest)
    except OSError:
        pass  # no symlinks here: `robustsuite report` takes the run folder instead


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("studies")
    if "study" not in metafunc.fixturenames or marker is None:
        return
    tier = metafunc.config.getoption("tier")
    studies = marker.kwargs.get(tier, [])
    if metafunc.config.getoption("smoke"):
        from robustsuite.harness.smoke import shrink

        studies = [shrink(s) for s in studies]  # same ids: a smoke case names the case it proves
    params = [pytest.param(s, id=s.id, marks=[getattr(pytest.mark, m) for m in _dataset_markers(s)]) for s in studies]
    if not params:
        params = [pytest.param(None, id=f"no-{tier}-case",
                               marks=pytest.mark.skip(reason=f"this claim has no {tier}-tier case"))]
    controls = metafunc.definition.get_closest_marker("controls")
    if controls is not None and _controls_wanted(metafunc.config):
        params += [pytest.param(c.study, id=f"control-{c.study.id}",
                                marks=[pytest.mark.control(c), *(getattr(pytest.mark, m) for m in _dataset_markers(c.study))])
                   for c in controls.kwargs.get(tier, [])]
    metafunc.parametrize("study", params)


def _controls_wanted(config: pytest.Config) -> bool:
    """Negative controls are collected only with `--controls` or when the marker expression names
    them (`-m control`), so that a main run costs what it did without them."""
    return config.getoption("controls") or re.search(r"\bcontrol\b", config.getoption("markexpr") or "") is not None


def _dataset_markers(study) -> tuple[str, ...]:
    names = getattr(study, "datasets", None) or (getattr(study, "dataset", None),)
    return tuple(n for n in names if n)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from robustsuite.claims import CLAIMS

    tier = config.getoption("tier")
    evidence = _baseline_evidence(config, tier)
    for item in items:
        marker = item.get_closest_marker("claim")
        if marker is None:
            continue
        for cid in marker.args:
            if cid not in CLAIMS:
                raise pytest.UsageError(f"{item.nodeid}: unknown claim id {cid!r} in @pytest.mark.claim")
            claim = CLAIMS.get(cid)
            for m in claim.markers:
                item.add_marker(m)
            # a claim's own skip/xfail evidence applies to all its cases; a case may carry its own
            skip = claim.skip_at.get(tier) or _case_evidence(item, "skip_at", tier)
            xfail = claim.xfail_at.get(tier) or _case_evidence(item, "xfail_at", tier)
            if item.get_closest_marker("control"):
                xfail = ""  # a control must not reproduce whether or not its claim holds at this tier
            # prepended, so the evidence is the reason pytest shows (before a "no case at this tier" skip)
            if skip:
                item.add_marker(pytest.mark.skip(reason=f"{cid} cannot be shown at the {tier} tier: {skip}"), append=False)
            if xfail and item.nodeid in evidence:
                xfail = f"{xfail} [baseline record: {evidence[item.nodeid]}]"
            if xfail and not config.getoption("smoke"):  # a smoke verdict means nothing: nothing to expect
                # only a failed assertion is the expected failure: a crash stays an error
                item.add_marker(pytest.mark.xfail(strict=True, raises=AssertionError,
                                                  reason=f"{cid} does not hold at the {tier} tier: {xfail}"),
                                append=False)


def _baseline_evidence(config: pytest.Config, tier: str) -> dict[str, str]:
    """Case id -> the committed baseline record's decision at this tier: the measured evidence an
    expected failure shows, read from the record so that it cannot go stale."""
    from robustsuite.harness.records import decision_summary, load_records

    records, _ = load_records(config.rootpath / "results" / "baseline")
    return {r["case"]: decision_summary(r) for r in records if r["tier"] == tier}


def _case_evidence(item: pytest.Item, name: str, tier: str) -> str:
    marker = item.get_closest_marker(name)
    return marker.kwargs.get(tier, "") if marker else ""


@pytest.fixture(scope="session")
def suite(request: pytest.FixtureRequest):
    """The session's Suite: data, model cache and results store."""
    import torch

    from robustsuite.harness.suite import Options, Suite, parse_seeds

    config = request.config
    device = config.option.rs_device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(config.option.threads)
    run_dir = config.stash.get(RUN_DIR, None) or Path(config.option.results_dir) / "runs" / "adhoc"
    _activate(run_dir)
    scale = config.stash.get(SCALE, {})
    options = Options(tier=config.option.tier, data_root=os.path.expanduser(config.option.data_root),
                      download=config.option.download, cache_dir=os.path.expanduser(config.option.cache_dir),
                      run_dir=str(run_dir), seeds=parse_seeds(config.option.seeds), device=device,
                      seed_offset=config.option.seed_offset, test_offset=config.option.test_offset,
                      progress=config.option.progress, checkpoint_every=config.option.checkpoint_every,
                      checkpoint_seconds=config.option.checkpoint_seconds,
                      smoke=config.option.smoke,
                      **({"efficiency": scale["efficiency"]} if "efficiency" in scale else {}))
    return Suite(options)


@pytest.fixture
def rs(suite, request: pytest.FixtureRequest):
    """This case: `rs.measure(fn)`, `rs.conclude(...)`, plus the suite's data/model/seeds."""
    from robustsuite.harness.suite import Case

    if suite.store.has(request.node.nodeid):
        pytest.skip(f"finished earlier in this run ({suite.store.run_dir}); its record is kept")
    xfail = request.node.get_closest_marker("xfail")
    control = request.node.get_closest_marker("control")
    bench = request.getfixturevalue("benchmark")
    return Case(suite, request.node.nodeid, expected="xfail" if xfail else "pass",
                timer=lambda fn: _timed_once(bench, fn), control=control.args[0] if control else None)


def _timed_once(bench, fn):
    """One long measurement, timed once by pytest-benchmark. A measurement that raises is still
    timed as its one round and its error re-raised, so that the case fails with that error alone
    (pytest-benchmark would otherwise fail again, on the statistics of zero rounds)."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = fn()
        except Exception as err:  # re-raised below, once the round is recorded
            outcome["error"] = err

    bench.pedantic(run, rounds=1, iterations=1)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    from robustsuite.errors import DataNotFoundError, MissingDependencyError, NonFiniteValuesError

    try:
        return (yield)
    except NonFiniteValuesError as err:
        if not pyfuncitem.config.getoption("smoke"):
            raise
        # toy models (one epoch on a few stand-in examples) can make a statistic degenerate
        pytest.xfail(f"smoke: a statistic of the toy-size models is not finite, so no rule can decide: {err}")
    except DataNotFoundError as err:
        pytest.skip(f"data not available: {err}")
    except MissingDependencyError as err:
        pytest.skip(f"optional package not installed: {err}")
