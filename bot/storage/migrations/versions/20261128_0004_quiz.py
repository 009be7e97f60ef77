"""quiz_answer, tips_seen: quiz answers and tips views for before/after figures (#4)

Revision ID: 0004_quiz
Revises: 0002
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_quiz"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quiz_answer",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("question", sa.String(16), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("phase", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_answer")),
        sa.UniqueConstraint(
            "pseudonym", "sector", "question", "phase", "version",
            name=op.f("uq_quiz_answer_pseudonym"),
        ),
    )
    op.create_table(
        "tips_seen",
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", "sector", name=op.f("pk_tips_seen")),
    )


def downgrade() -> None:
    op.drop_table("tips_seen")
    op.drop_table("quiz_answer")
