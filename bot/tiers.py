"""Urgency tiers of shared/spec/safety.md, by intent: the one definition everything uses.

Standard library only, so the engine's NLU components and actions can import it too.
"""

from __future__ import annotations

TIER1 = frozenset(
    {
        "emergency_help",
        "report_confinement",
        "report_violence",
        "report_sexual_exploitation",
        "report_forced_scam_work",
    }
)
TIER2 = frozenset(
    {
        "report_documents_withheld",
        "report_debt_bondage",
        "report_threats",
        "report_child_labour",
        "report_third_party",
    }
)
TIER3 = frozenset({"report_unpaid_wages", "report_deception", "report_excessive_hours"})
COERCION_SIGNS = frozenset(
    {"report_documents_withheld", "report_debt_bondage", "report_threats", "report_confinement"}
)
INFORMATION = 4


def tier_of(intent: str) -> int:
    """1, 2 or 3 for a risk intent; 4 for everything else."""
    for tier, intents in ((1, TIER1), (2, TIER2), (3, TIER3)):
        if intent in intents:
            return tier
    return INFORMATION
