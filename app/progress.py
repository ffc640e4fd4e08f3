"""Progress displays of the long commands (load, generate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class ProgressBar(Protocol):
    """What a progress display needs (a tqdm bar is one)."""

    def update(self, n: int, /) -> object: ...

    def close(self) -> None: ...


# Makes the bar of one file from its name and its number of lines (or rows) to come.
Progress = Callable[[str, int], ProgressBar]
