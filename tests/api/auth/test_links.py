"""Links in mail point at the web UI (CONEX_WEB_URL); the API's own at CONEX_PUBLIC_URL."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import OutgoingMail
from gateway.app import create_app
from gateway.settings import Settings
from tests.api.auth.support import sign_up
from tests.api.client import send
from tests.api.world import rows

WEB = "https://my.conex.example/app"


async def test_a_reset_link_points_at_the_web_ui_not_the_api(
    settings: Settings, engine: AsyncEngine
) -> None:
    update = {"web_url": WEB, "public_url": "https://api.conex.example"}
    app = create_app(settings.model_copy(update=update), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await sign_up(client, "nadia@example.com")
        response = await send(client, "RequestPasswordReset", {"email": "nadia@example.com"})
        assert response.status == 200
    mails = await rows(engine, OutgoingMail, OutgoingMail.template == "password_reset")
    assert f"{WEB}/reset-password?token=" in mails[-1].body
    assert "api.conex.example" not in mails[-1].body


def test_without_a_web_url_dev_links_use_the_public_url(settings: Settings) -> None:
    assert settings.web_url is None
    assert settings.web_base_url == settings.public_url
