"""Configuration from the environment and ``.env`` (pydantic-settings). The names are the public interface."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from handlers.i18n import LOCALES, supported_locale

# Telegram accepts 1–256 characters from this set as a webhook secret_token.
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Slack slash command names: lowercase, at most 32 characters with the slash.
_SLACK_COMMAND = re.compile(r"^[a-z0-9][a-z0-9_-]{0,30}$")

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class SettingsError(Exception):
    """A setting has a bad value; the message names it (start-up stops with it)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///devrelbot.db"
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "FULL"  # storage.db.DEFAULT_SQLITE_SYNCHRONOUS
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_port: int | None = Field(default=None, ge=1, le=65535)
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_base_url: str = "https://slack.com/api/"
    slack_http_port: int | None = Field(default=None, ge=1, le=65535)
    slack_command: str = "devrel"
    default_timezone: str = "UTC"
    default_language: str = "en"
    log_level: LogLevel = "INFO"
    log_format: Literal["text", "json"] = "text"
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    # The name a replica holds its inbox rows under (bot.inbox.replica_name); unset: the host's name.
    devrelbot_replica: str | None = Field(default=None, max_length=64)
    # How long a deleted activity stays in the archive, where an admin can /restore it.
    deleted_retention_days: int = Field(default=30, ge=1, le=3650)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # `SLACK_BOT_TOKEN=` in .env means "not set", not an empty token.
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else ("INFO" if value is None else value)

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_format(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else ("text" if value is None else value)

    @field_validator("database_url", mode="after")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                f"not a database URL: {value!r}; use sqlite:///devrelbot.db or postgresql://user@host/db"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(f"unsupported database {url.get_backend_name()!r}; use SQLite or PostgreSQL")
        return value

    @field_validator("telegram_api_base_url", "slack_api_base_url", mode="after")
    @classmethod
    def _check_http_url(cls, value: str) -> str:
        AnyHttpUrl(value)  # raises with a clear message on a malformed URL
        return value

    @field_validator("telegram_webhook_url", mode="after")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = AnyHttpUrl(value)  # raises with a clear message on a malformed URL
        if url.scheme != "https":
            raise ValueError(f"Telegram only delivers webhooks over HTTPS; got {value!r}")
        return value

    @field_validator("telegram_webhook_secret", mode="after")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError("use 1 to 256 characters: letters, digits, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        # Without the secret anyone who guesses the URL could post fake updates.
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is set")
        return self

    @field_validator("slack_command", mode="before")
    @classmethod
    def _check_slack_command(cls, value: Any) -> Any:
        name = "devrel" if value is None else str(value).removeprefix("/").lower()
        if not _SLACK_COMMAND.match(name):
            raise ValueError(f"not a Slack command name: {value!r}; use lowercase letters, digits, - or _, like devrel")
        return name

    @field_validator("default_timezone", mode="after")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like Europe/Berlin or UTC") from None
        return value

    @field_validator("default_language", mode="after")
    @classmethod
    def _check_language(cls, value: str) -> str:
        language = supported_locale(value)
        if language is None or language != value.strip().lower():
            raise ValueError(f"unknown language {value!r}; use one of: {', '.join(LOCALES)}")
        return language

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def deleted_retention(self) -> timedelta:
        return timedelta(days=self.deleted_retention_days)

    def secrets(self) -> list[str]:
        """Every secret value, so the log filter can mask them wherever they appear."""
        values = [
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
        ]
        return [v.get_secret_value() for v in values if v is not None]


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]).upper() if item["loc"] else "settings"
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise SettingsError("Bad setting — " + "; ".join(problems)) from None
