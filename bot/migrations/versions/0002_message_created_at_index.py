"""An index on message.created_at: the dashboard and the retention purge scan by time.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_message_created_at", "message", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_message_created_at", table_name="message")
