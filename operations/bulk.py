"""Reading and writing many rows in one go, the way each database does it fastest.

A calendar change recomputes tens of thousands of cases and rewrites a row or
two of each; written one statement per row, that was most of its time.

Reading: the driver's rows as plain tuples, with only the conversion the
database needs (SQLite keeps dates as ISO text); SQLAlchemy's result objects
cost as much again as the query for the narrow, numerous rows read here.

- PostgreSQL: one statement per batch, whatever its size. The rows travel as
  one array per column and `unnest` turns them back into rows, so the SQL text
  never changes (the server plans it once) and the server joins the batch to
  the table instead of running a statement per row.
- SQLite (in-process, no round trips): the driver's executemany, with the
  values converted by the column types once, without SQLAlchemy's per-row
  parameter machinery.

Rows are tuples in the order of `columns`; for updates the first value is the
row's id.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

from sqlalchemy import Column, Date, Table
from sqlalchemy.orm import Session


def fetch_rows(session: Session, columns: Sequence[Column], *, where_in: Column, ids: Sequence[int],
               order_by: Column | None = None, lock: bool = False) -> list[tuple]:
    """SELECT columns FROM their table WHERE where_in IN ids, as plain tuples.
    `lock` takes the rows FOR UPDATE (PostgreSQL; SQLite has one writer anyway)."""
    connection = session.connection()
    q = connection.dialect.identifier_preparer.quote
    id_list = ",".join(str(int(i)) for i in ids) or "NULL"  # numbers only: nothing to escape
    sql = (f"SELECT {', '.join(q(c.name) for c in columns)} FROM {columns[0].table.name} "
           f"WHERE {q(where_in.name)} IN ({id_list})")
    if order_by is not None:
        sql += f" ORDER BY {q(order_by.name)}"
    if lock and connection.dialect.name == "postgresql":
        sql += " FOR UPDATE"
    result = connection.exec_driver_sql(sql)
    rows = result.cursor.fetchall()  # the driver's tuples, without SQLAlchemy's rows around them
    result.close()
    dates = [i for i, column in enumerate(columns) if isinstance(column.type, Date)]
    if connection.dialect.name != "sqlite" or not dates:
        return rows
    return [_with_dates(row, dates) for row in rows]


def _with_dates(row: tuple, positions: list[int]) -> tuple:
    row = list(row)
    for i in positions:
        if row[i] is not None:
            row[i] = date.fromisoformat(row[i])
    return tuple(row)


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    connection = session.connection()
    q = connection.dialect.identifier_preparer.quote
    names = ", ".join(map(q, columns))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) SELECT * FROM {_unnest(table, columns, q)}",
                                   _as_arrays(rows, len(columns)))
    else:
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})",
                                   _converted(connection.dialect, table, columns, rows))


def update_rows(session: Session, table: Table, columns: Sequence[str], rows: list[tuple],
                increment: Sequence[str] = ()) -> None:
    """Set `columns` of each row (by id) and add one to each column named in `increment`."""
    if not rows:
        return
    connection = session.connection()
    q = connection.dialect.identifier_preparer.quote
    bumps = [f"{q(name)} = {table.name}.{q(name)} + 1" for name in increment]
    if connection.dialect.name == "postgresql":
        sets = ", ".join([f"{q(name)} = v.{q(name)}" for name in columns] + bumps)
        connection.exec_driver_sql(f"UPDATE {table.name} SET {sets} FROM {_unnest(table, ('id', *columns), q)} "
                                   f"WHERE {table.name}.id = v.id", _as_arrays(rows, len(columns) + 1))
    else:
        sets = ", ".join([f"{q(name)} = ?" for name in columns] + bumps)
        # The id goes last, after the values it sets.
        reordered = [(*row[1:], row[0]) for row in rows]
        connection.exec_driver_sql(f"UPDATE {table.name} SET {sets} WHERE id = ?",
                                   _converted(connection.dialect, table, (*columns, "id"), reordered))


def _unnest(table: Table, columns: Sequence[str], q) -> str:
    """unnest(%s::date[], …) AS v(due, …): one typed array parameter per column."""
    arrays = ", ".join(f"%b::{table.c[name].type.compile(dialect=_POSTGRESQL)}[]" for name in columns)
    return f"unnest({arrays}) AS v({', '.join(map(q, columns))})"


def _as_arrays(rows: list[tuple], width: int) -> tuple[list, ...]:
    arrays = tuple(list(values) for values in zip(*rows))
    assert len(arrays) == width, "every row must give a value for every column"
    return arrays


def _converted(dialect, table: Table, columns: Sequence[str], rows: list[tuple]) -> list[tuple]:
    """Values as the driver wants them (dates as ISO text, booleans as 0/1 on SQLite)."""
    processors = [table.c[name].type.bind_processor(dialect) for name in columns]
    if not any(processors):
        return rows
    return [tuple(p(v) if p and v is not None else v for p, v in zip(processors, row)) for row in rows]


def _postgresql_dialect():
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()


_POSTGRESQL = _postgresql_dialect()
