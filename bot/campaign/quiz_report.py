"""python -m bot.campaign.quiz_report (`make quiz-report`): share of right quiz answers
before vs after each sector's tips, per language; cells of few people are hidden."""

from __future__ import annotations

import sys

from bot.campaign.figures import quiz_lines
from bot.settings import load_settings
from bot.storage.quiz import cells
from bot.storage.session import migrate, new_engine, new_sessionmaker


def main() -> int:
    """Print the figure for the database in DATABASE_URL."""
    engine = new_engine(load_settings(require_token=False).database_url)
    migrate(engine)  # a fresh database has no tables yet; this only creates them
    with new_sessionmaker(engine)() as session:
        lines = quiz_lines(cells(session))
    print("quiz: share of right answers, before -> after the sector's tips")
    print("\n".join(lines))
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
