"""A dialer, simulated: plays a running campaign into the database, so live stats change.

It writes as a calling platform would, with plain SQL on the records (no repository of
ours): each call is two transactions, one that starts the attempt (the contact rings) and
one, shortly after, that ends it with its outcome. The rollup triggers keep the stats exact
under these writes as under any others (README, "The stats rollup").
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.filters import AudienceStatus
from app.stats import SUCCESSFUL_CALL_STATUSES
from app.tables import campaign, campaign_audience

logger = logging.getLogger("app.simulate")

# Final call statuses and their weights in percent: about half the calls are answered.
_OUTCOMES = {
    "AGENT_ENDED": 18,
    "USER_ENDED": 17,
    "COMPLETED": 12,
    "ANSWER": 8,
    "NO_ANSWER": 22,
    "BUSY": 8,
    "FAILED": 5,
    "REJECTED": 5,
    "NOT_REACHABLE": 5,
}
_DISPOSITIONS = ("Interested", "Call back later", "Not interested", "Wrong number")
_TALK_SECONDS = (20, 600)  # of an answered call: added to the duration, not waited for
RING_SECONDS = 1.0  # the longest a call lasts between its two transactions

_CALLABLE = (AudienceStatus.FRESH, AudienceStatus.INQUEUE)
# PostgreSQL rolls back the whole transaction on these; running it again is the remedy:
# deadlock_detected and serialization_failure.
_RETRIED_SQLSTATES = frozenset({"40P01", "40001"})
_TRIES = 5


class NothingToCall(Exception):
    """The campaign does not exist, or nobody in it is left to call."""


@dataclass(slots=True)
class Tally:
    started: int = 0
    ended: int = 0
    exhausted: bool = False  # it stopped because nobody was left to call


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a call goes, drawn when it starts."""

    call_status: str
    talk: int  # seconds; 0 unless answered
    disposition: str | None  # the agent's label of an answered call
    ring: float  # seconds until the call ends

    @property
    def answered(self) -> bool:
        return self.call_status in SUCCESSFUL_CALL_STATUSES


def draw(rng: random.Random, ring: float) -> Outcome:
    [status] = rng.choices(list(_OUTCOMES), weights=list(_OUTCOMES.values()))
    answered = status in SUCCESSFUL_CALL_STATUSES
    return Outcome(
        call_status=status,
        talk=rng.randint(*_TALK_SECONDS) if answered else 0,
        disposition=rng.choice(_DISPOSITIONS) if answered else None,
        ring=rng.uniform(0, ring),
    )


async def simulate(
    engine: AsyncEngine,
    campaign_id: int,
    *,
    rate: float = 5.0,
    seconds: float | None = None,
    seed: int | None = None,
    ring: float = RING_SECONDS,
    stop: asyncio.Event | None = None,
) -> Tally:
    """Start `rate` calls a second until `seconds` have passed, `stop` is set or nobody is left
    to call; calls still ringing then end at once. Prints a line a second. NothingToCall when
    the campaign does not exist or has nobody to call at the start.

    The seed fixes the sequence of outcomes; which contact gets which also depends on
    timing, unless each contact is called once (max_attempts 1).
    """
    max_attempts = await _max_attempts(engine, campaign_id)
    rng = random.Random(seed)  # noqa: S311 (made-up calls, repeatable by seed)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    timer = loop.call_later(seconds, stop.set) if seconds is not None else None
    tally = Tally()
    reporter = asyncio.create_task(_report(tally))
    ringing: dict[int, asyncio.Task[None]] = {}  # contact id -> its call
    next_start = loop.time()
    try:
        while not stop.is_set():
            _reap(ringing)
            started = await _start(engine, campaign_id, max_attempts, ringing.keys())
            if started is None:
                if ringing:  # they may be called again once they end
                    await asyncio.wait(ringing.values(), return_when=asyncio.FIRST_COMPLETED)
                    next_start = loop.time()
                    continue
                if tally.started == 0:
                    raise NothingToCall(f"campaign {campaign_id} has nobody left to call")
                tally.exhausted = True
                break
            contact, attempt = started
            tally.started += 1
            outcome = draw(rng, ring)
            ringing[contact] = asyncio.create_task(
                _end_call(engine, contact, attempt, max_attempts, outcome, stop, tally)
            )
            next_start += 1 / rate
            await _wait(stop, next_start - loop.time())
    finally:
        # Ends the calls still ringing now, and lets their transactions finish.
        stop.set()
        if timer:
            timer.cancel()
        await asyncio.gather(*ringing.values(), return_exceptions=True)
        reporter.cancel()
        await asyncio.gather(reporter, return_exceptions=True)
    _reap(ringing)
    return tally


async def _max_attempts(engine: AsyncEngine, campaign_id: int) -> int:
    async with engine.connect() as conn:
        found = await conn.scalar(
            sa.select(campaign.c.max_attempts).where(campaign.c.id == campaign_id)
        )
    if found is None:
        raise NothingToCall(f"campaign {campaign_id} does not exist")
    return int(found)


async def _start(
    engine: AsyncEngine, campaign_id: int, max_attempts: int, ringing: Collection[int]
) -> tuple[int, int] | None:
    """Start an attempt on the next contact to call: (its id, the attempt's number), or None
    when nobody is left. Fewest attempts first, as a dialer works through fresh contacts
    before it retries."""
    audience = campaign_audience
    while True:
        # The contacts already ringing may come first: read one more than there are.
        candidates = (
            sa.select(audience.c.id, audience.c.attempt)
            .where(
                audience.c.campaign_id == campaign_id,
                audience.c.status.in_(_CALLABLE),
                audience.c.attempt < max_attempts,
            )
            .order_by(audience.c.attempt, audience.c.id)
            .limit(len(ringing) + 1)
        )
        # Read outside the write transaction: on SQLite a transaction that reads before it
        # writes fails at once (SQLITE_BUSY) when another connection wrote in between.
        async with engine.connect() as conn:
            rows = (await conn.execute(candidates)).all()
        picked = next(((i, a) for i, a in rows if i not in ringing), None)
        if picked is None:
            return None
        contact, attempt = picked
        # Only if nobody else started or ended a call of this contact since it was read;
        # otherwise read again. So attempts never pass max_attempts, whoever else dials.
        start = (
            sa.update(audience)
            .where(
                audience.c.id == contact,
                audience.c.attempt == attempt,
                audience.c.status.in_(_CALLABLE),
            )
            .values(
                attempt=attempt + 1,
                last_attempt_at=datetime.now(UTC),
                call_status="RINGING",
                status=AudienceStatus.INQUEUE,
            )
        )
        if await _write(engine, start):
            return contact, attempt + 1


async def _end_call(
    engine: AsyncEngine,
    contact: int,
    attempt: int,
    max_attempts: int,
    outcome: Outcome,
    stop: asyncio.Event,
    tally: Tally,
) -> None:
    await _wait(stop, outcome.ring)
    audience = campaign_audience
    if outcome.answered:
        status = AudienceStatus.COMPLETED
    elif attempt >= max_attempts:
        status = AudienceStatus.HALTED
    else:
        status = AudienceStatus.INQUEUE
    values: dict[str, Any] = {
        "status": status,
        "call_status": outcome.call_status,
        "last_status": outcome.call_status,
        "duration": audience.c.duration + outcome.talk,
    }
    if attempt == 1:
        values["first_status"] = outcome.call_status
    if outcome.answered:
        values["last_disposition"] = outcome.disposition
    await _write(engine, sa.update(audience).where(audience.c.id == contact).values(values))
    tally.ended += 1


async def _write(engine: AsyncEngine, statement: sa.Update) -> int:
    """Run the statement in a transaction of its own; the rows it changed. A deadlock or
    serialization failure (PostgreSQL) is retried, as README's rollup section advises."""
    for tries in range(1, _TRIES + 1):
        try:
            async with engine.begin() as conn:
                return (await conn.execute(statement)).rowcount
        except sa.exc.DBAPIError as error:
            sqlstate = getattr(error.orig, "sqlstate", None)
            if sqlstate not in _RETRIED_SQLSTATES or tries == _TRIES:
                raise
            logger.info("Retrying a transaction after SQLSTATE %s", sqlstate)
            await asyncio.sleep(0.05 * tries)
    raise AssertionError("unreachable")


def _reap(ringing: dict[int, asyncio.Task[None]]) -> None:
    """Forget the calls that ended; a call that failed raises its error here."""
    for contact, call in list(ringing.items()):
        if call.done():
            del ringing[contact]
            call.result()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleep that long, or until stop is set."""
    if seconds > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


async def _report(tally: Tally) -> None:
    began = asyncio.get_running_loop().time()
    for second in itertools.count(1):
        await asyncio.sleep(began + second - asyncio.get_running_loop().time())
        print(f"{second} s: {tally.started} calls started, {tally.ended} ended", flush=True)
