"""The job document: both data spellings in, the version's spelling out, shape errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from emulator.http.errors import BadRequest
from emulator.http.versions import SUPPORTED, job_data_kind, job_data_type
from emulator.jobs.model import JobDefinition, check_id, parse_definition

HOWTO_BODY: dict[str, Any] = {
    "displayName": "Set target temperature",
    "description": "Set target temperature device property",
    "group": "833d7a7d-8f99-4e04-9e56-745806bdba6e",
    "batch": {"type": "percentage", "value": 25},
    "cancellationThreshold": {"type": "percentage", "value": 10, "batch": False},
    "data": [
        {
            "type": "PropertyJobData",
            "target": "dtmi:modelDefinition:zomtmdxh:eqod32zbyl",
            "path": "targetTemperature",
            "value": "55",
        }
    ],
}


@pytest.mark.parametrize(
    ("spec", "docs"),
    [
        ("property", "PropertyJobData"),
        ("cloudProperty", "CloudPropertyJobData"),
        ("command", "CommandJobData"),
        ("deviceTemplateMigration", "DeviceTemplateMigrationJobData"),
    ],
)
def test_both_spellings_in_and_the_versions_spelling_out(spec: str, docs: str) -> None:
    assert job_data_kind(spec) == job_data_kind(docs) == spec
    for name in ("preview", "1.1-preview", "1.2-preview"):
        assert job_data_type(SUPPORTED[name], spec) == docs
    for name in ("2022-07-31", "2022-10-31-preview", "2022-06-30-preview"):
        assert job_data_type(SUPPORTED[name], spec) == spec
    assert job_data_kind("propertyjobdata") is None and job_data_kind(3) is None


def test_howto_body_round_trips_in_both_versions() -> None:
    definition = parse_definition(HOWTO_BODY)
    assert definition.to_json(SUPPORTED["preview"]) == HOWTO_BODY
    ga = definition.to_json(SUPPORTED["2022-07-31"])
    assert ga["data"][0]["type"] == "property" and ga["data"][0]["value"] == "55"
    stored = JobDefinition.from_store(definition.to_store())
    assert stored == definition


def test_component_path_and_command_without_value() -> None:
    definition = parse_definition(
        {
            "group": "g",
            "data": [
                {"type": "command", "target": "t", "path": "thermostat1.getMaxMinReport"},
                {
                    "type": "property",
                    "target": "t",
                    "path": "thermostat1.targetTemperature",
                    "value": 1,
                },
            ],
        }
    )
    assert [d.path for d in definition.data] == [
        "thermostat1.getMaxMinReport",
        "thermostat1.targetTemperature",
    ]
    assert "value" not in definition.to_json(SUPPORTED["2022-07-31"])["data"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"group": None}, "'group' is required"),
        ({"group": 5}, "'group' is required"),
        ({"data": []}, "'data' is required"),
        ({"data": "x"}, "'data' is required"),
        ({"data": [{"type": "Nope", "target": "t", "path": "p"}]}, "not a job data type"),
        ({"data": [{"type": "property", "path": "p", "value": 1}]}, "'data[0].target' is required"),
        ({"data": [{"type": "property", "target": "t", "value": 1}]}, "'data[0].path' is required"),
        (
            {"data": [{"type": "property", "target": "t", "path": "p"}]},
            "'data[0].value' is required",
        ),
        ({"data": [{"type": "deviceTemplateMigration"}]}, "'data[0].template' is required"),
        ({"batch": {"type": "size", "value": 2}}, "'batch.type' must be"),
        ({"batch": {"type": "number", "value": "2"}}, "'batch.value' must be a number"),
        ({"batch": {"type": "number", "value": 0}}, "at least 1"),
        ({"batch": {"type": "number", "value": 2.5}}, "whole number"),
        ({"batch": {"type": "percentage", "value": 0}}, "above 0 and at most 100"),
        ({"batch": {"type": "percentage", "value": 101}}, "above 0 and at most 100"),
        ({"batch": {"type": "number", "value": True}}, "must be a number"),
        ({"cancellationThreshold": {"type": "number", "value": -1}}, "0 or more"),
        ({"cancellationThreshold": {"type": "percentage", "value": 120}}, "from 0 to 100"),
        ({"cancellationThreshold": {"type": "number", "value": 1, "batch": "no"}}, "true or false"),
        ({"organizations": ["a", "b"]}, "exactly one organization"),
        ({"displayName": 7}, "'displayName' must be a string"),
    ],
)
def test_shape_errors_name_the_field(change: dict[str, Any], message: str) -> None:
    body = {**HOWTO_BODY, **change}
    with pytest.raises(BadRequest, match=re.escape(message)):
        parse_definition(body)


def test_body_must_be_an_object() -> None:
    with pytest.raises(BadRequest, match="JSON object"):
        parse_definition([1, 2])


def test_scheduled_jobs_need_one_data_type() -> None:
    data = [
        {"type": "property", "target": "t", "path": "p", "value": 1},
        {"type": "CommandJobData", "target": "t", "path": "c"},
    ]
    assert len(parse_definition({"group": "g", "data": data}).data) == 2
    with pytest.raises(BadRequest, match="same type"):
        parse_definition({"group": "g", "data": data}, same_type=True)


@pytest.mark.parametrize("job_id", ["job-006", "rerun_001", "A" * 255])
def test_good_ids(job_id: str) -> None:
    assert check_id(job_id) == job_id


@pytest.mark.parametrize("job_id", ["", "job 1", "job.1", "A" * 256, "jöb"])
def test_bad_ids(job_id: str) -> None:
    with pytest.raises(BadRequest, match="letters, digits"):
        check_id(job_id)
