"""The case file (issue 13): corrections to a case's facts and changes of its officer and
stewards, each kept with who, when, from what to what and why (case_edits), and notes on a case or on one of its events (case_notes). Neither
is read by the engine: no date, stage or deadline depends on them.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FACTS = "('number', 'members', 'school', 'clauses', 'description', 'remedy', 'officer', 'stewards')"


def upgrade() -> None:
    op.create_table(
        "case_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grievance_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("edited_by", sa.String(length=200), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"field IN {FACTS}", name=op.f("ck_case_edits_field_editable")),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_case_edits_edit_has_reason")),
        sa.CheckConstraint("length(edited_by) > 0", name=op.f("ck_case_edits_edited_by_given")),
        sa.ForeignKeyConstraint(["grievance_id"], ["grievances.id"], name=op.f("fk_case_edits_grievance_id_grievances"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_edits")),
    )
    with op.batch_alter_table("case_edits") as batch_op:
        batch_op.create_index(batch_op.f("ix_case_edits_grievance_id"), ["grievance_id"], unique=False)
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grievance_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(length=200), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(text) > 0 AND length(text) <= 5000", name=op.f("ck_case_notes_note_length")),
        sa.CheckConstraint("length(written_by) > 0", name=op.f("ck_case_notes_written_by_given")),
        sa.ForeignKeyConstraint(["grievance_id"], ["grievances.id"], name=op.f("fk_case_notes_grievance_id_grievances"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["grievance_events.id"],
                                name=op.f("fk_case_notes_event_id_grievance_events"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes") as batch_op:
        batch_op.create_index(batch_op.f("ix_case_notes_grievance_id"), ["grievance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_notes_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_table("case_notes")
    op.drop_table("case_edits")
