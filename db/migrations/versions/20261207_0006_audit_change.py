"""audit change: an audit event of a change to a quote, license or order says what kind, for subscriptions and webhooks (issue #15)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change', sa.Enum('CREATED', 'UPDATED', 'PAID', 'DELETED', 'ISSUED', name='change_kind', native_enum=False, create_constraint=True, length=7), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_audit_events_change_kind'), type_='check')
        batch_op.drop_column('change')
