"""The console is a client of the admin APIs (issue 15): it never imports a service, nor talks to a database."""

from __future__ import annotations

import ast
from pathlib import Path

CONSOLE = Path(__file__).resolve().parents[3] / "libs" / "console"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_console_module_imports_a_service_or_a_database_driver() -> None:
    files = sorted(CONSOLE.rglob("*.py"))
    assert len(files) >= 10
    for path in files:
        bad = {name for name in _imports(path)
               if name.split(".")[0] in {"services", "asyncpg", "psycopg", "sqlalchemy"}
               or name.startswith(("libs.common.db", "libs.common.outbox", "libs.common.inbox"))}
        assert not bad, f"{path.relative_to(CONSOLE)} imports {sorted(bad)}"


def test_templates_carry_no_inline_script_or_style_the_csp_would_block() -> None:
    for path in sorted((CONSOLE / "templates").rglob("*.html")):
        text = path.read_text()
        assert "style=" not in text and "<style" not in text, path.name
        assert "<script>" not in text and " on" + "click=" not in text, path.name
