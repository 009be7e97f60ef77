"""Dated values that messages quote (locales/facts.yml), e.g. %(min_wage_range)s."""

from __future__ import annotations

from pathlib import Path

import yaml


def load_facts(path: Path) -> dict[str, str]:
    """key -> value; every entry must carry a value, a source and a check date."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    facts = {}
    for key, entry in data.items():
        missing = {"value", "source", "checked"} - set(entry or {})
        if missing:
            raise ValueError(f"{path.name}: {key} lacks {', '.join(sorted(missing))}")
        facts[str(key)] = str(entry["value"])
    return facts
