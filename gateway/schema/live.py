"""The payloads of the live updates (issue #15): what changed, and the object as the
subscriber may see it now (R-LIVE-1)."""

from __future__ import annotations

import strawberry

from gateway.domain.enums import ChangeKind
from gateway.schema.license import License
from gateway.schema.quote import Quote


@strawberry.type(description="A change to a quote the subscriber may read (R-LIVE-1).")
class QuoteChange:
    kind: ChangeKind
    quote: Quote | None = strawberry.field(
        description="The quote as it is after the change, read under the subscriber's rights."
    )


@strawberry.type(description="A change to a license the subscriber may read (R-LIVE-1).")
class LicenseChange:
    kind: ChangeKind
    license: License | None = strawberry.field(
        description="The license after the change; its key only as R-SEC-3 allows."
    )
