"""Global ids as the audit trail records them: the API's ids, without Strawberry.

The same encoding as ``gateway.schema.relay.encode_id`` (``base64url("Type:pk")``, unpadded);
``tests/test_actions_layer.py`` holds the two equal.
"""

from __future__ import annotations

import base64


def global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
