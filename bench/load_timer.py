"""`audience-stats load DIR`, as the command runs it (app.cli.main), with the time of the
load's statements summed by kind: the ANALYZE and VACUUM it ends with, the rollup
compaction, the upserts (where PostgreSQL's statement triggers run) and the rest. The
listener costs a clock reading per statement; a load sends a few hundred.

    DATABASE_URL=… python -m bench.load_timer DIR OUT.json
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from app.cli import main as cli

SECONDS: dict[str, float] = defaultdict(float)
COUNTS: dict[str, int] = defaultdict(int)


def kind(sql: str) -> str:
    text = sql.lstrip().upper()
    if text.startswith("ANALYZE") or text.startswith("PRAGMA ANALYSIS_LIMIT"):
        return "analyze"
    if text.startswith("VACUUM"):
        return "vacuum"
    if "CAMPAIGN_AUDIENCE_DELTA" in text or text.startswith("DELETE FROM CAMPAIGN_AUDIENCE_ROLLUP"):
        return "compact"
    if text.startswith("INSERT INTO CAMPAIGN_AUDIENCE "):
        return "audience upserts"
    return "other"


@event.listens_for(Engine, "before_cursor_execute")
def _before(conn: Any, _cursor: Any, _sql: str, *_: Any) -> None:
    conn.info.setdefault("bench_started", []).append(time.perf_counter())


@event.listens_for(Engine, "after_cursor_execute")
def _after(conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
    elapsed = time.perf_counter() - conn.info["bench_started"].pop()
    SECONDS[kind(sql)] += elapsed
    COUNTS[kind(sql)] += 1


def main() -> int:
    directory, out = sys.argv[1], Path(sys.argv[2])
    started = time.perf_counter()
    code = cli(["load", "--quiet", directory])
    out.write_text(
        json.dumps(
            {
                "returncode": code,
                "in_process_s": time.perf_counter() - started,
                "statement_s": dict(SECONDS),
                "statements": dict(COUNTS),
            },
            indent=1,
        )
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
