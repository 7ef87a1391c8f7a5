"""`robustsuite claims`: which pytest cases check each claim, found by collecting `benchmarks/`
(pytest --collect-only in a subprocess, reading the `claim` markers), and which catalog ids
(fixtures/claim_ids/<family>.txt) map to nothing: no case and no documented `no_case` reason.

The collection runs in a child process with the small plugin below (`-p robustsuite.report.collect`),
so benchmark modules are imported the way pytest imports them and this process stays clean.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pytest

from robustsuite.claims import FAMILIES, list_claims
from robustsuite.errors import ConfigError, RobustSuiteError

_OUT = "ROBUSTSUITE_COLLECT_OUT"


@dataclass(frozen=True)
class CollectedCase:
    nodeid: str
    claims: tuple[str, ...]
    skip: str = ""  # the reason when the case is skipped at this tier
    xfail: str = ""  # the reason when the case is a strict expected failure at this tier


@dataclass
class ClaimEntry:
    id: str
    family: str
    where: str
    kind: str
    cases: list[CollectedCase] = field(default_factory=list)
    no_case: str = ""
    registered: bool = True

    @property
    def status(self) -> str:
        if self.cases:
            return "; ".join(_case_status(c) for c in self.cases)
        if self.no_case:
            return f"no_case: {self.no_case}"
        return "UNMAPPED: not declared" if not self.registered else "UNMAPPED: declared but no case checks it"

    @property
    def mapped(self) -> bool:
        return self.registered and bool(self.cases or self.no_case)


def _case_status(c: CollectedCase) -> str:
    if c.skip:
        return f"{c.nodeid} (skip: {c.skip})"
    if c.xfail:
        return f"{c.nodeid} (xfail: {c.xfail})"
    return c.nodeid


# -- the pytest plugin, loaded in the child process -------------------------------------------------

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:  # noqa: ARG001 (pytest hook signature)
    """Runs after the harness plugin added its skip/xfail markers: write each case's claims."""
    path = os.environ.get(_OUT)
    if not path:
        return
    out = []
    for item in items:
        ids = [a for m in item.iter_markers("claim") for a in m.args]
        if not ids:
            continue
        skip = next((m.kwargs.get("reason", m.args[0] if m.args else "") for m in item.iter_markers("skip")), "")
        xfail = next((m.kwargs.get("reason", "") for m in item.iter_markers("xfail")), "")
        out.append({"nodeid": item.nodeid, "claims": ids, "skip": skip, "xfail": xfail})
    Path(path).write_text(json.dumps(out))


# -- the parent side --------------------------------------------------------------------------------

def plugin_args() -> list[str]:
    """`-p robustsuite.harness.plugin` unless the installed entry point already loads it."""
    eps = metadata.entry_points(group="pytest11")
    loaded = any(ep.value == "robustsuite.harness.plugin" for ep in eps)
    return [] if loaded else ["-p", "robustsuite.harness.plugin"]


def collect_cases(root: str | Path = ".", *, tier: str = "mini", paths: tuple[str, ...] = ("benchmarks",),
                  timeout: float = 600) -> list[CollectedCase]:
    """Collect the cases under `paths` (relative to `root`) at `tier` and return their claim markers."""
    root = Path(root)
    missing = [p for p in paths if not (root / p).exists()]
    if missing:
        raise ConfigError(f"{', '.join(missing)}: not found under {root.resolve()}; run from the repository root "
                          "or pass --root.")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cases.json"
        cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *plugin_args(),
               "-p", "robustsuite.report.collect", "--tier", tier, *paths]
        env = {**os.environ, _OUT: str(out), "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode not in (0, 5) or not out.exists():  # 5: nothing collected
            raise RobustSuiteError(f"collecting {' '.join(paths)} failed (exit {proc.returncode}):\n"
                                   f"{(proc.stdout + proc.stderr)[-3000:]}")
        data = json.loads(out.read_text())
    return [CollectedCase(d["nodeid"], tuple(d["claims"]), d["skip"], d["xfail"]) for d in data]


def catalog_ids(root: str | Path = ".", family: str | None = None) -> dict[str, list[str]]:
    """family -> the claim ids of its catalog (fixtures/claim_ids/<family>.txt)."""
    folder = Path(root) / "fixtures" / "claim_ids"
    out = {}
    for path in sorted(folder.glob("*.txt")):
        if family is None or path.stem == family:
            out[path.stem] = [line.split()[0] for line in path.read_text().splitlines()
                              if line.strip() and not line.lstrip().startswith("#")]
    return out


def claim_entries(root: str | Path = ".", *, family: str | None = None, tier: str = "mini",
                  cases: list[CollectedCase] | None = None) -> list[ClaimEntry]:
    """Every declared claim and every catalog id (of `family`, or all), each with its cases."""
    if family is not None and family not in FAMILIES:
        raise ConfigError(f"family={family!r} is not allowed; choose one of {sorted(FAMILIES)}.")
    cases = collect_cases(root, tier=tier) if cases is None else cases
    entries = {c.id: ClaimEntry(c.id, c.family, c.where, c.kind, no_case=c.no_case) for c in list_claims(family)}
    for fam, ids in catalog_ids(root, family).items():
        for cid in ids:
            entries.setdefault(cid, ClaimEntry(cid, fam, "", "", registered=False))
    for case in cases:
        for cid in case.claims:
            if cid in entries:
                entries[cid].cases.append(case)
    from robustsuite.report.status import natural

    return sorted(entries.values(), key=lambda e: (e.family, natural(e.id)))


def unmapped(entries: list[ClaimEntry]) -> list[ClaimEntry]:
    return [e for e in entries if not e.mapped]
