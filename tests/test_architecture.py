"""The house of ../shared/ARCHITECTURE.md, checked on every module's imports:
the doors (web/, cli/) never import each other; the calendar and the engine are
pure (no Flask, no database); operations and models know no door."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# folder -> top-level modules it may never import
FORBIDDEN = {
    "web": {"cli"},
    "cli": {"web"},
    "gate": {"web", "cli", "operations", "models", "flask", "sqlalchemy", "glue", "app"},
    "operations": {"web", "cli", "flask", "glue", "app"},
    "models": {"web", "cli", "operations", "flask", "glue", "app"},
    "workflows": {"web", "cli", "operations", "models", "flask", "sqlalchemy", "glue", "app"},
    "calendar": {"web", "cli", "operations", "models", "workflows", "flask", "sqlalchemy", "glue", "app"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = set()
    for node in ast.walk(tree):  # function-level imports count too
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_the_house_allows(folder):
    wrong = [f"{path.relative_to(ROOT)} imports {sorted(imported_modules(path) & FORBIDDEN[folder])}"
             for path in sorted((ROOT / folder).rglob("*.py")) if imported_modules(path) & FORBIDDEN[folder]]
    assert wrong == []
