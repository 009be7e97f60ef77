"""The one-way dependency rule: telegram -> core -> storage, i18n (TEAM.md, style.md)."""

import ast
from pathlib import Path

from bot.settings import PROJECT_DIR

BOT = PROJECT_DIR / "bot"


def imported(path: Path) -> set[str]:
    """Every module a file imports (top level or inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(PROJECT_DIR)} imports {name}"
        for path in sorted((BOT / package).rglob("*.py"))
        for name in sorted(imported(path))
        if name.startswith(forbidden)
    ]


def test_i18n_only_reads_catalogs_and_renders() -> None:
    assert offenders("i18n", ("bot.core", "bot.telegram", "bot.storage", "bot.handoff")) == []


def test_the_core_imports_neither_telegram_nor_sql() -> None:
    assert offenders("core", ("telegram", "sqlalchemy", "bot.telegram", "bot.storage")) == []


def test_the_adapter_reaches_storage_only_through_the_core() -> None:
    # bot/assembly.py wires the stores; the Telegram adapter never names them
    assert offenders("telegram", ("sqlalchemy", "bot.storage")) == []
