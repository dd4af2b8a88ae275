"""Clauses as references: each case's clauses rewritten in the form the tool reads
(workflows/clauses.py), so that "12.06", "12.06 Preparation Time" and
"Art. 12.06 (preparation time)" are one clause in every report.

What names no reference ("Human Rights Code", "the PA day memo") is kept as it was
written, one item a line, and listed in the migration's log (logger
alembic.runtime.migration) with its case's number, for the local to look at.
The downgrade leaves the text as it is: the canonical form is plain text the
older code reads too.

Revision ID: 0010
Revises: 0009
"""
import logging

import sqlalchemy as sa
from alembic import op

from workflows.clauses import Unreadable, canonical, parse_clauses

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
grievances = sa.table("grievances", sa.column("id", sa.Integer), sa.column("number", sa.String),
                      sa.column("clauses", sa.Text))


def upgrade() -> None:
    connection = op.get_bind()
    for case_id, number, clauses in connection.execute(sa.select(grievances.c.id, grievances.c.number,
                                                                 grievances.c.clauses)).all():
        rewritten = canonical(clauses or "")
        for item in parse_clauses(clauses or ""):
            if isinstance(item, Unreadable):
                log.info("Case %s: kept as written, not a clause reference: %r", number, item.written)
        if rewritten != (clauses or ""):
            connection.execute(grievances.update().where(grievances.c.id == case_id).values(clauses=rewritten))


def downgrade() -> None:
    """Nothing to undo: the canonical text is plain text the older code reads as it is."""
