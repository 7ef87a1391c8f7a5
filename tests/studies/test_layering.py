"""The studies' home is robustsuite/studies: nothing there reaches up to pytest, the harness or the
report, and the case files under benchmarks/ declare no study types of their own."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
STUDIES = ROOT / "robustsuite" / "studies"
FORBIDDEN = ("pytest", "_pytest", "robustsuite.harness", "robustsuite.report", "robustsuite.cli")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):  # lazy imports inside functions count too
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return found


def _is_dataclass(node: ast.ClassDef) -> bool:
    for d in node.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name == "dataclass":
            return True
    return False


def test_studies_import_neither_pytest_nor_the_harness_nor_the_report():
    modules = sorted(STUDIES.glob("*.py"))
    assert len(modules) > 10
    bad = {m.name: sorted(i for i in _imports(m) if i.split(".")[0] == "_pytest" or any(
        i == f or i.startswith(f + ".") for f in FORBIDDEN)) for m in modules}
    assert not {k: v for k, v in bad.items() if v}


def test_no_case_file_defines_a_dataclass():
    found = [f"{p.relative_to(ROOT)}:{n.lineno} {n.name}" for p in sorted((ROOT / "benchmarks").rglob("*.py"))
             for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.ClassDef) and _is_dataclass(n)]
    assert not found, f"study types belong in robustsuite/studies: {found}"


def test_no_case_imports_a_sibling_module():
    """Case files import studies from the package, never from each other or a helper next to them
    (that needed a sys.path hook under --import-mode=importlib)."""
    local = {p.stem for p in (ROOT / "benchmarks").rglob("*.py")}
    found = [f"{p.relative_to(ROOT)}: {i}" for p in sorted((ROOT / "benchmarks").rglob("*.py"))
             for i in _imports(p) if i.split(".")[0] in local]
    assert not found
