"""Security headers on every answer, HSTS only under TLS, no-store on the API; the web app's files
gzip-compressed and cached by hash; no source maps; GET on a POST-only route is 405 with Allow."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from oms.runtime import Runtime
from oms.server import build_http_app


def _app_dir(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>OMS</title>" + " " * 2000)
    (dist / "assets" / "index-3f9a1c.js").write_text("console.log('oms');\n" * 200)
    (dist / "assets" / "index-3f9a1c.js.map").write_text("{}")
    return dist


async def test_api_answers_carry_the_security_headers(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    response = await client.post("/api/auth/login", json={"email": "x@y.test", "password": "p"})
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in headers
    app = build_http_app(runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://oms.test"
    ) as tls:
        over_tls = await tls.get("/api/openapi.json")
    assert over_tls.headers["strict-transport-security"].startswith("max-age=")


async def test_get_on_a_post_only_route_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/login")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_static_files_are_compressed_and_cached_by_hash(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMS_WEB_DIR", str(_app_dir(tmp_path)))
    app = build_http_app(runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://oms.test"
    ) as http:
        script = await http.get("/assets/index-3f9a1c.js", headers={"Accept-Encoding": "gzip"})
        page = await http.get("/appointments/12", headers={"Accept-Encoding": "gzip"})
        plain = await http.get("/assets/index-3f9a1c.js", headers={"Accept-Encoding": "identity"})
        source_map = await http.get("/assets/index-3f9a1c.js.map")
    assert script.headers["content-encoding"] == "gzip"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.text == "console.log('oms');\n" * 200  # httpx decoded the gzip
    assert int(script.headers["content-length"]) < 200
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-encoding"] == "gzip"
    assert "<title>OMS</title>" in page.text
    assert "content-encoding" not in plain.headers
    assert source_map.status_code == 404


async def test_swagger_ui_is_not_served_in_production(runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"app_env": "production"})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_http_app(runtime)), base_url="http://oms.test"
    ) as http:
        assert (await http.get("/api/docs")).status_code == 404
        assert (await http.get("/api/openapi.json")).status_code == 200
