"""Settings refuse bad configuration with one line naming the variable."""

from __future__ import annotations

import pytest

from oms.config import DEV_APP_KEY, ConfigError, load_settings

GOOD_KEY = "k" * 40


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "APP_KEY",
        "APP_ENV",
        "HTTP_PORT",
        "DATABASE_URL",
        "REDIS_URL",
        "TLS_CERT_FILE",
        "CORS_ORIGINS",
        "OMS_TIMEZONE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no stray .env


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"APP_KEY": "your-laravel-app-key-here"}, "APP_KEY: is the placeholder"),
        ({"APP_KEY": "short"}, "APP_KEY: must be at least 32 characters"),
        ({"APP_ENV": "production"}, "APP_KEY: required outside development"),
        ({"APP_KEY": GOOD_KEY, "HTTP_PORT": "http"}, "HTTP_PORT:"),
        ({"APP_KEY": GOOD_KEY, "HTTP_PORT": "70000"}, "HTTP_PORT:"),
        ({"APP_KEY": GOOD_KEY, "DATABASE_URL": "mysql://x"}, "DATABASE_URL: must start with"),
        ({"APP_KEY": GOOD_KEY, "REDIS_URL": "http://x"}, "REDIS_URL: must start with"),
        ({"APP_KEY": GOOD_KEY, "TLS_CERT_FILE": "/tmp/c.pem"}, "TLS_CERT_FILE:"),
        ({"APP_KEY": GOOD_KEY, "OMS_TIMEZONE": "Mars/Olympus"}, "OMS_TIMEZONE: must be an IANA"),
    ],
)
def test_bad_configuration_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value)


def test_defaults_bind_to_loopback_with_sqlite() -> None:
    settings = load_settings()
    assert settings.app_key == DEV_APP_KEY
    assert settings.http_host == "127.0.0.1"
    assert settings.websocket_host == "127.0.0.1"
    assert (settings.http_port, settings.websocket_port) == (8000, 6001)
    assert settings.database.startswith("sqlite+aiosqlite:///")


def test_production_with_a_real_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("APP_KEY", GOOD_KEY)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = load_settings()
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


def test_the_served_app_may_open_its_socket_on_any_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PORT", "8321")
    monkeypatch.setenv("CORS_ORIGINS", "https://clinic.example")
    origins = load_settings().cors_origin_list
    assert origins == [
        "https://clinic.example",
        "http://127.0.0.1:8321",
        "http://localhost:8321",
    ]
