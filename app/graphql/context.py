"""The per-request GraphQL context."""

from __future__ import annotations

from dataclasses import dataclass

from app.loaders import Loaders
from app.repository import Repository
from app.throttle import Budget


@dataclass(frozen=True, slots=True)
class Context:
    workspace_id: int
    repository: Repository
    loaders: Loaders
    budget: Budget
