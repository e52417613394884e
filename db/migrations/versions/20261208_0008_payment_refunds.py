"""payment refunds: a payment that succeeded after it had failed, on a quote no longer payable, is refunded (issue #14)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 23:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refund_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('refunded_at', db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('refunded_at')
        batch_op.drop_column('refund_id')
