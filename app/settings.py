"""Settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./audience_stats.db"


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long the server waits, in seconds, before it answers 503 SERVICE_UNAVAILABLE."""

    connect: float = 5.0  # for a database connection: a new one, or a free one of the pool
    statement: float = 10.0  # for one SQL statement (PostgreSQL's statement_timeout too)
    request: float = 15.0  # for a whole request, until its answer starts


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Each API token's budget, in cost points (app.graphql.cost): generous enough that
    dashboards, GraphiQL and the client never meet it, tight enough to stop a flood."""

    max_cost: int = 50_000  # one operation above this is refused before it runs
    capacity: int = 200_000  # the most a token's bucket holds: its burst
    restore_rate: int = 20_000  # points a second that flow back into it


@dataclass(frozen=True, slots=True)
class LiveLimits:
    """Subscriptions (app.live): how often they are recomputed, and how many a caller holds."""

    interval: float = 1.0  # seconds: at most one push a subscription an interval
    subscriptions_per_connection: int = 100
    connections_per_token: int = 50  # in each server process


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    # Browser dashboards on other origins may call the API: tokens travel in headers, never
    # in cookies, so allowing any origin exposes nothing a token does not already grant.
    cors_origins: tuple[str, ...] = ("*",)
    # How often each server process folds PostgreSQL's rollup deltas into the rollup. Stats
    # read the deltas too, so this bounds their number, not how fresh the numbers are; it
    # does bound how fresh a kept answer of the response cache is (its change signal).
    compact_seconds: float = 1.0
    timeouts: Timeouts = Timeouts()
    # How long a process trusts a token the database named (app.auth.Tokens): a revoked
    # token is refused within this bound.
    token_cache_seconds: float = 5.0
    # Answers of repeated queries each process keeps (app.graphql.response_cache); 0: none.
    response_cache_size: int = 1000
    # Database connections each server process keeps open (app.db.create_engine).
    pool_size: int = 20
    # A request body above this is refused unread (413): the largest document allowed
    # (50,000 characters) and its variables fit many times over.
    max_body_bytes: int = 256 * 1024
    rate_limits: RateLimits = RateLimits()
    # Where the rate budgets live, shared by every process and replica; None: in each process.
    redis_url: str | None = None
    redis_prefix: str = "audience-stats"  # of every Redis key this service writes
    live: LiveLimits = LiveLimits()
    # A persisted-documents file: when set, only its documents run (app.graphql.documents).
    trusted_documents: Path | None = None
    # Log lines as text, or as one JSON object a line (app.logs).
    json_logs: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        defaults = cls()
        port = env.get("AUDIENCE_STATS_PORT") or str(defaults.port)
        if not port.isdigit():
            raise ValueError(f"AUDIENCE_STATS_PORT must be a port number, got {port!r}")
        origins = env.get("AUDIENCE_STATS_CORS_ORIGINS")
        timeouts, limits, live = defaults.timeouts, defaults.rate_limits, defaults.live
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            host=env.get("AUDIENCE_STATS_HOST") or defaults.host,
            port=int(port),
            cors_origins=defaults.cors_origins
            if origins is None
            else tuple(o.strip() for o in origins.split(",") if o.strip()),
            compact_seconds=_seconds(
                env, "AUDIENCE_STATS_COMPACT_SECONDS", defaults.compact_seconds
            ),
            timeouts=Timeouts(
                connect=_seconds(env, "AUDIENCE_STATS_DB_CONNECT_TIMEOUT", timeouts.connect),
                statement=_seconds(env, "AUDIENCE_STATS_DB_STATEMENT_TIMEOUT", timeouts.statement),
                request=_seconds(env, "AUDIENCE_STATS_REQUEST_TIMEOUT", timeouts.request),
            ),
            token_cache_seconds=_seconds(
                env, "AUDIENCE_STATS_TOKEN_CACHE_SECONDS", defaults.token_cache_seconds
            ),
            response_cache_size=_count(
                env,
                "AUDIENCE_STATS_RESPONSE_CACHE_SIZE",
                defaults.response_cache_size,
                "answers",
                least=0,
            ),
            pool_size=_count(env, "AUDIENCE_STATS_DB_POOL_SIZE", defaults.pool_size, "connections"),
            max_body_bytes=_count(
                env, "AUDIENCE_STATS_MAX_BODY_BYTES", defaults.max_body_bytes, "bytes"
            ),
            rate_limits=RateLimits(
                max_cost=_count(env, "AUDIENCE_STATS_MAX_COST", limits.max_cost, "cost points"),
                capacity=_count(
                    env, "AUDIENCE_STATS_RATE_CAPACITY", limits.capacity, "cost points"
                ),
                restore_rate=_count(
                    env, "AUDIENCE_STATS_RATE_RESTORE", limits.restore_rate, "cost points"
                ),
            ),
            redis_url=env.get("REDIS_URL") or None,
            redis_prefix=env.get("AUDIENCE_STATS_REDIS_PREFIX") or defaults.redis_prefix,
            trusted_documents=Path(trusted)
            if (trusted := env.get("AUDIENCE_STATS_TRUSTED_DOCUMENTS"))
            else None,
            json_logs=_log_format(env) == "json",
            live=LiveLimits(
                interval=_seconds(env, "AUDIENCE_STATS_LIVE_SECONDS", live.interval),
                subscriptions_per_connection=_count(
                    env,
                    "AUDIENCE_STATS_SUBSCRIPTIONS_PER_CONNECTION",
                    live.subscriptions_per_connection,
                    "subscriptions",
                ),
                connections_per_token=_count(
                    env,
                    "AUDIENCE_STATS_CONNECTIONS_PER_TOKEN",
                    live.connections_per_token,
                    "connections",
                ),
            ),
        )


def _log_format(env: Mapping[str, str]) -> str:
    text = (env.get("AUDIENCE_STATS_LOG_FORMAT") or "text").strip().lower()
    if text not in ("text", "json"):
        raise ValueError(f"AUDIENCE_STATS_LOG_FORMAT must be text or json, got {text!r}")
    return text


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name) or str(default)
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if not 0 < seconds < 86_400:
        raise ValueError(f"{name} must be seconds above 0 (and below a day), got {text!r}")
    return seconds


def _count(env: Mapping[str, str], name: str, default: int, unit: str, least: int = 1) -> int:
    text = env.get(name) or str(default)
    if not (text.isascii() and text.isdigit() and int(text) >= least):
        raise ValueError(f"{name} must be {unit}, at least {least}, got {text!r}")
    return int(text)
