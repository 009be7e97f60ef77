"""conversation tier: the one urgency tier of each conversation, kept by the bot (#12.1)

A small JSON record (tier, names of the signs, time of the last sign, turns nobody could
read); no words. Erased with the user row by /forget, cleared by the retention job.

Revision ID: 0006_conversation_tier
Revises: 0003_handoff
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_conversation_tier"
down_revision = "0003_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("conversation_tier", sa.Text(), nullable=True))
        batch.add_column(sa.Column("tier_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("tier_at")
        batch.drop_column("conversation_tier")
