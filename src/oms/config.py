"""Settings from the environment (and an optional `.env`), refused at start when wrong.

Names are the seed guide's (`APP_KEY`, `WEBSOCKET_PORT`, ...). `get_settings()` is the one way
to read them; tests override it by setting the environment and clearing the cache.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from limits import parse_many
from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from oms.networks import Network, parse_networks
from oms.reminder_offsets import ReminderOffset, parse_offsets
from oms.timezones import is_timezone

PLACEHOLDER_KEYS = frozenset({"your-laravel-app-key-here", "your-production-app-key", "changeme"})
MIN_APP_KEY_LENGTH = 32
# Used only in development so `oms serve` works on a fresh checkout; refused elsewhere.
DEV_APP_KEY = "oms-development-key-not-for-production-use-0000"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost"})


def _checked_by(parse: Callable[[str], object]) -> AfterValidator:
    def check(value: str) -> str:
        parse(value)  # its ValueError names what is wrong
        return value

    return AfterValidator(check)


# Settings kept as written but refused at start-up unless they parse (read parsed through the
# properties of the same name).
Networks = Annotated[str, _checked_by(parse_networks)]
Offsets = Annotated[str, _checked_by(parse_offsets)]


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
    # The time zone of branches created without one (DESIGN §3); each branch keeps its own.
    oms_timezone: str = Field("UTC", alias="OMS_TIMEZONE")
    # DESIGN §11: reminders this long before each appointment; how often the timeline looks.
    reminder_offsets: Offsets = Field("24h,2h", alias="REMINDER_OFFSETS")
    timeline_tick_seconds: float = Field(30.0, alias="TIMELINE_TICK_SECONDS", gt=0, le=3600)
    # --- connection limits (issue 9; README "Connection limits") ---
    http_head_timeout_seconds: float = Field(5.0, alias="HTTP_HEAD_TIMEOUT_SECONDS", gt=0, le=300)
    socket_connect_timeout_seconds: float = Field(
        10.0, alias="SOCKET_CONNECT_TIMEOUT_SECONDS", gt=0, le=300
    )
    sockets_per_address: int = Field(100, alias="SOCKETS_PER_ADDRESS", ge=1)
    max_sockets: int = Field(0, alias="MAX_SOCKETS", ge=0)
    file_descriptor_reserve: int = Field(1024, alias="FILE_DESCRIPTOR_RESERVE", ge=16)
    # --- end of connection limits ---
    # --- engine.io heartbeat (issue 12; README "Sockets at scale"): both endpoints ping every
    # interval and close a socket whose pong is `timeout` late (engine.io's defaults). A proxy's
    # read timeout must exceed their sum; bench/sockets.py shortens both to measure the cost.
    socket_ping_interval_seconds: float = Field(
        25.0, alias="SOCKET_PING_INTERVAL_SECONDS", gt=0, le=3600
    )
    socket_ping_timeout_seconds: float = Field(
        20.0, alias="SOCKET_PING_TIMEOUT_SECONDS", gt=0, le=3600
    )
    # --- end of engine.io heartbeat ---

    # --- Hardening (DESIGN §13; README "Security limits") ---------------------------------------
    # Proxies whose X-Forwarded-For is believed: comma-separated addresses or networks.
    trusted_proxies: Networks = Field("", alias="TRUSTED_PROXIES")
    # Request bodies: log-in, registration and password changes are tiny; the rest is JSON forms.
    max_body_bytes: int = Field(1024 * 1024, alias="MAX_BODY_BYTES", ge=1024)
    auth_max_body_bytes: int = Field(4 * 1024, alias="AUTH_MAX_BODY_BYTES", ge=512)
    # Origins the web app may connect to besides its own (e.g. `wss://rt.example.com` when
    # VITE_WEBSOCKET_URL points at a separate gateway), space-separated, for the CSP.
    csp_connect_src: str = Field("", alias="CSP_CONNECT_SRC")
    # Rate limits, in the `limits` notation (`N/second|minute|hour|day`, `;` between windows).
    rate_login_per_account: str = Field("10/minute;50/hour", alias="RATE_LOGIN_PER_ACCOUNT")
    rate_login_per_address: str = Field("60/minute;600/hour", alias="RATE_LOGIN_PER_ADDRESS")
    rate_register_per_address: str = Field("5/minute;30/hour", alias="RATE_REGISTER_PER_ADDRESS")
    rate_broadcast_per_sender: str = Field("30/minute", alias="RATE_BROADCAST_PER_SENDER")
    rate_socket_connect_per_address: str = Field(
        "120/minute", alias="RATE_SOCKET_CONNECT_PER_ADDRESS"
    )
    rate_socket_join_per_socket: str = Field("30/minute", alias="RATE_SOCKET_JOIN_PER_SOCKET")

    @field_validator(
        "rate_login_per_account",
        "rate_login_per_address",
        "rate_register_per_address",
        "rate_broadcast_per_sender",
        "rate_socket_connect_per_address",
        "rate_socket_join_per_socket",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError("is not a rate limit such as `10/minute;50/hour`") from None
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

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
    # A gateway node's heartbeat in Redis: a node silent this long leaves the cluster view
    # (GET /connections, presence); it beats every third of it (DESIGN §12).
    oms_node_ttl_seconds: float = Field(10.0, alias="OMS_NODE_TTL_SECONDS", ge=1, le=600)
    # Announce staff members' and optometrists' coming online and going offline to their
    # branches (presence.changed); GET /api/presence answers either way.
    oms_presence_events: bool = Field(True, alias="OMS_PRESENCE_EVENTS")

    @field_validator("app_key")
    @classmethod
    def _key_is_real(cls, value: str) -> str:
        if value.strip().lower() in PLACEHOLDER_KEYS:
            raise ValueError("is the placeholder from the guide; generate one with `oms key`")
        if len(value) < MIN_APP_KEY_LENGTH:
            raise ValueError(f"must be at least {MIN_APP_KEY_LENGTH} characters")
        return value

    @field_validator("oms_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if not is_timezone(value):
            raise ValueError("must be an IANA time zone name such as Asia/Manila")
        return value

    @property
    def reminder_offset_list(self) -> tuple[ReminderOffset, ...]:
        return parse_offsets(self.reminder_offsets)

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
