"""How a "please contact sales" refusal says what to do (R-REQ-1): which request to open."""

from __future__ import annotations

from gateway.domain.enums import SalesRequestKind


def how_to_ask(kind: SalesRequestKind, about: str = "") -> str:
    """The words such a refusal ends with: the sales request kind to open, and about what."""
    subject = f" about {about}" if about else ""
    return f"open a sales request of kind {kind.value}{subject} (salesRequestCreate)"
