"""``tests/contract/selfservice/`` is an exact copy of ``../shared/contract/selfservice``.

Runs whenever ``../shared`` is beside the checkout; skipped without it, except under
``CONEX_REQUIRE_SHARED=1`` (CI), where its absence fails.
"""

from __future__ import annotations

import pytest

from tests.helpers import require_shared
from tests.selfservice_contract import DOCUMENTS, SELFSERVICE


@pytest.mark.parametrize("name", DOCUMENTS)
def test_vendored_selfservice_document_equals_shared(name: str) -> None:
    shared = require_shared("self-service contract copy check") / "contract" / "selfservice"
    original, copy = shared / f"{name}.graphql", SELFSERVICE / f"{name}.graphql"
    assert original.is_file(), f"{original} is gone: drop {copy} and its name in DOCUMENTS"
    assert copy.read_bytes() == original.read_bytes(), (
        f"{copy} differs from {original}: copy it again (make contract-copy)"
    )


def test_every_selfservice_document_is_vendored() -> None:
    shared = require_shared("self-service contract copy check") / "contract" / "selfservice"
    originals = {path.stem for path in shared.glob("*.graphql")}
    copies = {path.stem for path in SELFSERVICE.glob("*.graphql")}
    assert copies == originals == set(DOCUMENTS)
