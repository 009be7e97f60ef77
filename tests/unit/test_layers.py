"""The packages depend one way: adapters (telegram, console) -> the core and its features
(core, handoff, campaign) -> storage, i18n and text. A new import against that direction
fails here, with the module and the import named, before it grows into a cycle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"

# package -> the packages of bot/ it must never import (directly or inside a function)
NEVER = {
    "text": {"core", "storage", "i18n", "telegram", "console", "handoff", "campaign", "engine"},
    "i18n": {"core", "storage", "telegram", "console", "handoff", "campaign", "engine"},
    "storage": {"telegram", "console", "handoff", "engine", "nlu", "assembly"},
    "core": {"storage", "telegram", "console", "campaign", "engine", "assembly"},
    "handoff": {"telegram", "console", "campaign", "engine", "assembly"},
    "campaign": {"telegram", "console", "handoff", "assembly"},
    "telegram": {"storage"},  # the adapter speaks to the core only; assembly wires storage
    "console": {"storage", "telegram"},
}


def imports(path: Path) -> Iterator[str]:
    """The bot.* modules a file imports."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_no_package_imports_against_the_direction() -> None:
    wrong = []
    for package, never in NEVER.items():
        for path in sorted((BOT / package).rglob("*.py")):
            for module in imports(path):
                parts = module.split(".")
                if parts[0] == "bot" and len(parts) > 1 and parts[1] in never:
                    wrong.append(f"{path.relative_to(BOT.parent)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_rules_name_real_packages() -> None:
    packages = {p.name for p in BOT.iterdir() if (p / "__init__.py").exists()}
    named = set(NEVER) | set().union(*NEVER.values()) - {"assembly"}
    assert named <= packages, named - packages
