"""A moved deadline keeps both of its dates, before and after: the agreement's date
(old_due, new_due) and the date to act by (old_act_by, new_act_by: the safe date
where the Union Local must act). A strike closure moved the agreement's date a
week while the safe date (Regulation 304 counts closure days) stayed put, and the
timeline showed only the later one. And each move names the calendar change that
made it (calendar_change_id), so that a change's result lists what it moved.

Moves recorded before this revision get act-by dates only where they are known
without replaying: a limit on which the Union Local does not act (the Board's, or
both parties') has no safe date, so its act-by date is its agreement's date. The
others stay empty, and read "not recorded".

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline_moves") as batch_op:
        batch_op.add_column(sa.Column("old_act_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("new_act_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("calendar_change_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_deadline_moves_calendar_change_id_calendar_changes"),
                                    "calendar_changes", ["calendar_change_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index(batch_op.f("ix_deadline_moves_calendar_change_id"), ["calendar_change_id"],
                              unique=False)
    op.execute("UPDATE deadline_moves SET old_act_by = old_due, new_act_by = new_due "
               "WHERE EXISTS (SELECT 1 FROM deadlines WHERE deadlines.grievance_id = deadline_moves.grievance_id "
               "AND deadlines.key = deadline_moves.deadline_key AND deadlines.party <> 'union')")


def downgrade() -> None:
    with op.batch_alter_table("deadline_moves") as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_moves_calendar_change_id"))
        batch_op.drop_constraint(batch_op.f("fk_deadline_moves_calendar_change_id_calendar_changes"),
                                 type_="foreignkey")
        batch_op.drop_column("calendar_change_id")
        batch_op.drop_column("new_act_by")
        batch_op.drop_column("old_act_by")
