"""License keys: opaque, random, issued when a license is paid for or an evaluation starts."""

from __future__ import annotations

import base64
import secrets

KEY_BYTES = 93


def new_license_key() -> str:
    """An opaque key for the product's admin console; shown only to the license's contacts
    (R-SEC-3), never mailed."""
    return "AAAB" + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
