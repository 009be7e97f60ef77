"""privacy: consent events, consented texts, recent message ids, the engine's events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sa.String(32), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_event")),
    )
    op.create_index(op.f("ix_consent_event_pseudonym"), "consent_event", ["pseudonym"])
    op.create_table(
        "stored_text",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_text")),
    )
    op.create_index(op.f("ix_stored_text_pseudonym"), "stored_text", ["pseudonym"])
    op.create_index(op.f("ix_stored_text_at"), "stored_text", ["at"])
    op.create_table(
        "recent_message",
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", "message_id", name=op.f("pk_recent_message")),
    )
    op.create_index(op.f("ix_recent_message_at"), "recent_message", ["at"])
    # Rasa's SQLTrackerStore table, same columns as Rasa 3.6 creates. Whoever starts first
    # creates it (the engine may beat the bot's migration on a fresh database); both make
    # the same shape, and neither touches a table that exists.
    if sa.inspect(op.get_bind()).has_table("events"):
        return
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float(), nullable=True),
        sa.Column("intent_name", sa.String(255), nullable=True),
        sa.Column("action_name", sa.String(255), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_sender_id"), "events", ["sender_id"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("recent_message")
    op.drop_table("stored_text")
    op.drop_table("consent_event")
