"""routing: where the user is and whether they are under 18 (issue #5)

Both nullable: unknown until the user tells the bot.

Revision ID: 0005_routing
Revises: 0004_quiz
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_routing"
down_revision = "0004_quiz"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("location", sa.String(8), nullable=True))
        batch.add_column(sa.Column("under_18", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("under_18")
        batch.drop_column("location")
