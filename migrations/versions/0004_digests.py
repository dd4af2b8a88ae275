"""Digests and feeds: each user's digest choice (existing users get a daily digest
looking 5 school days ahead), the digests sent (once a day each), and the
hashed secret links of the calendar feeds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:24:49.824264
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digests_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sent_for', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digests_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digests_sent')),
    sa.UniqueConstraint('user_id', 'sent_for', name=op.f('uq_digests_sent_user_id'))
    )
    with op.batch_alter_table('digests_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digests_sent_user_id'), ['user_id'], unique=False)

    op.create_table('feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_tokens')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_feed_tokens_token_sha256'))
    )
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_frequency', sa.String(length=10), nullable=False, server_default='daily'))
        batch_op.add_column(sa.Column('digest_days_ahead', sa.Integer(), nullable=False, server_default='5'))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digest_days_ahead')
        batch_op.drop_column('digest_frequency')

    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_tokens_user_id'))

    op.drop_table('feed_tokens')
    with op.batch_alter_table('digests_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digests_sent_user_id'))

    op.drop_table('digests_sent')
