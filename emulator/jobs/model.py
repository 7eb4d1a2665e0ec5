"""The job document: parsing a request body into a definition, and the JSON IoT Central returns.

Shape checks only; whether the group, templates and capabilities exist is the service's job.
"""

from __future__ import annotations

import math
import re
from typing import Any

from msgspec import Struct

from emulator.http.errors import BadRequest
from emulator.http.versions import JOB_DATA_SPELLINGS, ApiVersion, job_data_kind, job_data_type
from emulator.jobs.rules import Batch, Threshold

ID_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,255}$")
CAPABILITY_KINDS = ("property", "cloudProperty", "command")
_SPELLINGS_TEXT = ", ".join(f"{k} ({v})" for k, v in JOB_DATA_SPELLINGS.items())


class JobData(Struct, frozen=True):
    """One entry of `data`, with `kind` in the spec's spelling."""

    kind: str
    target: str | None = None  # capability kinds: the device template id
    path: str | None = None  # capability kinds: `name` or `component.name`
    value: Any = None  # as the client sent it (echoed back unchanged)
    has_value: bool = False
    template: str | None = None  # deviceTemplateMigration: the template to move devices to

    def to_json(self, version: ApiVersion) -> dict[str, Any]:
        out: dict[str, Any] = {"type": job_data_type(version, self.kind)}
        if self.kind == "deviceTemplateMigration":
            out["template"] = self.template
            return out
        out["target"] = self.target
        out["path"] = self.path
        if self.has_value:
            out["value"] = self.value
        return out

    def to_store(self) -> dict[str, Any]:
        out = {"type": self.kind, "target": self.target, "path": self.path}
        out.update({"template": self.template} if self.template else {})
        return out | ({"value": self.value} if self.has_value else {})


class JobDefinition(Struct, frozen=True):
    """What a client asks a job to do; shared by jobs and scheduled jobs."""

    group: str
    data: tuple[JobData, ...]
    display_name: str | None = None
    description: str | None = None
    batch: Batch | None = None
    threshold: Threshold | None = None
    organizations: tuple[str, ...] | None = None

    def to_json(self, version: ApiVersion) -> dict[str, Any]:
        """The definition's fields in IoT Central's order, spelled for `version`."""
        out: dict[str, Any] = {}
        if self.display_name is not None:
            out["displayName"] = self.display_name
        if self.description is not None:
            out["description"] = self.description
        out["group"] = self.group
        if self.batch is not None:
            out["batch"] = {"type": self.batch.type, "value": _number(self.batch.value)}
        if self.threshold is not None:
            out["cancellationThreshold"] = {
                "type": self.threshold.type,
                "value": _number(self.threshold.value),
                "batch": self.threshold.per_batch,
            }
        out["data"] = [d.to_json(version) for d in self.data]
        if self.organizations is not None:
            out["organizations"] = list(self.organizations)
        return out

    def to_store(self) -> dict[str, Any]:
        """A version-free document to persist; `from_store` reads it back."""
        return {
            "displayName": self.display_name,
            "description": self.description,
            "group": self.group,
            "batch": None if self.batch is None else [self.batch.type, self.batch.value],
            "threshold": None
            if self.threshold is None
            else [self.threshold.type, self.threshold.value, self.threshold.per_batch],
            "data": [d.to_store() for d in self.data],
            "organizations": None if self.organizations is None else list(self.organizations),
        }

    @classmethod
    def from_store(cls, doc: dict[str, Any]) -> JobDefinition:
        batch, threshold = doc["batch"], doc["threshold"]
        return cls(
            group=doc["group"],
            data=tuple(
                JobData(
                    kind=d["type"],
                    target=d.get("target"),
                    path=d.get("path"),
                    value=d.get("value"),
                    has_value="value" in d,
                    template=d.get("template"),
                )
                for d in doc["data"]
            ),
            display_name=doc["displayName"],
            description=doc["description"],
            batch=None if batch is None else Batch(*batch),
            threshold=None if threshold is None else Threshold(*threshold),
            organizations=None if doc["organizations"] is None else tuple(doc["organizations"]),
        )


def _number(value: float) -> int | float:
    """25.0 -> 25, as the client most likely wrote it."""
    return int(value) if float(value).is_integer() else value


def check_id(value: str, what: str = "job") -> str:
    """The id rule of jobIds and scheduledJobIds: letters, digits, '-' and '_', at most 255."""
    if not ID_PATTERN.match(value):
        raise BadRequest(
            f"The {what} id '{value}' is not valid: use 1 to 255 letters, digits, '-' or '_'."
        )
    return value


def _optional_text(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"'{field}' must be a string; send it as text or leave it out.")
    return value


def _required_text(item: dict[str, Any], field: str, where: str) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"'{where}.{field}' is required and must be a non-empty string.")
    return value


def _real_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _kind_and_value(obj: Any, field: str) -> tuple[str, float]:
    if not isinstance(obj, dict):
        raise BadRequest(
            f'\'{field}\' must be an object such as {{"type": "percentage", "value": 25}}.'
        )
    kind, value = obj.get("type"), obj.get("value")
    if kind not in ("number", "percentage"):
        raise BadRequest(f"'{field}.type' must be 'number' or 'percentage', not {kind!r}.")
    if not _real_number(value):
        raise BadRequest(f"'{field}.value' must be a number, not {value!r}.")
    return kind, float(value)


def parse_batch(obj: Any) -> Batch | None:
    """`batch`: a whole number of devices (at least 1) or a percentage in (0, 100]."""
    if obj is None:
        return None
    kind, value = _kind_and_value(obj, "batch")
    if kind == "number" and (value < 1 or not value.is_integer()):
        raise BadRequest(
            f"'batch.value' must be a whole number of devices of at least 1, not {value:g}."
        )
    if kind == "percentage" and not 0 < value <= 100:
        raise BadRequest(
            f"'batch.value' must be a percentage above 0 and at most 100, not {value:g}."
        )
    return Batch(kind, value)


def parse_threshold(obj: Any) -> Threshold | None:
    """`cancellationThreshold`: a whole number of failures (0 or more) or a percentage 0-100."""
    if obj is None:
        return None
    kind, value = _kind_and_value(obj, "cancellationThreshold")
    if kind == "number" and (value < 0 or not value.is_integer()):
        raise BadRequest(
            "'cancellationThreshold.value' must be a whole number of devices, 0 or more,"
            f" not {value:g}."
        )
    if kind == "percentage" and not 0 <= value <= 100:
        raise BadRequest(
            f"'cancellationThreshold.value' must be a percentage from 0 to 100, not {value:g}."
        )
    per_batch = obj.get("batch", False)
    if not isinstance(per_batch, bool):
        raise BadRequest("'cancellationThreshold.batch' must be true or false.")
    return Threshold(kind, value, per_batch)


def parse_data_item(item: Any, index: int) -> JobData:
    where = f"data[{index}]"
    if not isinstance(item, dict):
        raise BadRequest(f"'{where}' must be an object with 'type', 'target', 'path' and 'value'.")
    kind = job_data_kind(item.get("type"))
    if kind is None:
        raise BadRequest(
            f"'{where}.type' {item.get('type')!r} is not a job data type."
            f" Use one of: {_SPELLINGS_TEXT}."
        )
    if kind == "deviceTemplateMigration":
        return JobData(kind=kind, template=_required_text(item, "template", where))
    if "value" in item and item["value"] is None and kind != "command":
        raise BadRequest(f"'{where}.value' must not be null; send the value to set.")
    if kind != "command" and "value" not in item:
        raise BadRequest(f"'{where}.value' is required: the value to set on each device.")
    return JobData(
        kind=kind,
        target=_required_text(item, "target", where),
        path=_required_text(item, "path", where),
        value=item.get("value"),
        has_value="value" in item,
    )


def parse_definition(body: Any, *, same_type: bool = False) -> JobDefinition:
    """A JobDefinition from a Job or ScheduledJob body; BadRequest names the first problem."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object describing the job.")
    group = body.get("group")
    if not isinstance(group, str) or not group:
        raise BadRequest("'group' is required: the id of the device group the job runs on.")
    data = body.get("data")
    if not isinstance(data, list) or not data:
        raise BadRequest(
            "'data' is required and must list at least one operation, for example"
            ' [{"type": "property", "target": "<template id>", "path": "<property>", "value": 1}].'
        )
    items = tuple(parse_data_item(item, i) for i, item in enumerate(data))
    if same_type and len({d.kind for d in items}) > 1:
        raise BadRequest("All entries of 'data' must be of the same type; split them into jobs.")
    organizations = body.get("organizations")
    if organizations is not None and (
        not isinstance(organizations, list)
        or len(organizations) != 1
        or not all(isinstance(o, str) and o for o in organizations)
    ):
        raise BadRequest("'organizations' must list exactly one organization id.")
    return JobDefinition(
        group=group,
        data=items,
        display_name=_optional_text(body, "displayName"),
        description=_optional_text(body, "description"),
        batch=parse_batch(body.get("batch")),
        threshold=parse_threshold(body.get("cancellationThreshold")),
        organizations=None if organizations is None else tuple(organizations),
    )
