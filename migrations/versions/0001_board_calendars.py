"""Board calendars: boards, their school years, the days each declares, and a log
of every change (closures are added mid-year, so who and why must be kept).

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 07:23:01.423216
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('boards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('calendar_token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_boards')),
    sa.UniqueConstraint('slug', name=op.f('uq_boards_slug'))
    )
    op.create_table('calendar_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('school_year_label', sa.String(length=7), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.CheckConstraint('length(changed_by) > 0', name=op.f('ck_calendar_changes_changed_by_given')),
    sa.CheckConstraint('length(reason) > 0', name=op.f('ck_calendar_changes_reason_given')),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_calendar_changes_board_id_boards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_changes'))
    )
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_changes_board_id'), ['board_id'], unique=False)

    op.create_table('school_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=7), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('first_day_unconfirmed', sa.Boolean(), nullable=False),
    sa.Column('last_day_unconfirmed', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('closures_count', sa.Boolean(), nullable=False),
    sa.CheckConstraint('first_day <= last_day', name=op.f('ck_school_years_first_before_last')),
    sa.CheckConstraint('start_year BETWEEN 1900 AND 2999', name=op.f('ck_school_years_start_year_plausible')),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_school_years_board_id_boards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_years')),
    sa.UniqueConstraint('board_id', 'label', name=op.f('uq_school_years_board_id'))
    )
    with op.batch_alter_table('school_years', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_years_board_id'), ['board_id'], unique=False)

    op.create_table('calendar_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_year_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('day_type', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('closure_kind', sa.String(length=20), nullable=True),
    sa.Column('unconfirmed', sa.Boolean(), nullable=False),
    sa.CheckConstraint("(day_type = 'closure' AND closure_kind IS NOT NULL AND closure_kind IN ('strike', 'lock-out', 'weather', 'other')) OR (day_type <> 'closure' AND closure_kind IS NULL)", name=op.f('ck_calendar_entries_closure_has_kind')),
    sa.CheckConstraint("day_type IN ('PA day', 'split day', 'school holiday', 'break', 'closure')", name=op.f('ck_calendar_entries_day_type_known')),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_calendar_entries_starts_before_ends')),
    sa.ForeignKeyConstraint(['school_year_id'], ['school_years.id'], name=op.f('fk_calendar_entries_school_year_id_school_years'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_entries'))
    )
    with op.batch_alter_table('calendar_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_entries_school_year_id'), ['school_year_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('calendar_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_entries_school_year_id'))

    op.drop_table('calendar_entries')
    with op.batch_alter_table('school_years', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_years_board_id'))

    op.drop_table('school_years')
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_changes_board_id'))

    op.drop_table('calendar_changes')
    op.drop_table('boards')
