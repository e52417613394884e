"""Quotes and their lines: by id (policy-filtered), the lines of a quote, and the paged lists
of an account's and a partner's quotes."""

from __future__ import annotations

import functools
from typing import Any

from db.queries import quote as queries
from db.queries.batch import Relation, bound_today
from db.queries.filters import QuoteFilter
from db.rows import QuoteLineInQuote, QuoteLineRow, QuoteRow
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, SqlLoader, template_principal


class _Statements:
    def __init__(self, shape: PolicyShape) -> None:
        visible = policy.quote_visible(template_principal(shape))
        self.by_id = queries.quote_by_id_statement(visible=visible)
        self.line_by_id = queries.quote_line_by_id_statement(visible=visible)


@functools.lru_cache(maxsize=64)
def _statements(shape: PolicyShape) -> _Statements:
    return _Statements(shape)


def _where(shape: Any, filter_: QuoteFilter) -> list[Any]:
    return [policy.quote_visible(template_principal(shape)), *filter_.conditions(bound_today())]


# The paged lists (``Loaders.page``), policy included.
QUOTES_OF_ACCOUNT = Relation(queries.QUOTES_OF_ACCOUNTS, _where)
QUOTES_OF_PARTNER = Relation(queries.QUOTES_OF_PARTNERS, _where)


class QuoteLoaders(LoaderBase):
    @functools.cached_property
    def quote(self) -> SqlLoader[int, QuoteRow | None]:
        return self._rows(_statements(self._shape).by_id, QuoteRow._make)

    @functools.cached_property
    def quote_line(self) -> SqlLoader[int, QuoteLineInQuote | None]:
        return self._rows(_statements(self._shape).line_by_id, queries.quote_line_in_quote)

    @functools.cached_property
    def quote_lines(self) -> SqlLoader[int, list[QuoteLineRow]]:
        return self._grouped(queries.LINES_OF_QUOTES, QuoteLineRow._make)
