"""pytest wiring for what a run is about to do, loaded by `plugin.py`: `--tier auto` (paper when
CUDA is available, mini otherwise), the pytest header saying which tier was chosen and why, and
one note at the start listing every dataset the selected cases need and lack (its expected path
and the exact fix) instead of one skip message per case.
"""
from __future__ import annotations

import dataclasses

import pytest

_CHOICE = pytest.StashKey[str]()  # why this tier


def resolve_tier(tier: str, device: str, cuda_available: bool, gpus: int) -> tuple[str, str]:
    """(tier, why): `auto` is paper with CUDA (unless --device cpu), mini otherwise."""
    if tier != "auto":
        return tier, "--tier " + tier
    if device == "cpu":
        return "mini", "auto: --device cpu"
    if cuda_available:
        return "paper", f"auto: CUDA available ({gpus} GPU{'s' if gpus != 1 else ''})"
    return "mini", "auto: no CUDA device (--tier paper runs the paper tier anyway)"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if getattr(config.option, "tier", None) is None:
        return
    import torch

    cuda = torch.cuda.is_available()
    tier, why = resolve_tier(config.option.tier, config.option.rs_device, cuda, torch.cuda.device_count() if cuda else 0)
    config.option.tier = tier  # every later hook and the suite read the resolved tier
    config.stash[_CHOICE] = why


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _CHOICE not in config.stash:
        return []
    smoke = ", --smoke: toy-size studies on stand-ins of absent data, verdicts meaningless" \
        if config.option.smoke else ""
    return [f"robustsuite: tier {config.option.tier} ({config.stash[_CHOICE]}){smoke}; "
            f"data root {config.option.data_root}"]


def datasets_of(study: object) -> set[str]:
    """The names of every DataSpec a study holds, at any depth; else its `dataset` (its marker)."""
    found = _dataspecs(study)
    dataset = getattr(study, "dataset", None)
    return found or ({dataset} if isinstance(dataset, str) else set())


def _dataspecs(study: object) -> set[str]:
    from robustsuite.data import DataSpec

    if isinstance(study, DataSpec):
        return {study.name}
    if dataclasses.is_dataclass(study) and not isinstance(study, type):
        return set().union(*(_dataspecs(getattr(study, f.name)) for f in dataclasses.fields(study)))
    if isinstance(study, (tuple, list)):
        return set().union(*(_dataspecs(v) for v in study)) if study else set()
    return set()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Say once which datasets the selected cases lack; skip those cases with a one-line reason
    (with --smoke they run on stand-ins instead; with --download the loaders fetch them)."""
    if _CHOICE not in config.stash or config.option.download:
        return
    import os

    from robustsuite.data.availability import base_dataset, missing_datasets

    needs: dict[str, list[pytest.Item]] = {}
    for item in items:
        if item.get_closest_marker("studies") is None:  # not a suite case (a unit test's own `study`)
            continue
        study = getattr(item, "callspec", None) and item.callspec.params.get("study")
        for name in datasets_of(study):
            needs.setdefault(base_dataset(name), []).append(item)
    root = os.path.expanduser(config.option.data_root)
    absent = missing_datasets(set(needs), root)
    if not absent:
        return
    smoke = config.option.smoke
    lines = [f"robustsuite: {len(absent)} dataset(s) the selected cases need are absent under --data-root={root}"
             + (" (--smoke runs them on stand-ins of the real shapes):" if smoke else ":")]
    for name, (paths, fix) in absent.items():
        cases = {i.nodeid for i in needs[name]}
        lines.append(f"  {name} ({len(cases)} case(s)): expected {', '.join(paths)}")
        lines.append(f"    fix: {fix}")
        if not smoke:
            for item in needs[name]:
                item.add_marker(pytest.mark.skip(reason=f"dataset {name} absent (see the note at the start of the run)"))
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("\n".join(lines))
