"""Grievances as their events: union locals, grievances, append-only events, and the
derived deadlines, flags and deadline moves stored for fast reads (always
recomputable from the events, the rules and the calendar).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 07:34:40.646594
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('union_locals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_union_locals')),
    sa.UniqueConstraint('slug', name=op.f('uq_union_locals_slug'))
    )
    op.create_table('grievances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('local_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('ruleset', sa.String(length=80), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('members', sa.Text(), nullable=False),
    sa.Column('school', sa.String(length=200), nullable=False),
    sa.Column('clauses', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('next_act_by', sa.Date(), nullable=True),
    sa.Column('next_party', sa.String(length=10), nullable=True),
    sa.Column('next_deadline_key', sa.String(length=60), nullable=True),
    sa.Column('flag_codes', sa.String(length=200), nullable=False),
    sa.Column('derived_as_of', sa.Date(), nullable=False),
    sa.CheckConstraint('length(number) > 0', name=op.f('ck_grievances_number_given')),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_grievances_board_id_boards')),
    sa.ForeignKeyConstraint(['local_id'], ['union_locals.id'], name=op.f('fk_grievances_local_id_union_locals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grievances')),
    sa.UniqueConstraint('local_id', 'number', name=op.f('uq_grievances_local_id'))
    )
    with op.batch_alter_table('grievances', schema=None) as batch_op:
        batch_op.create_index('ix_grievances_open_next_act_by', ['local_id', 'is_open', 'next_act_by'], unique=False)

    op.create_table('deadline_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grievance_id', sa.Integer(), nullable=False),
    sa.Column('deadline_key', sa.String(length=60), nullable=False),
    sa.Column('old_due', sa.Date(), nullable=True),
    sa.Column('new_due', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('moved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moved_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['grievance_id'], ['grievances.id'], name=op.f('fk_deadline_moves_grievance_id_grievances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_moves'))
    )
    with op.batch_alter_table('deadline_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_moves_grievance_id'), ['grievance_id'], unique=False)

    op.create_table('deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grievance_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('clause', sa.String(length=120), nullable=False),
    sa.Column('party', sa.String(length=10), nullable=False),
    sa.Column('trigger', sa.String(length=60), nullable=False),
    sa.Column('trigger_date', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('delay', sa.Integer(), nullable=False),
    sa.Column('extended_to', sa.Date(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('safe_due', sa.Date(), nullable=True),
    sa.Column('act_by', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("party IN ('union', 'board', 'both')", name=op.f('ck_deadlines_party_known')),
    sa.CheckConstraint("status IN ('running', 'overdue', 'met', 'met_late', 'superseded', 'missed', 'stopped', 'unknown')", name=op.f('ck_deadlines_status_known')),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_deadlines_board_id_boards')),
    sa.ForeignKeyConstraint(['grievance_id'], ['grievances.id'], name=op.f('fk_deadlines_grievance_id_grievances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadlines'))
    )
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_deadlines_board_open_window', ['board_id', 'is_open', 'trigger_date', 'due'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadlines_grievance_id'), ['grievance_id'], unique=False)

    op.create_table('flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grievance_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('clause', sa.String(length=120), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('deadline_key', sa.String(length=60), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['grievance_id'], ['grievances.id'], name=op.f('fk_flags_grievance_id_grievances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flags'))
    )
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flags_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_flags_grievance_id'), ['grievance_id'], unique=False)

    op.create_table('grievance_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grievance_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('document', sa.String(length=300), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voids_event_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("(type = 'void') = (voids_event_id IS NOT NULL)", name=op.f('ck_grievance_events_void_names_its_event')),
    sa.CheckConstraint("type <> 'void' OR length(reason) > 0", name=op.f('ck_grievance_events_void_has_reason')),
    sa.CheckConstraint('length(recorded_by) > 0', name=op.f('ck_grievance_events_recorded_by_given')),
    sa.ForeignKeyConstraint(['grievance_id'], ['grievances.id'], name=op.f('fk_grievance_events_grievance_id_grievances'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['voids_event_id'], ['grievance_events.id'], name=op.f('fk_grievance_events_voids_event_id_grievance_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grievance_events')),
    sa.UniqueConstraint('grievance_id', 'seq', name=op.f('uq_grievance_events_grievance_id'))
    )
    with op.batch_alter_table('grievance_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grievance_events_grievance_id'), ['grievance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('grievance_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grievance_events_grievance_id'))

    op.drop_table('grievance_events')
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flags_grievance_id'))
        batch_op.drop_index(batch_op.f('ix_flags_code'))

    op.drop_table('flags')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadlines_grievance_id'))
        batch_op.drop_index('ix_deadlines_board_open_window')

    op.drop_table('deadlines')
    with op.batch_alter_table('deadline_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_moves_grievance_id'))

    op.drop_table('deadline_moves')
    with op.batch_alter_table('grievances', schema=None) as batch_op:
        batch_op.drop_index('ix_grievances_open_next_act_by')

    op.drop_table('grievances')
    op.drop_table('union_locals')
