"""campaign (#14): sources, aggregate counters, posted reports, opt-in broadcasts

user.source is the first source a person arrived through (so an arrival counts once);
people who were here before counting started are marked "direct" and never counted.

Revision ID: 0009_campaign
Revises: 0008_journal
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_campaign"
down_revision = "0008_journal"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("source", sa.String(64), nullable=True))
    op.execute("UPDATE \"user\" SET source = 'direct'")
    op.create_table(
        "campaign_source",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("partner", sa.String(200), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_campaign_source")),
    )
    op.create_table(
        "campaign_tally",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("step", sa.String(24), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("variant", sa.String(24), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "locale", "source", "step", "item", "variant", name=op.f("pk_campaign_tally")
        ),
    )
    op.create_table(
        "campaign_report",
        sa.Column("period", sa.String(32), nullable=False),
        _when("sent_at"),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_campaign_report")),
    )
    op.create_table(
        "campaign_subscriber",
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("sealed_chat", sa.String(256), nullable=False),
        _when("since"),
        sa.PrimaryKeyConstraint("pseudonym", name=op.f("pk_campaign_subscriber")),
    )
    op.create_table(
        "campaign_broadcast",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("finished_at", nullable=True),
        sa.Column("progress_chat", sa.String(256), nullable=True),
        sa.Column("progress_message", sa.BigInteger(), nullable=True),
        sa.Column("owner", sa.String(32), nullable=True),
        _when("lease_until", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_broadcast")),
    )
    op.create_table(
        "campaign_recipient",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("sealed_chat", sa.String(256), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipient")),
        sa.UniqueConstraint(
            "broadcast_id", "pseudonym", name=op.f("uq_campaign_recipient_broadcast_id")
        ),
    )
    op.create_index(
        op.f("ix_campaign_recipient_broadcast_id"), "campaign_recipient", ["broadcast_id"]
    )
    op.create_index(op.f("ix_campaign_recipient_pseudonym"), "campaign_recipient", ["pseudonym"])


def downgrade() -> None:
    op.drop_index(op.f("ix_campaign_recipient_pseudonym"), "campaign_recipient")
    op.drop_index(op.f("ix_campaign_recipient_broadcast_id"), "campaign_recipient")
    for table in (
        "campaign_recipient",
        "campaign_broadcast",
        "campaign_subscriber",
        "campaign_report",
        "campaign_tally",
        "campaign_source",
    ):
        op.drop_table(table)
    with op.batch_alter_table("user") as batch:
        batch.drop_column("source")
