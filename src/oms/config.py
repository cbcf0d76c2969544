"""Settings from the environment (and an optional `.env`), refused at start when wrong.

Names are the seed guide's (`APP_KEY`, `WEBSOCKET_PORT`, ...). `get_settings()` is the one way
to read them; tests override it by setting the environment and clearing the cache.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_KEYS = frozenset({"your-laravel-app-key-here", "your-production-app-key", "changeme"})
MIN_APP_KEY_LENGTH = 32
# Used only in development so `oms serve` works on a fresh checkout; refused elsewhere.
DEV_APP_KEY = "oms-development-key-not-for-production-use-0000"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost"})


class ConfigError(Exception):
    """Bad configuration; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    app_env: Literal["development", "test", "production"] = Field("development", alias="APP_ENV")
    app_key: str = Field(DEV_APP_KEY, alias="APP_KEY")
    http_host: str = Field("127.0.0.1", alias="HTTP_HOST")
    http_port: int = Field(8000, alias="HTTP_PORT", ge=0, le=65535)
    websocket_host: str = Field("127.0.0.1", alias="WEBSOCKET_HOST")
    websocket_port: int = Field(6001, alias="WEBSOCKET_PORT", ge=0, le=65535)
    oms_data_dir: Path = Field(Path("./var"), alias="OMS_DATA_DIR")
    database_url: str | None = Field(None, alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")
    cors_origins: str = Field(
        "http://localhost:5173,http://127.0.0.1:5173,http://localhost:8000,http://127.0.0.1:8000",
        alias="CORS_ORIGINS",
    )
    token_ttl_seconds: int = Field(8 * 3600, alias="TOKEN_TTL_SECONDS", ge=60, le=30 * 86400)
    tls_cert_file: Path | None = Field(None, alias="TLS_CERT_FILE")
    tls_key_file: Path | None = Field(None, alias="TLS_KEY_FILE")
    # Delivery channels (DESIGN §10): email and Web Push for what stays unread.
    delivery_delay_seconds: float = Field(60, alias="DELIVERY_DELAY_SECONDS", ge=0, le=86400)
    delivery_max_attempts: int = Field(8, alias="DELIVERY_MAX_ATTEMPTS", ge=1, le=50)
    # How long a claimed delivery is a worker's: after a crash, it is sent again after this.
    delivery_lease_seconds: float = Field(180, alias="DELIVERY_LEASE_SECONDS", ge=1, le=3600)
    smtp_url: str | None = Field(None, alias="SMTP_URL")
    # A CA bundle to verify the SMTP server with, when it is not signed by a public CA.
    smtp_ca_file: Path | None = Field(None, alias="SMTP_CA_FILE")
    mail_from: str = Field("OMS <no-reply@localhost>", alias="MAIL_FROM")
    # Where links in emails and pushes point; default: this server's own web app.
    public_url: str = Field("", alias="PUBLIC_URL")
    vapid_private_key: str | None = Field(None, alias="VAPID_PRIVATE_KEY")
    vapid_subject: str = Field("mailto:no-reply@localhost", alias="VAPID_SUBJECT")

    @field_validator("app_key")
    @classmethod
    def _key_is_real(cls, value: str) -> str:
        if value.strip().lower() in PLACEHOLDER_KEYS:
            raise ValueError("is the placeholder from the guide; generate one with `oms key`")
        if len(value) < MIN_APP_KEY_LENGTH:
            raise ValueError(f"must be at least {MIN_APP_KEY_LENGTH} characters")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("smtp_url")
    @classmethod
    def _known_smtp(cls, value: str | None) -> str | None:
        if value and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("must start with smtp:// or smtps:// (add ?starttls=1 for STARTTLS)")
        return value or None

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _production_needs_real_key(self) -> Settings:
        if self.app_env != "development" and self.app_key == DEV_APP_KEY:
            raise ValueError("APP_KEY: required outside development (the built-in key is public)")
        if bool(self.tls_cert_file) != bool(self.tls_key_file):
            raise ValueError("TLS_CERT_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together")
        if not self.public_url:
            scheme = "https" if self.tls_cert_file else "http"
            host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::", "") else self.http_host
            self.public_url = f"{scheme}://{host}:{self.http_port}"
        return self

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.oms_data_dir / 'oms.sqlite3'}"

    @property
    def cors_origin_list(self) -> list[str]:
        """CORS_ORIGINS plus the origins of this server's own web app, which the browser sends
        as `Origin` when the served app opens its socket (on either port)."""
        configured = [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]
        return list(dict.fromkeys([*configured, *self.own_origins]))

    @property
    def own_origins(self) -> list[str]:
        scheme = "https" if self.tls_cert_file else "http"
        hosts = {self.http_host}
        if self.http_host in LOOPBACK_NAMES or self.http_host == "0.0.0.0":
            hosts |= LOOPBACK_NAMES
        return sorted(f"{scheme}://{host}:{self.http_port}" for host in hosts)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    location = first["loc"][0] if first["loc"] else ""
    field = Settings.model_fields.get(str(location))
    name = field.alias if field and field.alias else str(location)
    message = str(first["msg"]).removeprefix("Value error, ")
    if ":" in message and message.split(":", 1)[0].isupper():
        return message  # the validator already named the variable
    return f"{name}: {message}"


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


@functools.cache
def get_settings() -> Settings:
    return load_settings()
