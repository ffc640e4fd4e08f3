"""Synthetic data sets in the load format (contract section 7), for benchmarks and demos.

A data set is a function of its Plan: the same plan writes byte-identical files (on the same
Python version). Each campaign draws from a random generator of its own, seeded with the seed
and the campaign id, so campaign 1 of `--campaigns 1` is campaign 1 of `--campaigns 51` too.

Every campaign is in progress: some contacts are still fresh, most were called once or twice,
some wait in the queue for their next attempt and a few are on a call right now.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from math import gcd
from pathlib import Path

from app.filters import AudienceStatus
from app.load_format import HEADERS
from app.progress import Progress
from app.values import ID32

# Area codes of the North American plan's form (no N9X, no N11); every number is
# +1 <area code> 555 <4 digits>, as in the demo data, so each campaign has room for this many.
_AREA_CODES = tuple(
    code for code in range(200, 1000) if (code // 10) % 10 != 9 and code % 100 != 11
)
MAX_CAMPAIGN_AUDIENCE = len(_AREA_CODES) * 10_000

_DAY = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Data sets are set in 2026: "now" is a moment of that year chosen by the seed.
_YEAR_START = int((datetime(2026, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())

_CHUNK_ROWS = 20_000  # rows per csv.writerows call and per progress update

_FRESH = int(AudienceStatus.FRESH)
_COMPLETED = int(AudienceStatus.COMPLETED)
_HALTED = int(AudienceStatus.HALTED)
_INQUEUE = int(AudienceStatus.INQUEUE)


def _table(weights: Sequence[tuple[str | None, int]]) -> tuple[str | None, ...]:
    """A lookup table drawn from by index: much faster than random.choices per row."""
    return tuple(value for value, weight in weights for _ in range(weight))


# Shares in percent. The successful statuses are exactly app.stats.SUCCESSFUL_CALL_STATUSES.
_ANSWERED = _table([("AGENT_ENDED", 32), ("USER_ENDED", 30), ("COMPLETED", 22), ("ANSWER", 16)])
_UNANSWERED = _table(
    [
        ("NO_ANSWER", 45),
        ("BUSY", 15),
        ("NOT_REACHABLE", 12),
        ("FAILED", 10),
        ("CANCELED", 10),
        ("REJECTED", 8),
    ]
)
_LIVE = _table([("IN_PROGRESS", 60), ("RINGING", 40)])
_DISPOSITIONS = _table(
    [
        ("Interested", 30),
        ("Not interested", 25),
        ("Call back later", 20),
        ("Voicemail", 8),
        ("Wrong number", 4),
        (None, 13),
    ]
)
_UNREACHABLE = frozenset({"REJECTED", "NOT_REACHABLE"})
_HALT_UNREACHABLE = 0.4  # share of rejected / unreachable calls that halt the contact
_HALT_ANSWERED = 0.03  # share of answered contacts who ask not to be called again

_FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "Diego", "Emma", "Farah", "Grace", "Hiro", "Isla", "Jamal",
    "Kofi", "Lena", "Mateo", "Nina", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
    "Uma", "Victor", "Wei", "Xena", "Yara", "Zoe", "Liam", "Noah", "Mia", "Aisha",
)  # fmt: skip
_CITIES = (
    "Atlanta", "Austin", "Boston", "Chicago", "Dallas", "Denver",
    "Miami", "Phoenix", "Portland", "Seattle", "Tampa", "Zürich",
)  # fmt: skip
_SEGMENTS = (None, "new", "returning", "vip")
# Every input_data object a row may get, serialised once.
_INPUT_DATA = tuple(
    json.dumps(
        {"first_name": name, "city": city} | ({"segment": segment} if segment else {}),
        ensure_ascii=False,
    )
    for name, city, segment in product(_FIRST_NAMES, _CITIES, _SEGMENTS)
)

_WORKSPACE_NAMES = (
    "Acme Health", "Globex Realty", "Initech Insurance", "Umbrella Clinics", "Stark Solar",
    "Wayne Energy", "Hooli Telecom", "Vandelay Imports", "Soylent Foods", "Cyberdyne Care",
)  # fmt: skip
_CAMPAIGN_NAMES = (
    "Appointment reminders", "Renewal follow-up", "Satisfaction survey", "Win-back offer",
    "Payment reminder", "Welcome call", "Event invitation", "Feedback check-in",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Plan:
    """What to generate: `audience` rows spread over `campaigns` over `workspaces`.

    Campaign k belongs to workspace ((k - 1) mod workspaces) + 1. Without big_campaigns the
    audience is spread evenly (the first campaigns get one more row when it does not divide);
    with them, campaigns 1, 2, … get those rows and the others share the rest evenly.
    """

    workspaces: int
    campaigns: int
    audience: int
    seed: int = 0
    big_campaigns: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for name in ("workspaces", "campaigns", "audience", "seed"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be ≥ 0, got {getattr(self, name)}")
        if any(rows < 0 for rows in self.big_campaigns):
            raise ValueError(f"big campaigns must have ≥ 0 rows, got {self.big_campaigns}")
        if self.workspaces < 1:
            raise ValueError("at least 1 workspace is needed")
        if self.campaigns >= ID32.stop:
            raise ValueError(f"at most {ID32.stop - 1} campaigns, got {self.campaigns}")
        if self.audience and not self.campaigns:
            raise ValueError("an audience needs at least 1 campaign")
        big, rows = len(self.big_campaigns), sum(self.big_campaigns)
        named = "the big campaign" if big == 1 else f"the {big} big campaigns"
        if big > self.campaigns:
            raise ValueError(f"{named} need at least {big} campaigns, got {self.campaigns}")
        if rows > self.audience:
            raise ValueError(
                f"{named} ({rows} rows) cannot be larger than the audience ({self.audience} rows)"
            )
        if big and big == self.campaigns and rows != self.audience:
            raise ValueError(
                f"with {self.campaigns} campaign{'s' if big > 1 else ''}, {named} hold the"
                f" whole audience ({self.audience} rows); add campaigns for the other"
                f" {self.audience - rows} rows"
            )
        largest = max(self.sizes(), default=0)
        if largest > MAX_CAMPAIGN_AUDIENCE:
            raise ValueError(
                f"a campaign would get {largest} rows; at most {MAX_CAMPAIGN_AUDIENCE} fit"
                " (distinct phone numbers); add campaigns"
            )

    def sizes(self) -> list[int]:
        """Audience rows of campaigns 1 … campaigns, in order."""
        rest = self.audience - sum(self.big_campaigns)
        return [*self.big_campaigns, *_even(rest, self.campaigns - len(self.big_campaigns))]


def _even(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts) if parts else (0, 0)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def workspace_token(seed: int, workspace_id: int) -> str:
    """The API token of a generated workspace: derivable, so benchmarks can use it."""
    return f"gen-s{seed}-w{workspace_id}"


def workspace_of(plan: Plan, campaign_id: int) -> int:
    return (campaign_id - 1) % plan.workspaces + 1


def generate(directory: Path, plan: Plan, progress: Progress | None = None) -> None:
    """Write workspaces.csv, api_tokens.csv, campaigns.csv and audience.csv into directory."""
    directory.mkdir(parents=True, exist_ok=True)
    # Synthetic data, not secrets: a seeded, reproducible generator is the point (S311).
    now = _YEAR_START + random.Random(plan.seed).randrange(365 * _DAY)  # noqa: S311
    clock = _Clock()

    def campaigns() -> Iterator[_Campaign]:
        # Drawn afresh for each file rather than kept: a draw depends on the seed and id only.
        for campaign_id in range(1, plan.campaigns + 1):
            yield _Campaign.draw(plan.seed, campaign_id, workspace_of(plan, campaign_id), now)

    _write(
        directory / "workspaces.csv",
        HEADERS["workspaces.csv"],
        [(w, _workspace_name(w)) for w in range(1, plan.workspaces + 1)],
    )
    _write(
        directory / "api_tokens.csv",
        HEADERS["api_tokens.csv"],
        [
            (workspace_token(plan.seed, w), w, f"Generated (seed {plan.seed})")
            for w in range(1, plan.workspaces + 1)
        ],
    )
    _write(
        directory / "campaigns.csv",
        HEADERS["campaigns.csv"],
        (
            (c.id, c.workspace_id, _campaign_name(c.id), c.max_attempts, clock(c.created_at))
            for c in campaigns()
        ),
    )
    bar = progress("audience.csv", plan.audience) if progress else None
    try:
        with (directory / "audience.csv").open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(HEADERS["audience.csv"])
            first_id = 1
            for campaign, size in zip(campaigns(), plan.sizes(), strict=True):
                for chunk in campaign.audience(first_id, size, now, clock):
                    writer.writerows(chunk)
                    if bar:
                        bar.update(len(chunk))
                first_id += size
    finally:
        if bar:
            bar.close()


def _write(path: Path, header: Sequence[str], rows: Iterable[tuple[object, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _workspace_name(workspace_id: int) -> str:
    round_, index = divmod(workspace_id - 1, len(_WORKSPACE_NAMES))
    return _WORKSPACE_NAMES[index] + (f" {round_ + 1}" if round_ else "")


def _campaign_name(campaign_id: int) -> str:
    return f"{_CAMPAIGN_NAMES[(campaign_id - 1) % len(_CAMPAIGN_NAMES)]} #{campaign_id}"


class _Clock:
    """Epoch seconds as ISO 8601 UTC text; the date part is formatted once per day."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, seconds: int) -> str:
        day, rest = divmod(seconds, _DAY)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{prefix}{hours:02d}:{minutes:02d}:{secs:02d}Z"


@dataclass(frozen=True, slots=True)
class _Campaign:
    """A campaign and how far along it is; every share is drawn per campaign."""

    id: int
    workspace_id: int
    rng: random.Random
    max_attempts: int
    created_at: int  # epoch seconds
    fresh: float  # share of contacts not called yet
    answered: float  # chance that an attempt is answered
    waiting: float  # after a failed attempt with retries left: waits in the queue
    live: float  # … or is being called right now

    @classmethod
    def draw(cls, seed: int, campaign_id: int, workspace_id: int, now: int) -> _Campaign:
        rng = random.Random(f"audience-stats/{seed}/{campaign_id}")  # noqa: S311
        return cls(
            id=campaign_id,
            workspace_id=workspace_id,
            rng=rng,
            max_attempts=rng.choice((2, 3, 3, 4)),
            created_at=now - rng.randrange(3 * _DAY, 45 * _DAY),
            fresh=rng.uniform(0.1, 0.3),
            answered=rng.uniform(0.45, 0.65),
            waiting=rng.uniform(0.35, 0.55),
            live=rng.uniform(0.02, 0.06),
        )

    def audience(
        self, first_id: int, count: int, now: int, clock: _Clock
    ) -> Iterator[list[tuple[object, ...]]]:
        """The campaign's rows, with ids from first_id, _CHUNK_ROWS at a time."""
        random_ = self.rng.random
        numbers = _Numbers(self.rng)
        span = now - self.created_at
        waiting, live = self.waiting, self.waiting + self.live
        chunk: list[tuple[object, ...]] = []
        for index in range(count):
            input_data = _INPUT_DATA[int(random_() * len(_INPUT_DATA))]
            if random_() < self.fresh:
                chunk.append(
                    (
                        first_id + index,
                        self.id,
                        numbers(index),
                        _FRESH,
                        None,
                        None,
                        None,
                        0,
                        0,
                        None,
                        None,
                        input_data,
                    )
                )
            else:
                # Attempts one by one until one is answered, the contact is halted, the
                # retries run out, or the contact stops in the queue between attempts.
                attempt = duration = 0
                first = disposition = None
                ringing = False
                while True:
                    attempt += 1
                    answered = random_() < self.answered
                    if answered:
                        last = _ANSWERED[int(random_() * len(_ANSWERED))]
                    else:
                        last = _UNANSWERED[int(random_() * len(_UNANSWERED))]
                    if attempt == 1:
                        first = last
                    if answered:
                        duration = _talk_time(random_)
                        disposition = _DISPOSITIONS[int(random_() * len(_DISPOSITIONS))]
                        status = _HALTED if random_() < _HALT_ANSWERED else _COMPLETED
                        break
                    if last in _UNREACHABLE and random_() < _HALT_UNREACHABLE:
                        status = _HALTED
                        break
                    if attempt == self.max_attempts:
                        status = _COMPLETED  # no retries left
                        break
                    stop = random_()
                    if stop < live:
                        status = _INQUEUE
                        ringing = stop >= waiting
                        break
                call = last
                at = now - int(random_() * span)
                if ringing:
                    # The next attempt is on the line now: counted, not finished, so first
                    # and last status stay those of the finished attempts.
                    attempt += 1
                    call = _LIVE[int(random_() * len(_LIVE))]
                    at = now - int(random_() * 300)
                chunk.append(
                    (
                        first_id + index,
                        self.id,
                        numbers(index),
                        status,
                        call,
                        first,
                        last,
                        attempt,
                        duration,
                        clock(at),
                        disposition,
                        input_data,
                    )
                )
            if len(chunk) == _CHUNK_ROWS:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _talk_time(random_: Callable[[], float]) -> int:
    """Talk time of an answered call, seconds: mostly one to five minutes, a few up to 18."""
    return 10 + int(900 * random_() ** 3 + 180 * random_())


class _Numbers:
    """Distinct E.164 numbers for one campaign: index i maps to (a * i + b) mod capacity,
    a bijection because gcd(a, capacity) = 1, so no set of used numbers is needed."""

    def __init__(self, rng: random.Random) -> None:
        self._step = rng.randrange(MAX_CAMPAIGN_AUDIENCE // 3, MAX_CAMPAIGN_AUDIENCE)
        while gcd(self._step, MAX_CAMPAIGN_AUDIENCE) != 1:
            self._step += 1
        self._offset = rng.randrange(MAX_CAMPAIGN_AUDIENCE)

    def __call__(self, index: int) -> str:
        area, line = divmod((self._step * index + self._offset) % MAX_CAMPAIGN_AUDIENCE, 10_000)
        return f"+1{_AREA_CODES[area]}555{line:04d}"
