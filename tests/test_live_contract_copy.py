"""``tests/contract/live/`` is an exact copy of ``../shared/contract/live``.

Runs whenever ``../shared`` is beside the checkout; skipped without it, except under
``CONEX_REQUIRE_SHARED=1`` (CI), where its absence fails.
"""

from __future__ import annotations

import pytest

from tests.helpers import require_shared
from tests.live_contract import DOCUMENTS, LIVE


@pytest.mark.parametrize("name", DOCUMENTS)
def test_vendored_live_document_equals_shared(name: str) -> None:
    shared = require_shared("live contract copy check") / "contract" / "live"
    original, copy = shared / f"{name}.graphql", LIVE / f"{name}.graphql"
    assert original.is_file(), f"{original} is gone: drop {copy} and its name in DOCUMENTS"
    assert copy.read_bytes() == original.read_bytes(), (
        f"{copy} differs from {original}: copy it again (make contract-copy)"
    )


def test_every_live_document_is_vendored() -> None:
    shared = require_shared("live contract copy check") / "contract" / "live"
    originals = {path.stem for path in shared.glob("*.graphql")}
    copies = {path.stem for path in LIVE.glob("*.graphql")}
    assert copies == originals == set(DOCUMENTS)
