"""Imports between apps follow the layers of docs/architecture.md (its imports table is the rule)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "prospecting"


def allowed_imports() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("<!-- imports table: read by tests/test_architecture.py -->")[1].split("<!-- end")[0]
    rules = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in {"app", "---"} or set(cells[0]) <= {"-"}:
            continue
        rules[cells[0]] = {name.strip() for name in cells[1].split(",") if re.fullmatch(r"[a-z_]+", name.strip())}
    return rules


def imported_apps(path: Path) -> set[str]:
    """Apps of this package that a module imports, at its top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "prospecting" and len(parts) > 1:
                found.add(parts[1])
    return found


def app_dirs() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def test_every_app_has_a_place_in_the_layers():
    assert set(app_dirs()) == set(allowed_imports()), "add the app to the imports table of docs/architecture.md"


def test_imports_between_apps_only_go_down():
    rules = allowed_imports()
    upward = []
    for app in app_dirs():
        for path in sorted((PACKAGE / app).rglob("*.py")):
            for other in imported_apps(path) - {app}:
                if other in rules and other not in rules[app]:
                    upward.append(f"{path.relative_to(ROOT)} imports {other}")
    assert not upward, "imports against the layers of docs/architecture.md:\n" + "\n".join(upward)


def test_the_rule_has_no_cycles():
    rules = allowed_imports()
    for app, below in rules.items():
        for other in below:
            assert app not in rules.get(other, set()), f"{app} and {other} may import each other"


def test_the_check_sees_an_upward_import(tmp_path):
    """The checker itself: a module importing an app above it is caught, inside a function too."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from prospecting.workspace.api import ProspectViewSet\n")
    assert imported_apps(module) == {"workspace"}
    assert "workspace" not in allowed_imports()["prospects"]
