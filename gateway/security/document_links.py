"""Signed, expiring links to quote and invoice PDFs (R-QUOTE-8).

``GET /documents/{quote|invoice}/{id}?expires=…&sig=…``: an HMAC-SHA256 (the app's secret key)
of kind, id and expiry, valid for 15 minutes; ``gateway.http.documents`` checks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from gateway.context import Context

LINK_LIFETIME = dt.timedelta(minutes=15)
KINDS = ("quote", "invoice")


def signature(key: str, kind: str, pk: int, expires: int) -> str:
    message = f"{kind}:{pk}:{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def document_url(context: Context, kind: str, pk: int) -> str:
    expires = int((context.now + LINK_LIFETIME).timestamp())
    sig = signature(context.settings.signing_key(), kind, pk, expires)
    query = urlencode({"expires": expires, "sig": sig})
    return f"{context.settings.public_url.rstrip('/')}/documents/{kind}/{pk}?{query}"
