"""Configuration, read once from the environment (and ``.env``), typed, secrets masked.

Tests build ``Settings(...)`` directly. ``.env.example`` lists every key.
"""

from __future__ import annotations

import logging
import secrets
from functools import cached_property
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.private_files import private_dir, touch_private, write_private

logger = logging.getLogger(__name__)


class ConfigError(Exception):
    """The configuration cannot run (the message says which key to set)."""


class Settings(BaseSettings):
    """Every setting CivicVoice reads; names match ``../shared/INTERFACES.md``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore", case_sensitive=False)

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///./var/civicvoice.db"
    public_base_url: str = ""
    secret_key: SecretStr = SecretStr("")
    data_dir: Path = Path("./var")

    # NLP
    model_dir: Path = Path("./var/models")
    spacy_pipeline: str = ""  # an installed trained spaCy pipeline, e.g. en_core_web_sm
    retrain_base_table: Path | None = None  # base CSV for retrain (default: the bundled table)
    language: str = "en"

    # Telegram
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_mode: Literal["webhook", "polling"] = "webhook"
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_keep_photos: bool = False
    telegram_photo_max_bytes: int = 5_000_000

    # Twilio SMS
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str = ""
    sms_send_rate_per_second: float = 1.0
    sms_daily_cap: int = 10
    sms_reply_timeout_seconds: float = 4.0
    sms_join_seconds: float = 3.0
    sms_download_media: bool = False
    sms_media_max_bytes: int = 5_000_000

    # E-mail digests
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = "civicvoice@localhost"
    smtp_starttls: bool = True
    digest_recipients: str = ""  # extra addresses per area: JSON or "roads:a@x,b@x;*:c@x"
    digest_schedule: str = ""  # "roads=mon-fri 07:30;*=daily 08:00" (default *=daily 08:00)
    digest_target_days: str = "default=7"  # overdue after: "default=7;roads=3"
    digest_timezone: str = ""  # IANA zone for DIGEST_SCHEDULE, e.g. Europe/Berlin; "" = local
    digest_retry_seconds: float = 30.0  # first pause between send attempts (then doubled)

    # Open311 forwarding (per-area endpoints: civicvoice open311 configure)
    open311_poll_seconds: float = 30.0  # how often new reports are queued and posted
    open311_sync_seconds: float = 300.0  # how often the city's status is read back
    open311_delay_seconds: float = 600.0  # hold a new report so follow-ups go with it
    open311_timeout_seconds: float = 20.0  # per HTTP request to a city's endpoint
    open311_retry_seconds: float = 60.0  # first pause after a failure (then doubled, <= 6 h)
    open311_max_attempts: int = 12  # then the forward is given up (failed_permanent)

    # Web hardening: request sizes, web sender ids, proxies, plain http in production
    max_body_bytes: int = Field(default=1_000_000, ge=1_024)
    web_senders_per_ip_per_hour: int = Field(default=30, ge=0)
    trusted_proxies: str = ""  # comma-separated addresses or networks, e.g. 10.0.0.0/8
    allow_insecure_http: bool = False

    # Conversation
    emergency_numbers: str = "911"
    max_message_chars: int = 2000
    flood_window_seconds: int = 60
    flood_max_reports: int = 3

    @field_validator("public_base_url", "telegram_api_base_url", "twilio_api_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token.get_secret_value())

    @property
    def sms_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value())

    @cached_property
    def secret(self) -> str:
        """``SECRET_KEY``, or in development one generated once and kept under ``data_dir``."""
        value = self.secret_key.get_secret_value()
        if value:
            return value
        if self.environment == "production":
            raise ConfigError("SECRET_KEY must be set in production")
        path = self.data_dir / "secret_key"
        private_dir(self.data_dir, tighten=True)
        if path.is_file():
            touch_private(path)  # an older release wrote it with the umask's mode
            return path.read_text(encoding="utf-8").strip()
        value = secrets.token_urlsafe(48)
        write_private(path, (value + "\n").encode())
        logger.info("generated a development SECRET_KEY in %s", path)
        return value

    def check_production(self) -> None:
        """Refuse to run in production without the keys that keep webhooks and data safe."""
        if self.environment != "production":
            return
        missing = []
        if not self.secret_key.get_secret_value():
            missing.append("SECRET_KEY")
        if not self.public_base_url:
            missing.append("PUBLIC_BASE_URL")
        if self.telegram_enabled and self.telegram_mode == "webhook" and not (
            self.telegram_webhook_secret.get_secret_value()
        ):
            missing.append("TELEGRAM_WEBHOOK_SECRET")
        if missing:
            raise ConfigError(f"production needs {', '.join(missing)}")
        if not self.public_base_url.startswith("https://"):
            if not self.allow_insecure_http:
                raise ConfigError("production needs an https:// PUBLIC_BASE_URL (session "
                                  "cookies are sent only over https); set "
                                  "ALLOW_INSECURE_HTTP=true to run on plain http anyway")
            logger.warning("ALLOW_INSECURE_HTTP is set: production is served over plain "
                           "http, so sign-in cookies and tokens cross the network unencrypted")

    @cached_property
    def proxies(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """``TRUSTED_PROXIES`` parsed; a bad entry is a ``ConfigError`` naming it."""
        networks = []
        for entry in self.trusted_proxies.replace(";", ",").split(","):
            if entry.strip():
                try:
                    networks.append(ip_network(entry.strip(), strict=False))
                except ValueError:
                    raise ConfigError(f"TRUSTED_PROXIES: {entry.strip()!r} is not an "
                                      "address or network") from None
        return tuple(networks)
