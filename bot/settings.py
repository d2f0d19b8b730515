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

    # Each field's docstring is its description: the README's configuration table is made
    # from them (``python -m bot.settings_table``; ``make docs`` writes it in).
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore", case_sensitive=False,
                                      use_attribute_docstrings=True)

    environment: Literal["development", "production"] = "development"
    """`development` (a random SECRET_KEY is generated once and kept under DATA_DIR) or
    `production` (refuses to start without SECRET_KEY, an https PUBLIC_BASE_URL and the
    webhook secrets of the channels in use)"""
    database_url: str = "sqlite:///./var/civicvoice.db"
    """Where reports are kept (`sqlite:///PATH`; a relative path is from the working folder)"""
    public_base_url: str = ""
    """The public address Telegram and Twilio call, e.g. `https://feedback.example.gov`;
    webhook signatures are checked against it"""
    secret_key: SecretStr = SecretStr("")
    """Signs sessions and pseudonymises citizen addresses (HMAC); keep it stable: a new key
    no longer recognises earlier citizens or reads their stored addresses"""
    data_dir: Path = Path("./var")
    """Folder for runtime files: the generated development key, kept photos and media"""

    # NLP
    model_dir: Path = Path("./var/models")
    """Where model versions live; the bundled default model is used until another is
    promoted"""
    spacy_pipeline: str = ""
    """An installed trained spaCy pipeline (e.g. `en_core_web_sm`) whose NER also redacts
    person names; empty: `spacy.blank` with lookup lemmas"""
    retrain_base_table: Path | None = None
    """Base training CSV that `civicvoice retrain` adds staff labels to; empty: the bundled
    `models/training/default_table.csv`"""
    language: str = "en"
    """Default language of citizens' texts when a table or conversation does not say"""

    # Telegram
    telegram_bot_token: SecretStr = SecretStr("")
    """The bot's token from BotFather; empty: the Telegram channel is off"""
    telegram_webhook_secret: SecretStr = SecretStr("")
    """Secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token` (webhook mode)"""
    telegram_mode: Literal["webhook", "polling"] = "webhook"
    """`webhook` (needs PUBLIC_BASE_URL) or `polling` (needs no public address)"""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    """Bot API address in python-telegram-bot's `base_url` form, ending in `/bot`; point it
    at a local Bot API server"""
    telegram_keep_photos: bool = False
    """Fetch and keep citizens' photos under DATA_DIR/media (else only Telegram's file id)"""
    telegram_photo_max_bytes: int = 5_000_000
    """Largest photo kept, in bytes"""

    # Twilio SMS
    twilio_account_sid: str = ""
    """Twilio account; with TWILIO_AUTH_TOKEN and a sender it turns the SMS channel on"""
    twilio_auth_token: SecretStr = SecretStr("")
    """Twilio auth token: signs Twilio's webhooks and authenticates sends"""
    twilio_from_number: str = ""
    """The sending number (or set TWILIO_MESSAGING_SERVICE_SID instead)"""
    twilio_messaging_service_sid: str = ""
    """A Twilio messaging service to send from, instead of TWILIO_FROM_NUMBER"""
    twilio_api_base_url: str = ""
    """Twilio REST API address; empty: Twilio's own (point it at a test stand-in)"""
    sms_send_rate_per_second: float = 1.0
    """Messages per second sent from our number (Twilio's long-code pace is 1)"""
    sms_daily_cap: int = 10
    """Most messages one citizen receives per UTC day (`0`: no cap); STOP, START, HELP and
    urgent replies are exempt"""
    sms_reply_timeout_seconds: float = 4.0
    """Seconds to wait for the reply before answering Twilio with empty TwiML and sending it
    by REST"""
    sms_join_seconds: float = 3.0
    """Seconds to wait for the next part of a long SMS that arrives in parts"""
    sms_download_media: bool = False
    """Keep a copy of MMS media under DATA_DIR/sms_media (their URLs are always kept)"""
    sms_media_max_bytes: int = 5_000_000
    """Largest MMS media item kept, in bytes"""

    # E-mail digests
    smtp_host: str = ""
    """Mail server for digests; empty: no e-mail is sent"""
    smtp_port: int = 587
    """Mail server port"""
    smtp_user: str = ""
    """Mail server user name (empty: no login)"""
    smtp_password: SecretStr = SecretStr("")
    """Mail server password"""
    smtp_from: str = "civicvoice@localhost"
    """Sender address of digests"""
    smtp_starttls: bool = True
    """Upgrade the mail connection with STARTTLS"""
    digest_recipients: str = ""
    """Extra digest recipients per area, beside staff accounts listing the area (`*`: every
    area): JSON `{"roads": ["a@x.org"]}` or `roads:a@x.org,b@x.org;*:chief@x.org`"""
    digest_schedule: str = ""
    """When digests go out, per area, e.g. `roads=mon-fri 07:30;*=daily 08:00` (days: `daily`
    or cron day-of-week; `*`: areas without their own entry); empty: `*=daily 08:00`"""
    digest_target_days: str = "default=7"
    """Days an open report may wait before a digest lists it as overdue, e.g.
    `default=7;roads=3`"""
    digest_timezone: str = ""
    """Time zone of DIGEST_SCHEDULE (IANA name, e.g. `Europe/Berlin`); empty: the server's"""
    digest_retry_seconds: float = 30.0
    """Pause before the second attempt at a failed digest (doubled for the third); one still
    undelivered goes at the next run"""

    # Open311 forwarding (per-area endpoints: civicvoice open311 configure)
    open311_poll_seconds: float = 30.0
    """How often new reports are queued and posted to the cities' Open311 endpoints"""
    open311_sync_seconds: float = 300.0
    """How often the cities' status of forwarded reports is read back"""
    open311_delay_seconds: float = 600.0
    """How long a new report waits so the citizen's follow-ups go with it"""
    open311_timeout_seconds: float = 20.0
    """Timeout of each HTTP request to a city's endpoint"""
    open311_retry_seconds: float = 60.0
    """First pause after a failed forward (doubled per attempt, at most 6 hours)"""
    open311_max_attempts: int = 12
    """Attempts before a forward is given up and shown as failed"""

    # Web hardening: request sizes, web sender ids, proxies, plain http in production
    max_body_bytes: int = Field(default=1_000_000, ge=1_024)
    """Request-body limit in bytes for routes without their own (the web channel and staff
    API take 256 kB, Twilio 64 kB, Telegram 1 MB); larger bodies get 413 unread"""
    web_senders_per_ip_per_hour: int = Field(default=30, ge=0)
    """New web-channel sender ids one client address may start per hour (`0`: no limit);
    over it a message gets 429 and is not filed"""
    trusted_proxies: str = ""
    """Reverse proxies whose `X-Forwarded-For` is believed (addresses or networks,
    comma-separated, e.g. `10.0.0.0/8,::1`); empty: the connecting address is the client"""
    allow_insecure_http: bool = False
    """Let production run with an `http://` PUBLIC_BASE_URL (cookies then cross the network
    in clear; a warning is logged)"""

    # Conversation
    emergency_numbers: str = "911"
    """Emergency numbers named in replies to urgent reports"""
    max_message_chars: int = 2000
    """Longest citizen message filed, in characters; a longer one gets a reply asking for a
    shorter message"""
    flood_window_seconds: int = 60
    """Window of the flood limit"""
    flood_max_reports: int = 3
    """Most reports one citizen files per FLOOD_WINDOW_SECONDS (a message naming a real
    danger is still filed and alerted)"""

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
