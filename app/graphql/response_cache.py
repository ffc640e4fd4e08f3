"""Exact answers of repeated queries: dashboards poll the same few documents with the same
variables, and their answers change only when the database says so.

An answer's `data` is kept under (workspace, document, operation, variables) with the
workspace's campaigns it read (app.loaders.Loaders.read), and is served again until the change
signal (app.changes, read by app.live each tick) names one of those campaigns, or any. The
count of changes heard when its execution began is kept with it, so a change heard while it
ran makes it stale at once. Only `data` is kept: the cost report and its throttle status
are each request's own (app.graphql.view).
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Key = tuple[int, str, str | None, str]


def key(
    workspace_id: int, query: str, operation_name: str | None, variables: Mapping[str, Any] | None
) -> Key:
    return (workspace_id, query, operation_name, json.dumps(variables, sort_keys=True))


@dataclass(frozen=True, slots=True)
class Answer:
    data: dict[str, Any]
    requested_cost: int
    actual_cost: int
    campaigns: frozenset[int] | None  # those read; None: any campaign (a list of them)
    heard: int  # changes heard before its execution began


# An answer larger than this is not kept: the cache's memory stays within `most` of these.
MOST_BYTES = 64 * 1024


class ResponseCache:
    """The answers of one process, the `most` used last. It serves them only while the
    change signal is read at least every `fresh_for` seconds: if the signal's reader falls
    behind or stops (a slow tick, a failure, before the first reading), no answer is older
    than that bound plus the signal's own delay."""

    def __init__(self, most: int, fresh_for: float) -> None:
        self._most = most
        self._fresh_for = fresh_for
        self._answers: OrderedDict[Key, Answer] = OrderedDict()
        self.heard = 0  # changes heard, counted
        self._read_at = -math.inf  # when the signal was last read (time.monotonic)
        self._changed_at: dict[int, int] = {}  # by campaign: the count at its last change
        self._any_changed_at = 0

    def changed(self, campaign_ids: set[int] | None) -> None:
        """The change signal, read: these campaigns changed (empty: none; None: any may have)."""
        self._read_at = time.monotonic()
        if campaign_ids is not None and not campaign_ids:
            return
        self.heard += 1
        if campaign_ids is None:
            self._any_changed_at = self.heard
            self._answers.clear()
            self._changed_at.clear()
            return
        for campaign_id in campaign_ids:
            self._changed_at[campaign_id] = self.heard

    def get(self, found_by: Key) -> Answer | None:
        if time.monotonic() - self._read_at > self._fresh_for:
            return None  # the signal may have news this process has not read
        answer = self._answers.get(found_by)
        if answer is None:
            return None
        if not self._fresh(answer):
            del self._answers[found_by]
            return None
        self._answers.move_to_end(found_by)
        return answer

    def put(self, found_by: Key, answer: Answer, size: int) -> None:
        """Keeps the answer of `size` bytes (as JSON) unless a change came while it was
        computed, or it is larger than MOST_BYTES."""
        if size > MOST_BYTES or not self._fresh(answer):
            return
        self._answers[found_by] = answer
        self._answers.move_to_end(found_by)
        if len(self._answers) > self._most:
            self._answers.popitem(last=False)

    def _fresh(self, answer: Answer) -> bool:
        if answer.heard < self._any_changed_at:
            return False
        if answer.campaigns is None:
            return answer.heard == self.heard
        return all(self._changed_at.get(c, 0) <= answer.heard for c in answer.campaigns)
