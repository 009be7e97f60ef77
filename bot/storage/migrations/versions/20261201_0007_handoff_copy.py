"""handoff_copy: the bot's posts in desk topics that carry a person's words (#13.4)

So that /forget can delete them from the topic (Telegram allows it for 48 hours) and say
honestly how many it could not. Ids only; the words are in Telegram, not here.

Revision ID: 0007_handoff_copy
Revises: 0006_conversation_tier
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_handoff_copy"
down_revision = "0006_conversation_tier"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_copy",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["handoff_case.id"], name=op.f("fk_handoff_copy_case_id_handoff_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_copy")),
    )
    op.create_index(op.f("ix_handoff_copy_case_id"), "handoff_copy", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_handoff_copy_case_id"), table_name="handoff_copy")
    op.drop_table("handoff_copy")
