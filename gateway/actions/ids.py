"""Global ids as the audit trail records them: the API's ids, without Strawberry.

``base64url("Type:pk")``, unpadded: the one encoding, which ``gateway.schema.relay.encode_id``
wraps as a Strawberry ``ID``.
"""

from __future__ import annotations

import base64


def global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
