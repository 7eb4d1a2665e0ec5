"""Every supported api-version and everything that differs between them, in one place."""

from __future__ import annotations

from msgspec import Struct

from emulator.http.errors import NotFound
from emulator.http.operations import GA_2022_07_31, PREVIEW_ONLY_2022_10_31

_JOBS = frozenset(op for op in GA_2022_07_31 if op.startswith(("Jobs_", "ScheduledJobs_")))
_PREVIEW_ALL = GA_2022_07_31 | PREVIEW_ONLY_2022_10_31
_PREVIEW_NO_QUERY = _PREVIEW_ALL - {"Query_Run"}


class ApiVersion(Struct, frozen=True):
    """What one api-version offers and how it spells things."""

    name: str
    operations: frozenset[str]
    preview: bool
    # Job data `type` spelling: "spec" (`property`) or "docs" (`PropertyJobData`).
    job_data_spelling: str
    # List query parameters: "none" (GA), "odata" ($top/$filter/$orderby) or "plain"
    # (filter/maxpagesize/orderby, as 2022-10-31-preview declares them).
    list_parameters: str

    def offers(self, operation_id: str) -> bool:
        return operation_id in self.operations

    @property
    def page_size_parameter(self) -> str | None:
        """The query parameter that sets a list's page size; GA versions have none."""
        return {"odata": "$top", "plain": "maxpagesize"}.get(self.list_parameters)

    @property
    def filter_parameter(self) -> str | None:
        """The query parameter carrying an OData-like filter on lists that declare one."""
        return {"odata": "$filter", "plain": "filter"}.get(self.list_parameters)

    @property
    def orderby_parameter(self) -> str | None:
        """The query parameter choosing a list's sort order on lists that declare one."""
        return {"odata": "$orderby", "plain": "orderby"}.get(self.list_parameters)


# Page sizes: IoT Central documents a default of 25 and a maximum of 100 (maxpagesize / $top).
# GA versions take no page-size parameter; their pages use the same default.
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


SUPPORTED: dict[str, ApiVersion] = {
    v.name: v
    for v in (
        ApiVersion("1.0", GA_2022_07_31 - _JOBS, False, "docs", "none"),
        ApiVersion("1.1-preview", _PREVIEW_NO_QUERY, True, "docs", "odata"),
        ApiVersion("1.2-preview", _PREVIEW_NO_QUERY, True, "docs", "odata"),
        ApiVersion("2022-05-31", GA_2022_07_31 - _JOBS, False, "spec", "none"),
        ApiVersion("2022-06-30-preview", _PREVIEW_ALL, True, "spec", "odata"),
        ApiVersion("2022-07-31", GA_2022_07_31, False, "spec", "none"),
        ApiVersion("2022-10-31-preview", _PREVIEW_ALL, True, "spec", "plain"),
        ApiVersion("2023-07-01-preview", _PREVIEW_ALL, True, "spec", "plain"),
        ApiVersion("preview", _PREVIEW_NO_QUERY, True, "docs", "odata"),
    )
}

_SUPPORTED_TEXT = ", ".join(SUPPORTED)

# Job data `type`: the spec's discriminator -> the spelling IoT Central's how-to uses.
JOB_DATA_SPELLINGS: dict[str, str] = {
    "property": "PropertyJobData",
    "cloudProperty": "CloudPropertyJobData",
    "command": "CommandJobData",
    "deviceTemplateMigration": "DeviceTemplateMigrationJobData",
}
_JOB_DATA_KINDS = {
    **{v: k for k, v in JOB_DATA_SPELLINGS.items()},
    **{k: k for k in JOB_DATA_SPELLINGS},
}


def job_data_kind(type_name: object) -> str | None:
    """The spec's name for a job data `type` sent in either spelling; None if unknown."""
    return _JOB_DATA_KINDS.get(type_name) if isinstance(type_name, str) else None


def job_data_type(version: ApiVersion, kind: str) -> str:
    """How `version` spells the job data `type` whose spec name is `kind`."""
    return JOB_DATA_SPELLINGS[kind] if version.job_data_spelling == "docs" else kind


def resolve(value: str | None, operation_id: str | None) -> ApiVersion:
    """The ApiVersion for a request, or NotFound naming the value and the supported ones."""
    if value is None or value == "":
        raise NotFound(
            "The api-version query parameter is required. Add ?api-version=2022-07-31"
            f" (supported: {_SUPPORTED_TEXT})."
        )
    version = SUPPORTED.get(value)
    if version is None:
        raise NotFound(
            f'"{value}" is not a valid API version. Supported versions: {_SUPPORTED_TEXT}.'
        )
    if operation_id and not version.offers(operation_id):
        offering = [v.name for v in SUPPORTED.values() if v.offers(operation_id)]
        raise NotFound(
            f"The operation {operation_id} does not exist in api-version {value}."
            f" Use one of: {', '.join(offering)}."
        )
    return version


class ArmVersion(Struct, frozen=True):
    """An api-version of the Microsoft.IoTCentral resource provider (the control plane)."""

    name: str
    # 2021-11-01-preview adds provisioningState and the network properties to an app.
    network_properties: bool


ARM_SUPPORTED: dict[str, ArmVersion] = {
    v.name: v for v in (ArmVersion("2021-06-01", False), ArmVersion("2021-11-01-preview", True))
}
