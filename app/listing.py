"""The audience list as the public REST API shows it: display columns, their labels, and the
human formats of attempts, talk time, times and statuses (GET /api/v1/global/audience-list).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.filters import AudienceStatus
from app.repository import AudienceRecord, Campaign

# The columns of the display format, in order, with their labels.
HEADERS = (
    ("mobile_no", "Mobile Number"),
    ("status", "Lead Status"),
    ("total_attempt", "Total Attempts"),
    ("duration", "Duration"),
    ("last_attempt", "Last Attempt"),
    ("last_call_status", "Last Call Status"),
    ("last_disposition", "Last Disposition"),
    ("updated_by", "Updated By"),
)
# The columns of the simplified format (is_new=true): the GraphQL Audience fields' values.
RAW_HEADERS = (
    ("mobile_no", "Mobile Number"),
    ("status", "Lead Status"),
    ("call_status", "Call Status"),
    ("first_status", "First Status"),
    ("last_status", "Last Status"),
    ("attempt", "Attempts"),
    ("duration", "Duration (s)"),
    ("last_attempt_at", "Last Attempt (UTC)"),
    ("last_disposition", "Last Disposition"),
)

STATUS_LABELS = {status: status.name.capitalize() for status in AudienceStatus}


def talk_time(seconds: int) -> str:
    """Seconds as "45s", "2m 30s" or "1h 2m 5s": every unit below the largest is shown."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m {secs}s"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def moment(at: datetime | None) -> str | None:
    """A UTC moment as "2025-12-10 14:30:00"."""
    return None if at is None else at.strftime("%Y-%m-%d %H:%M:%S")


def displayed(record: AudienceRecord, campaign: Campaign) -> dict[str, Any]:
    """One record in the display format."""
    return {
        "id": record.id,
        "mobile_no": record.mobile_no,
        "input_data": record.input_data,
        "total_attempt": f"{record.attempt}/{campaign.max_attempts}",
        "duration": talk_time(record.duration),
        "last_attempt": moment(record.last_attempt_at),
        "last_disposition": record.last_disposition,
        "last_call_status": record.call_status,
        "status": STATUS_LABELS[record.status],
        "updated_by": None,  # nothing in the data says who changed a record
    }


def raw(record: AudienceRecord) -> dict[str, Any]:
    """One record in the simplified format: typed values, as GraphQL's Audience has them."""
    return {
        "id": record.id,
        "mobile_no": record.mobile_no,
        "status": record.status.name,
        "call_status": record.call_status,
        "first_status": record.first_status,
        "last_status": record.last_status,
        "attempt": record.attempt,
        "duration": record.duration,
        "last_attempt_at": None
        if record.last_attempt_at is None
        else record.last_attempt_at.isoformat(),
        "last_disposition": record.last_disposition,
        "input_data": record.input_data,
    }


def headers(simplified: bool) -> list[dict[str, str]]:
    return [{"key": key, "label": label} for key, label in (RAW_HEADERS if simplified else HEADERS)]
