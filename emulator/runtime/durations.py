"""ISO-8601 durations (`PT30S`, `P1DT2H`, `P1W`) as seconds."""

from __future__ import annotations

import re

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


def parse_duration(text: str) -> float:
    """Seconds in an ISO-8601 duration; ValueError names the expected form."""
    match = _DURATION.match(text.strip().upper())
    if not match:
        raise ValueError(
            f"'{text}' is not an ISO-8601 duration; use a form such as PT30S, PT10M, P1D or P1DT12H"
        )
    return sum(float(v) * _UNIT_SECONDS[k] for k, v in match.groupdict().items() if v)
