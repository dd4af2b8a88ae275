"""A calendar entry may declare an instructional day: a day the board's calendar
leaves unexplained, filled as a school day and marked unconfirmed (the side that
makes union deadlines earlier), so that the reason shows wherever it is counted.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BEFORE = ("PA day", "split day", "school holiday", "break", "closure")
_AFTER = ("instructional day",) + _BEFORE
_NAME = "ck_calendar_entries_day_type_known"


def _replace_check(types: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{t}'" for t in types)
    with op.batch_alter_table("calendar_entries") as batch:
        batch.drop_constraint(op.f(_NAME), type_="check")
        batch.create_check_constraint(op.f(_NAME), f"day_type IN ({listed})")


def upgrade() -> None:
    _replace_check(_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM calendar_entries WHERE day_type = 'instructional day'")
    _replace_check(_BEFORE)
