from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN",
                 "SLACK_SIGNING_SECRET", "SLACK_API_BASE_URL", "SLACK_HTTP_PORT", "DEFAULT_TIMEZONE", "LOG_LEVEL",
                 "DEFAULT_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_need_no_configuration():
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite:///devrelbot.db"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.slack_api_base_url == "https://slack.com/api/"
    assert not settings.telegram_enabled and not settings.slack_enabled


def test_values_come_from_the_environment_and_blank_means_unset(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-123")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "   ")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Moscow")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings(_env_file=None)
    assert settings.slack_enabled and not settings.telegram_enabled
    assert (settings.default_timezone, settings.log_level) == ("Europe/Moscow", "DEBUG")
    assert "xoxb-123" not in repr(settings)  # secrets never print


def test_a_new_teams_language_comes_from_default_language(monkeypatch):
    assert load_settings(_env_file=None).default_language == "en"
    monkeypatch.setenv("DEFAULT_LANGUAGE", "RU")
    assert load_settings(_env_file=None).default_language == "ru"


def test_values_come_from_a_dotenv_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgresql://u@db/devrel\nSLACK_HTTP_PORT=3000\n")
    settings = load_settings(_env_file=env_file)
    assert (settings.database_url, settings.slack_http_port) == ("postgresql://u@db/devrel", 3000)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_LANGUAGE", "klingon"),
        ("DEFAULT_LANGUAGE", "ru-RU"),
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("TELEGRAM_API_BASE_URL", "telegram please"),
        ("SLACK_API_BASE_URL", "ftp//slack"),
        ("SLACK_HTTP_PORT", "99999"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_names_the_setting(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings(_env_file=None)
    assert name in str(info.value)


def test_secrets_lists_every_token_for_masking(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEF")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cr3t-value")
    assert sorted(load_settings(_env_file=None).secrets()) == ["123456:ABCDEF", "s3cr3t-value"]


def test_env_example_documents_every_setting_with_a_comment():
    from pathlib import Path

    from bot.settings import Settings

    lines = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8").splitlines()
    for name in Settings.model_fields:
        key = name.upper()
        index = next((i for i, line in enumerate(lines) if line.startswith(f"{key}=")), None)
        assert index is not None, f"{key} is missing from .env.example"
        assert lines[index - 1].startswith("#"), f"{key} has no comment above it in .env.example"


def test_a_replicas_name_in_dotenv_is_the_name_it_holds_its_inbox_rows_under(tmp_path, monkeypatch):
    from bot import inbox
    from bot.app import build_router

    monkeypatch.delenv("DEVRELBOT_REPLICA", raising=False)
    monkeypatch.setattr(inbox, "_configured_name", None)
    env_file = tmp_path / ".env"
    env_file.write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'x.db'}\nDEVRELBOT_REPLICA=replica-2\n")
    settings = load_settings(_env_file=env_file)
    db, _router = build_router(settings)
    try:
        assert inbox.replica_name() == "replica-2"
    finally:
        db.dispose()
