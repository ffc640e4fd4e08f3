"""Live stats: this process's subscriptions, recomputed together when the database says
that their campaigns changed, at most once an interval.

All the subscribers of one (workspace, campaign, filter, dimensions, time zone) share one
topic and one computation; the topics of a tick are recomputed through one set of loaders
per workspace, so those that share filter and dimensions cost one statement in all. A
subscriber reads the topic's latest value when it is ready for one: a slow client skips
values rather than making the server keep them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from app.breakdowns import Dimension, Group
from app.changes import Changes
from app.errors import AppError, BadInput, NotFound
from app.filters import AudienceFilter
from app.loaders import Loaders
from app.repository import Repository

logger = logging.getLogger("app.live")


@dataclass(frozen=True, slots=True)
class Watched:
    """What a subscription watches: a breakdown (stats: by no dimension) of one campaign."""

    workspace_id: int
    campaign_id: int
    audience_filter: AudienceFilter
    by: tuple[Dimension, ...]
    zone: ZoneInfo


@dataclass(slots=True)
class _Topic:
    value: list[Group] | AppError | None = None
    version: int = 0
    subscribers: int = 0
    computed: int = 0  # the recomputation the value comes from
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Lock = field(default_factory=asyncio.Lock)

    def publish(self, value: list[Group] | AppError, computation: int) -> None:
        # A recomputation that began before the value's own is older: never publish it.
        if computation < self.computed:
            return
        self.computed = computation
        if value == self.value:  # never the same value twice in a row
            return
        self.value, self.version = value, self.version + 1
        self.changed.set()
        self.changed = asyncio.Event()


class Live:
    """The subscriptions of one process; `run` is its loop, for the server's lifetime."""

    def __init__(
        self,
        repository: Repository,
        changes: Changes,
        interval: float,
        heard: Callable[[set[int] | None], None] = lambda _: None,
    ) -> None:
        """`heard` is told each tick's changes (None: any campaign may have changed)."""
        self._repository = repository
        self._changes = changes
        self._heard = heard
        self._interval = interval
        self._topics: dict[Watched, _Topic] = {}
        self._computations = 0  # begun, numbered in the order they began
        self._failing = False
        self.recomputations = 0  # of topics, since start: for the tests and the bench

    @property
    def topics(self) -> int:
        return len(self._topics)

    async def watch(self, watched: Watched) -> AsyncIterator[list[Group]]:
        """The current value at once, then each new one; an AppError of the value (a
        breakdown over its bound, a campaign no longer the workspace's) ends the stream with
        that error."""
        topic = self._topics.setdefault(watched, _Topic())
        topic.subscribers += 1
        try:
            async with topic.ready:  # the first subscriber computes, the others wait for it
                if topic.value is None:
                    await self._recompute([watched])
            seen = 0
            while True:
                # Values published while the subscriber was busy: it gets only the latest.
                if topic.version == seen:
                    await topic.changed.wait()
                    continue
                seen = topic.version
                value = topic.value
                if isinstance(value, AppError):
                    raise value
                assert value is not None
                yield value
        finally:
            topic.subscribers -= 1
            if not topic.subscribers:
                del self._topics[watched]

    async def run(self) -> None:
        """Every interval, recompute the topics of the campaigns that changed."""
        try:
            await self._changes.start()
            while True:
                await asyncio.sleep(self._interval)
                await self.tick()
        finally:
            await self._changes.close()

    async def tick(self) -> None:
        try:
            changed = await self._changes.take()
        except Exception as error:
            logger.warning("Reading the change signal failed: %s", error)
            changed = None
        self._heard(changed)
        if self._failing:  # what failed last time is still to do
            changed = None
        watched = [w for w in self._topics if changed is None or w.campaign_id in changed]
        if not watched:
            return
        try:
            await self._recompute(watched)
        except Exception as error:
            if not self._failing:
                logger.warning("Recomputing live subscriptions failed, retrying: %s", error)
            self._failing = True
            return
        if self._failing:
            logger.warning("Recomputing live subscriptions again")
        self._failing = False

    async def _recompute(self, watched: Sequence[Watched]) -> None:
        """Recompute the topics, one set of loaders per workspace; each topic that computed
        is published even if others failed, whose first failure is raised after."""
        self._computations += 1
        computation = self._computations
        by_workspace: dict[int, list[Watched]] = defaultdict(list)
        for item in watched:
            by_workspace[item.workspace_id].append(item)
        failures = await asyncio.gather(
            *(self._recompute_workspace(w, i, computation) for w, i in by_workspace.items())
        )
        for failure in failures:
            if failure is not None:
                raise failure

    async def _recompute_workspace(
        self, workspace_id: int, watched: list[Watched], computation: int
    ) -> BaseException | None:
        loaders = Loaders(self._repository, workspace_id)
        values = await asyncio.gather(
            *(
                loaders.breakdown.load((w.campaign_id, w.audience_filter, w.by, w.zone))
                for w in watched
            ),
            return_exceptions=True,
        )
        failure = None
        for item, value in zip(watched, values, strict=True):
            # A failed statement leaves its topics as they were; a breakdown over its bound, or
            # of a campaign no longer the workspace's, is its value.
            if isinstance(value, BaseException) and not isinstance(value, BadInput | NotFound):
                failure = failure or value
            elif (topic := self._topics.get(item)) is not None:
                topic.publish(value, computation)
                self.recomputations += 1
        return failure
