"""Sessions that end: each login is a row (the cookie holds a secret whose SHA-256 is
kept), ended by logout, deactivation or a password change; links that reset a
forgotten password (single use, short-lived, kept hashed); and the accounts an
administrator added that wait for their first login (so that adding an address
never says whether another local has it).

Existing cookies name no session: everyone logs in again once after the upgrade.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_why", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_login_sessions_secret_sha256")),
    )
    with op.batch_alter_table("login_sessions") as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_password_resets_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_password_resets_token_sha256")),
    )
    with op.batch_alter_table("password_resets") as batch_op:
        batch_op.create_index(batch_op.f("ix_password_resets_user_id"), ["user_id"], unique=False)

    op.create_table(
        "pending_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'officer', 'steward', 'viewer')",
                           name=op.f("ck_pending_accounts_role_known")),
        sa.CheckConstraint("email = lower(email) AND length(email) > 2",
                           name=op.f("ck_pending_accounts_email_lowercase")),
        sa.ForeignKeyConstraint(["local_id"], ["union_locals.id"],
                                name=op.f("fk_pending_accounts_local_id_union_locals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_accounts")),
        sa.UniqueConstraint("local_id", "email", name=op.f("uq_pending_accounts_local_id")),
    )
    with op.batch_alter_table("pending_accounts") as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_accounts_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_accounts_local_id"), ["local_id"], unique=False)


def downgrade() -> None:
    op.drop_table("pending_accounts")
    op.drop_table("password_resets")
    op.drop_table("login_sessions")
