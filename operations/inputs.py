"""Validated values (gate/inputs.py) turned into what the operations take, and the
context the gate needs from the database: which boards the acting local may name."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gate.inputs import NewCaseInput
from models import UnionLocal, User

from . import accounts
from .grievances import NewCase


def board_context(session: Session, user: User, default_board: str) -> dict:
    """{"boards": the boards `user`'s local's cases count on, "default_board": …} for gate.read."""
    return {"boards": set(accounts.boards_of_local(session, user.local_id, default_board)),
            "default_board": default_board}


def local_board_context(session: Session, local_slug: str, default_board: str) -> dict:
    """The same for a local named by the CLI's operator (--local)."""
    local_id = session.scalar(select(UnionLocal.id).where(UnionLocal.slug == local_slug))
    boards = accounts.boards_of_local(session, local_id, default_board) if local_id is not None else {default_board}
    return {"boards": set(boards), "default_board": default_board}


def new_case(values: NewCaseInput, *, local: str, default_board: str, default_ruleset: str) -> NewCase:
    return NewCase(number=values.number, kind=values.kind, first_event_on=values.first_event_on,
                   members=tuple(values.members), school=values.school, clauses=values.clauses,
                   description=values.description, remedy=values.remedy, local=local,
                   board=values.board or default_board, ruleset=values.ruleset or default_ruleset,
                   document=values.document)
