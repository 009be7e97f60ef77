"""handoff: cases, their events and relayed-message keys (issue #6)

Revision ID: 0003_handoff
Revises: 0005_routing
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_handoff"
down_revision = "0005_routing"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "handoff_case",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("sealed_chat", sa.String(256), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("indicators", sa.String(512), nullable=False),
        sa.Column("share_transcript", sa.Boolean(), nullable=False),
        sa.Column("desk", sa.String(64), nullable=False),
        sa.Column("desk_chat", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("card_message_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        _at("created_at", False),
        _at("announced_at", False),
        _at("claimed_at"),
        _at("first_reply_at"),
        _at("user_at"),
        _at("operator_at"),
        _at("alerted_at"),
        _at("closed_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_case")),
    )
    op.create_index(op.f("ix_handoff_case_user"), "handoff_case", ["user"])
    op.create_index(op.f("ix_handoff_case_state"), "handoff_case", ["state"])
    op.create_table(
        "handoff_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("desk", sa.String(64), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        _at("at", False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["handoff_case.id"], name=op.f("fk_handoff_event_case_id_handoff_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_event")),
    )
    op.create_index(op.f("ix_handoff_event_case_id"), "handoff_event", ["case_id"])
    op.create_table(
        "handoff_relayed",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        _at("at", False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["handoff_case.id"], name=op.f("fk_handoff_relayed_case_id_handoff_case")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_handoff_relayed")),
    )
    op.create_index(op.f("ix_handoff_relayed_case_id"), "handoff_relayed", ["case_id"])


def downgrade() -> None:
    op.drop_table("handoff_relayed")
    op.drop_table("handoff_event")
    op.drop_table("handoff_case")
