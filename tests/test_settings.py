"""Settings read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import DEFAULT_DATABASE_URL, LiveLimits, RateLimits, Settings


def test_defaults_without_environment() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.host, settings.port, settings.cors_origins) == ("127.0.0.1", 8000, ("*",))


def test_values_from_environment() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+asyncpg://u@h/db",
            "AUDIENCE_STATS_HOST": "0.0.0.0",
            "AUDIENCE_STATS_PORT": "9000",
            "AUDIENCE_STATS_CORS_ORIGINS": "https://a.example, https://b.example,",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert (settings.host, settings.port) == ("0.0.0.0", 9000)
    assert settings.cors_origins == ("https://a.example", "https://b.example")


def test_empty_cors_origins_allow_none() -> None:
    assert Settings.from_env({"AUDIENCE_STATS_CORS_ORIGINS": ""}).cors_origins == ()


def test_bad_port_is_named() -> None:
    with pytest.raises(ValueError, match="AUDIENCE_STATS_PORT"):
        Settings.from_env({"AUDIENCE_STATS_PORT": "eighty"})


def test_timeouts_and_body_cap_from_environment() -> None:
    settings = Settings.from_env(
        {
            "AUDIENCE_STATS_DB_CONNECT_TIMEOUT": "2.5",
            "AUDIENCE_STATS_DB_STATEMENT_TIMEOUT": "3",
            "AUDIENCE_STATS_REQUEST_TIMEOUT": "7",
            "AUDIENCE_STATS_MAX_BODY_BYTES": "1000",
            "AUDIENCE_STATS_COMPACT_SECONDS": "0.5",
        }
    )
    assert (settings.timeouts.connect, settings.timeouts.statement) == (2.5, 3.0)
    assert (settings.timeouts.request, settings.max_body_bytes) == (7.0, 1000)
    assert settings.compact_seconds == 0.5


def test_rate_limits_and_redis_from_environment() -> None:
    settings = Settings.from_env(
        {
            "AUDIENCE_STATS_MAX_COST": "100",
            "AUDIENCE_STATS_RATE_CAPACITY": "500",
            "AUDIENCE_STATS_RATE_RESTORE": "5",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "AUDIENCE_STATS_REDIS_PREFIX": "stats-eu",
        }
    )
    assert settings.rate_limits == RateLimits(max_cost=100, capacity=500, restore_rate=5)
    assert (settings.redis_url, settings.redis_prefix) == ("redis://127.0.0.1:6379/3", "stats-eu")
    assert Settings.from_env({}).redis_url is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AUDIENCE_STATS_DB_CONNECT_TIMEOUT", "0"),
        ("AUDIENCE_STATS_DB_STATEMENT_TIMEOUT", "soon"),
        ("AUDIENCE_STATS_REQUEST_TIMEOUT", "-1"),
        ("AUDIENCE_STATS_COMPACT_SECONDS", "nan"),
        ("AUDIENCE_STATS_MAX_BODY_BYTES", "1e6"),
        ("AUDIENCE_STATS_MAX_BODY_BYTES", "0"),
        ("AUDIENCE_STATS_MAX_COST", "lots"),
        ("AUDIENCE_STATS_RATE_CAPACITY", "0"),
        ("AUDIENCE_STATS_RATE_RESTORE", "-5"),
    ],
)
def test_bad_bounds_are_named(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})


def test_live_limits_and_trusted_documents_from_environment() -> None:
    assert Settings.from_env({}).live == LiveLimits()
    assert Settings.from_env({}).trusted_documents is None
    settings = Settings.from_env(
        {
            "AUDIENCE_STATS_LIVE_SECONDS": "0.25",
            "AUDIENCE_STATS_SUBSCRIPTIONS_PER_CONNECTION": "7",
            "AUDIENCE_STATS_CONNECTIONS_PER_TOKEN": "3",
            "AUDIENCE_STATS_TRUSTED_DOCUMENTS": "docs/persisted.json",
        }
    )
    assert settings.live == LiveLimits(
        interval=0.25, subscriptions_per_connection=7, connections_per_token=3
    )
    assert settings.trusted_documents == Path("docs/persisted.json")
    for name in ("AUDIENCE_STATS_LIVE_SECONDS", "AUDIENCE_STATS_CONNECTIONS_PER_TOKEN"):
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: "0"})


def test_request_path_settings_from_environment() -> None:
    settings = Settings.from_env(
        {
            "AUDIENCE_STATS_RESPONSE_CACHE_SIZE": "0",
            "AUDIENCE_STATS_TOKEN_CACHE_SECONDS": "0.5",
            "AUDIENCE_STATS_LOG_FORMAT": " JSON ",
        }
    )
    assert settings.response_cache_size == 0
    assert settings.token_cache_seconds == 0.5
    assert settings.json_logs
    assert not Settings.from_env({}).json_logs
    for name, value in (
        ("AUDIENCE_STATS_LOG_FORMAT", "xml"),
        ("AUDIENCE_STATS_RESPONSE_CACHE_SIZE", "-1"),
        ("AUDIENCE_STATS_TOKEN_CACHE_SECONDS", "0"),
    ):
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: value})
