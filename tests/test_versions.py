"""The api-version gate: one list, per-operation availability, messages that list the choices."""

import pytest

from emulator.http.errors import NotFound
from emulator.http.versions import SUPPORTED, resolve

ALL = [
    "1.0",
    "1.1-preview",
    "1.2-preview",
    "2022-05-31",
    "2022-06-30-preview",
    "2022-07-31",
    "2022-10-31-preview",
    "2023-07-01-preview",
    "preview",
]


def test_exactly_the_documented_versions_are_supported() -> None:
    assert sorted(SUPPORTED) == sorted(ALL)


@pytest.mark.parametrize("version", ALL)
def test_every_supported_version_offers_devices(version: str) -> None:
    assert resolve(version, "Devices_List").name == version


@pytest.mark.parametrize("value", [None, "", "undefined", "2022-07-30", "PREVIEW"])
def test_missing_or_unknown_version_is_not_found_and_lists_supported(value: str | None) -> None:
    with pytest.raises(NotFound) as err:
        resolve(value, "Devices_List")
    assert "2022-07-31" in err.value.message and "2022-10-31-preview" in err.value.message


def test_operation_missing_from_version_names_where_it_exists() -> None:
    with pytest.raises(NotFound) as err:
        resolve("2022-07-31", "Query_Run")
    assert "Query_Run" in err.value.message and "2022-10-31-preview" in err.value.message
    assert resolve("2022-10-31-preview", "Query_Run").preview


def test_jobs_arrive_with_2022_07_31() -> None:
    with pytest.raises(NotFound):
        resolve("2022-05-31", "Jobs_List")
    assert resolve("2022-07-31", "Jobs_List")
    assert resolve("preview", "Jobs_Create").job_data_spelling == "docs"
    assert resolve("2022-07-31", "Jobs_Create").job_data_spelling == "spec"
