"""Index the deadlines a calendar change must recompute: every limit of the board
whose count runs across the changed days, ended ones included, found without
reading the rows.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deadlines_board_due_window", "deadlines", ["board_id", "due", "trigger_date", "grievance_id"])


def downgrade() -> None:
    op.drop_index("ix_deadlines_board_due_window", table_name="deadlines")
