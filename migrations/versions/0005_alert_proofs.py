"""render errors on checks; the message and proof of each alert

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 06:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_error', sa.Text(), nullable=True))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('proof_sent_at', core.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('proof_sent_at')
        batch_op.drop_column('message_id')
    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.drop_column('render_error')
