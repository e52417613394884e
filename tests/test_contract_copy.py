"""``tests/contract/`` is an exact copy of the base contract in ``../shared/contract``.

Runs whenever ``../shared`` is beside the checkout; skipped without it, except under
``CONEX_REQUIRE_SHARED=1`` (CI), where its absence fails.
"""

from __future__ import annotations

import pytest

from tests.contract import CONTRACT, DOCUMENTS
from tests.helpers import require_shared


@pytest.mark.parametrize("name", DOCUMENTS)
def test_vendored_contract_document_equals_shared(name: str) -> None:
    original = require_shared("contract copy check") / "contract" / f"{name}.graphql"
    copy = CONTRACT / f"{name}.graphql"
    assert original.is_file(), f"{original} is gone: drop {copy} and its name in DOCUMENTS"
    assert copy.read_bytes() == original.read_bytes(), (
        f"{copy} differs from {original}: copy it again (make contract-copy)"
    )


def test_every_base_contract_document_is_vendored() -> None:
    shared = require_shared("contract copy check") / "contract"
    originals = {path.stem for path in shared.glob("*.graphql")}
    copies = {path.stem for path in CONTRACT.glob("*.graphql")}
    assert copies == originals == set(DOCUMENTS), (
        f"../shared/contract has {sorted(originals)}, tests/contract/ {sorted(copies)}"
    )
