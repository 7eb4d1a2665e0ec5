"""Schedules: occurrence times, month ends, ends by date or count, and parsing errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from emulator.http.errors import BadRequest
from emulator.scheduled_jobs.recurrence import (
    Schedule,
    add_months,
    first_occurrence,
    parse_schedule,
)

START = datetime(2024, 1, 31, 8, 0, tzinfo=UTC)


def test_one_time_schedule_runs_once() -> None:
    once = Schedule(START)
    assert once.occurrence(0) == START and once.occurrence(1) is None


@pytest.mark.parametrize(
    ("recurrence", "index", "expected"),
    [
        ("daily", 2, datetime(2024, 2, 2, 8, 0, tzinfo=UTC)),
        ("weekly", 1, datetime(2024, 2, 7, 8, 0, tzinfo=UTC)),
        ("monthly", 1, datetime(2024, 2, 29, 8, 0, tzinfo=UTC)),  # leap-year month end
        ("monthly", 2, datetime(2024, 3, 31, 8, 0, tzinfo=UTC)),  # back to the 31st
        ("monthly", 13, datetime(2025, 2, 28, 8, 0, tzinfo=UTC)),
    ],
)
def test_recurring_occurrences(recurrence: str, index: int, expected: datetime) -> None:
    assert Schedule(START, recurrence).occurrence(index) == expected


def test_add_months_across_years() -> None:
    assert add_months(datetime(2023, 11, 15, tzinfo=UTC), 3) == datetime(2024, 2, 15, tzinfo=UTC)


def test_ends_by_count_and_by_date() -> None:
    by_count = Schedule(START, "daily", end_occurrences=3)
    assert by_count.occurrence(2) is not None and by_count.occurrence(3) is None
    by_date = Schedule(START, "daily", end_date=date(2024, 2, 2))
    assert by_date.occurrence(2) is not None and by_date.occurrence(3) is None


@pytest.mark.parametrize("recurrence", ["daily", "weekly", "monthly"])
def test_first_index_from_finds_the_next_occurrence(recurrence: str) -> None:
    schedule = Schedule(START, recurrence)
    for index in range(0, 30):
        when = schedule.occurrence(index)
        assert when is not None
        assert schedule.first_index_from(when) == index
        assert schedule.first_index_from(when.replace(second=1)) == index + 1


def test_first_occurrence_skips_the_past_and_ends() -> None:
    schedule = Schedule(START, "daily", end_occurrences=3)
    assert first_occurrence(schedule, START.timestamp() - 5) == (0, START.timestamp())
    assert first_occurrence(schedule, START.timestamp() + 1)[0] == 1
    assert first_occurrence(schedule, START.timestamp() + 3 * 86400) == (None, None)
    assert first_occurrence(Schedule(START), START.timestamp() + 1) == (None, None)


def test_parse_and_render() -> None:
    body = {
        "recurrence": "weekly",
        "start": "2024-01-31T09:00:00+01:00",
        "end": {"type": "occurrences", "occurrences": 5},
    }
    schedule = parse_schedule(body)
    assert schedule.start == START
    assert schedule.to_json() == {
        "recurrence": "weekly",
        "start": "2024-01-31T08:00:00.000Z",
        "end": {"type": "occurrences", "occurrences": 5},
    }
    dated = parse_schedule(
        {"start": "2024-01-31T08:00:00", "end": {"type": "date", "date": "2024-03-01"}}
    )
    assert dated.start == START and dated.to_json()["end"] == {"type": "date", "date": "2024-03-01"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (None, "'schedule' is required"),
        ({}, "'schedule.start'"),
        ({"start": "tomorrow"}, "not an ISO-8601 date-time"),
        ({"start": "2024-01-01T00:00:00Z", "recurrence": "yearly"}, "daily, weekly, monthly"),
        ({"start": "2024-01-01T00:00:00Z", "end": {"type": "never"}}, "'schedule.end' must be"),
        ({"start": "2024-01-01T00:00:00Z", "end": {"type": "date", "date": "soon"}}, "YYYY-MM-DD"),
        (
            {"start": "2024-01-01T00:00:00Z", "end": {"type": "occurrences", "occurrences": 0}},
            "1 to 999",
        ),
        (
            {"start": "2024-01-01T00:00:00Z", "end": {"type": "occurrences", "occurrences": 1000}},
            "1 to 999",
        ),
    ],
)
def test_schedule_errors(body: object, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_schedule(body)
