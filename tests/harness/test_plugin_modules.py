"""The pytest plugin modules import neither each other nor anything that imports them back."""
import ast
from pathlib import Path

import robustsuite.harness as harness

PLUGINS = ("plugin", "scale_plugin", "option_checks", "plugin_keys")


def _imports(name: str) -> set[str]:
    tree = ast.parse((Path(harness.__file__).parent / f"{name}.py").read_text())
    found = set()
    for node in ast.walk(tree):  # lazy imports inside functions count too
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_no_import_cycle_between_the_plugin_modules():
    for a in PLUGINS:
        for b in PLUGINS:
            if a != b and f"robustsuite.harness.{b}" in _imports(a):
                assert f"robustsuite.harness.{a}" not in _imports(b), f"{a} and {b} import each other"
    assert "robustsuite.harness.scale_plugin" not in _imports("plugin")  # loaded through pytest_plugins
    assert "robustsuite.harness.plugin" not in _imports("scale_plugin")
