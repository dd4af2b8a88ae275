"""The migrations build the schema the models describe, and undo it."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from cli.database import alembic_config
from models import Base

TABLES = {"boards", "school_years", "calendar_entries", "calendar_changes"}


def test_upgrade_to_head_then_downgrade_to_base(database_url):
    config = alembic_config(database_url)
    engine = create_engine(database_url)
    command.upgrade(config, "head")
    assert TABLES <= set(inspect(engine).get_table_names())
    command.downgrade(config, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    engine.dispose()


def test_autogenerate_finds_no_difference_from_the_models(database_url):
    command.upgrade(alembic_config(database_url), "head")
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
