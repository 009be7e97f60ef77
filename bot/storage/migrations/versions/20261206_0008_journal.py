"""journal: updates received and not yet answered, and what was sent for them (issue #11)

A bot process killed mid-turn replays its unanswered updates at start-up; answered ids stay
a day so a redelivered update is answered once.

Revision ID: 0008_journal
Revises: 0007_handoff_copy
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_journal"
down_revision = "0007_handoff_copy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "update_journal",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_update_journal")),
    )
    op.create_index(
        op.f("ix_update_journal_answered_at"), "update_journal", ["answered_at"], unique=False
    )
    op.create_table(
        "update_sent",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", "seq", name=op.f("pk_update_sent")),
    )


def downgrade() -> None:
    op.drop_table("update_sent")
    op.drop_index(op.f("ix_update_journal_answered_at"), table_name="update_journal")
    op.drop_table("update_journal")
