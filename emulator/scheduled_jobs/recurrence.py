"""A scheduled job's schedule: parsing it, and when its k-th occurrence falls."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any

from msgspec import Struct

from emulator.http.errors import BadRequest
from emulator.runtime.clock import iso

RECURRENCES = ("daily", "weekly", "monthly")


class Schedule(Struct, frozen=True):
    """Occurrence k falls at start + k periods; the end (a date or a count) closes the series."""

    start: datetime
    recurrence: str | None = None
    end_date: date | None = None
    end_occurrences: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.recurrence is not None:
            out["recurrence"] = self.recurrence
        out["start"] = iso(self.start)
        if self.end_date is not None:
            out["end"] = {"type": "date", "date": self.end_date.isoformat()}
        elif self.end_occurrences is not None:
            out["end"] = {"type": "occurrences", "occurrences": self.end_occurrences}
        return out

    def occurrence(self, index: int) -> datetime | None:
        """When occurrence `index` runs, or None when the schedule has ended before it."""
        if index > 0 and self.recurrence is None:
            return None
        if self.end_occurrences is not None and index >= self.end_occurrences:
            return None
        when = self._shift(index)
        if self.end_date is not None and when.date() > self.end_date:
            return None
        return when

    def first_index_from(self, moment: datetime) -> int:
        """The index of the first occurrence at or after `moment` (ended or not)."""
        if moment <= self.start:
            return 0
        if self.recurrence is None:
            return 1
        if self.recurrence == "monthly":
            months = (moment.year - self.start.year) * 12 + moment.month - self.start.month
            index = max(months - 1, 0)
        else:
            period = timedelta(days=1 if self.recurrence == "daily" else 7)
            index = int((moment - self.start) / period)
        while self._shift(index) < moment:
            index += 1
        return index

    def _shift(self, index: int) -> datetime:
        if self.recurrence == "daily":
            return self.start + timedelta(days=index)
        if self.recurrence == "weekly":
            return self.start + timedelta(weeks=index)
        if self.recurrence == "monthly":
            return add_months(self.start, index)
        return self.start


def first_occurrence(schedule: Schedule, now: float) -> tuple[int | None, float | None]:
    """The first occurrence at or after `now` (missed ones are skipped), or (None, None)."""
    moment = datetime.fromtimestamp(now, UTC)
    index = schedule.first_index_from(moment)
    when = schedule.occurrence(index)
    return (None, None) if when is None else (index, when.timestamp())


def add_months(moment: datetime, months: int) -> datetime:
    """Same day of month `months` later; the 31st becomes the month's last day when shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def parse_datetime(text: Any, field: str) -> datetime:
    """An ISO-8601 date-time; without an offset it is taken as UTC."""
    if not isinstance(text, str):
        raise BadRequest(f"'{field}' must be an ISO-8601 date-time such as 2024-05-01T08:00:00Z.")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadRequest(
            f"'{field}' value '{text}' is not an ISO-8601 date-time; use a form such as"
            " 2024-05-01T08:00:00Z."
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _parse_end(obj: Any) -> tuple[date | None, int | None]:
    if obj is None:
        return None, None
    if not isinstance(obj, dict) or obj.get("type") not in ("date", "occurrences"):
        raise BadRequest(
            '\'schedule.end\' must be {"type": "date", "date": "YYYY-MM-DD"} or'
            ' {"type": "occurrences", "occurrences": N}.'
        )
    if obj["type"] == "date":
        try:
            return date.fromisoformat(str(obj.get("date"))), None
        except ValueError:
            raise BadRequest(
                f"'schedule.end.date' {obj.get('date')!r} is not a date; use YYYY-MM-DD."
            ) from None
    count = obj.get("occurrences")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 999:
        raise BadRequest(
            f"'schedule.end.occurrences' must be a whole number from 1 to 999, not {count!r}."
        )
    return None, count


def parse_schedule(obj: Any) -> Schedule:
    """The `schedule` of a ScheduledJob body; BadRequest names what is wrong."""
    if not isinstance(obj, dict):
        raise BadRequest(
            "'schedule' is required: an object with 'start' (date-time) and optionally"
            " 'recurrence' (daily, weekly or monthly) and 'end'."
        )
    recurrence = obj.get("recurrence")
    if recurrence is not None and recurrence not in RECURRENCES:
        raise BadRequest(
            f"'schedule.recurrence' must be one of {', '.join(RECURRENCES)} (or left out to run"
            f" once), not {recurrence!r}."
        )
    end_date, end_occurrences = _parse_end(obj.get("end"))
    return Schedule(
        start=parse_datetime(obj.get("start"), "schedule.start"),
        recurrence=recurrence,
        end_date=end_date,
        end_occurrences=end_occurrences,
    )
