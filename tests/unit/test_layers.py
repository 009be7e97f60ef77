"""The one-way dependency rule: telegram -> core -> storage, i18n (TEAM.md, style.md)."""

import ast
from pathlib import Path

from bot.settings import PROJECT_DIR
from bot.storage import schema

BOT = PROJECT_DIR / "bot"
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


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


def test_the_core_names_what_it_needs_of_the_handoff_and_never_imports_it() -> None:
    # the hand-off builds on the core (cases, desks, the operators' side); the pipeline
    # reaches it through bot/core/turn.py's CaseDesk, plugged in by bot/assembly.py
    assert offenders("core", ("bot.handoff",)) == []


def test_one_clock_tells_the_time() -> None:
    """Only bot/core/clock.py reads the wall clock; everything else asks it, so
    BOT_TEST_NOW moves the whole bot's time. The sandbox and the benchmarks play
    Telegram's servers, whose clock is not the bot's."""
    readers = []
    for path in sorted(BOT.rglob("*.py")):
        if path.name == "clock.py" or {"sandbox", "engine"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
                continue
            if (node.value.id, node.attr) in WALL_CLOCK:
                readers.append(f"{path.relative_to(PROJECT_DIR)}:{node.lineno}")
    assert readers == []


def test_the_adapter_reaches_storage_only_through_the_core() -> None:
    # bot/assembly.py wires the stores; the Telegram adapter never names them
    assert offenders("telegram", ("sqlalchemy", "bot.storage")) == []


def test_the_two_table_modules_do_not_import_each_other() -> None:
    # the hand-off's tables build on the models' Base; bot/storage/schema.py joins them, so
    # loading the users' tables never drags in the hand-off and there is no import cycle
    models, handoff = BOT / "storage" / "models.py", BOT / "storage" / "handoff.py"
    assert not {"bot.storage.handoff", "bot.storage"} & imported(models)
    assert "bot.storage.handoff" not in imported(handoff)
    assert {"user", "handoff_case", "handoff_copy"} <= set(schema.metadata.tables)


# package -> the packages of bot/ it must never import: adapters (telegram, console) ->
# the core and its features (core, handoff, campaign) -> storage, i18n, text. Storage may
# read the core's value types and ports, and the campaign's tally port: it implements them.
NEVER = {
    "text": ("core", "storage", "i18n", "telegram", "console", "handoff", "campaign", "engine"),
    "i18n": ("core", "storage", "telegram", "console", "handoff", "campaign", "engine"),
    "storage": ("telegram", "console", "handoff", "engine", "nlu", "assembly"),
    "core": ("storage", "telegram", "console", "campaign", "engine", "assembly"),
    "handoff": ("telegram", "console", "campaign", "engine", "assembly"),
    "campaign": ("telegram", "console", "handoff", "assembly"),
    "telegram": ("storage",),
    "console": ("storage", "telegram"),
}


def test_no_package_imports_against_the_direction() -> None:
    wrong = [
        found
        for package, never in NEVER.items()
        for found in offenders(package, tuple(f"bot.{name}" for name in never))
    ]
    assert wrong == []


def test_the_rules_name_real_packages() -> None:
    packages = {p.name for p in BOT.iterdir() if (p / "__init__.py").exists()} | {"assembly"}
    assert set(NEVER) | {name for never in NEVER.values() for name in never} <= packages
