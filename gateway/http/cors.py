"""Cross-origin requests from the browser clients (the web UI, the partner portal).

Only the exact origins of ``CONEX_CORS_ORIGINS`` (checked by ``gateway.settings``) are
allowed, none by default. Bearer tokens travel in ``Authorization``, so no credentials mode
is needed (the staff cookie stays same-origin). The headers exposed are the ones the
gateway sends that a client reads.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "X-Conex-Client",
    "X-Request-Id",
)
EXPOSED_HEADERS = ("X-Request-Id", "Retry-After", "Idempotent-Replayed")
PREFLIGHT_MAX_AGE = 600  # seconds a browser may cache a preflight


def cors_middleware(origins: list[str]) -> list[Middleware]:
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=False,
            max_age=PREFLIGHT_MAX_AGE,
        )
    ]
