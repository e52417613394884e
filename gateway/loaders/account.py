"""Accounts, organizations and audit events by id (policy-filtered), and an account's tax ids."""

from __future__ import annotations

import functools

from db.queries import account as queries
from db.queries.audit import audit_event_by_id_statement
from db.rows import AccountRow, AuditEventRow, OrganizationRow, TaxIdRow
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, SqlLoader, template_principal


class _Statements:
    def __init__(self, shape: PolicyShape) -> None:
        p = template_principal(shape)
        self.account = queries.account_by_id_statement(visible=policy.account_visible(p))
        self.organization = queries.organization_by_id_statement(
            visible=policy.organization_visible(p)
        )
        self.audit_event = audit_event_by_id_statement(visible=policy.audit_event_visible(p))


@functools.lru_cache(maxsize=64)
def _statements(shape: PolicyShape) -> _Statements:
    return _Statements(shape)


class AccountLoaders(LoaderBase):
    @functools.cached_property
    def account(self) -> SqlLoader[int, AccountRow | None]:
        return self._rows(_statements(self._shape).account, AccountRow._make)

    @functools.cached_property
    def organization(self) -> SqlLoader[int, OrganizationRow | None]:
        return self._rows(_statements(self._shape).organization, OrganizationRow._make)

    @functools.cached_property
    def audit_event(self) -> SqlLoader[int, AuditEventRow | None]:
        return self._rows(_statements(self._shape).audit_event, AuditEventRow._make)

    @functools.cached_property
    def tax_ids(self) -> SqlLoader[int, list[TaxIdRow]]:
        return self._grouped(queries.TAX_IDS_OF_ACCOUNTS, TaxIdRow._make)
