"""Accounts and documents: users with a role in one union local, steward
assignments, login attempts (to slow down guessing), the officer on each
grievance, and documents attached to events (bytes kept outside the database).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 07:55:13.477334
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('remote_addr', sa.String(length=60), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_email_at', ['email', 'at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('local_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'officer', 'steward', 'viewer')", name=op.f('ck_users_role_known')),
    sa.CheckConstraint('email = lower(email) AND length(email) > 2', name=op.f('ck_users_email_lowercase')),
    sa.ForeignKeyConstraint(['local_id'], ['union_locals.id'], name=op.f('fk_users_local_id_union_locals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_local_id'), ['local_id'], unique=False)

    op.create_table('steward_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('grievance_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['grievance_id'], ['grievances.id'], name=op.f('fk_steward_assignments_grievance_id_grievances'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_steward_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_steward_assignments')),
    sa.UniqueConstraint('user_id', 'grievance_id', name=op.f('uq_steward_assignments_user_id'))
    )
    with op.batch_alter_table('steward_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_steward_assignments_grievance_id'), ['grievance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_steward_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grievance_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_documents_sha256_hex')),
    sa.CheckConstraint('size > 0', name=op.f('ck_documents_not_empty')),
    sa.ForeignKeyConstraint(['event_id'], ['grievance_events.id'], name=op.f('fk_documents_event_id_grievance_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grievance_id'], ['grievances.id'], name=op.f('fk_documents_grievance_id_grievances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_grievance_id'), ['grievance_id'], unique=False)

    with op.batch_alter_table('grievances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('officer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_grievances_officer_id'), ['officer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_grievances_officer_id_users'), 'users', ['officer_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('grievances', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_grievances_officer_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_grievances_officer_id'))
        batch_op.drop_column('officer_id')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_grievance_id'))
        batch_op.drop_index(batch_op.f('ix_documents_event_id'))

    op.drop_table('documents')
    with op.batch_alter_table('steward_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_steward_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_steward_assignments_grievance_id'))

    op.drop_table('steward_assignments')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_local_id'))

    op.drop_table('users')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_email_at')

    op.drop_table('login_attempts')
