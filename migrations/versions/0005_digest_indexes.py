"""Index when events were recorded and deadlines moved: each digest asks what
changed since the reader's last one.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_grievance_events_recorded_at"), "grievance_events", ["recorded_at"])
    op.create_index(op.f("ix_deadline_moves_moved_at"), "deadline_moves", ["moved_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_deadline_moves_moved_at"), table_name="deadline_moves")
    op.drop_index(op.f("ix_grievance_events_recorded_at"), table_name="grievance_events")
