"""What each operation needs and what each built-in role grants: the two tables of access."""

from __future__ import annotations

from emulator.identity import roles

# Permission names, grouped by the resource they guard.
API_TOKENS_READ = "apiTokens.read"
API_TOKENS_WRITE = "apiTokens.write"
USERS_READ = "users.read"
USERS_WRITE = "users.write"
ROLES_READ = "roles.read"
ORGANIZATIONS_READ = "organizations.read"
ORGANIZATIONS_WRITE = "organizations.write"
TEMPLATES_READ = "deviceTemplates.read"
TEMPLATES_WRITE = "deviceTemplates.write"
DEVICES_READ = "devices.read"
DEVICES_WRITE = "devices.write"
DEVICES_PROPERTIES = "devices.properties"
DEVICES_COMMANDS = "devices.commands"
DEVICES_TELEMETRY = "devices.telemetry"
DEVICES_CREDENTIALS = "devices.credentials"
GROUPS_READ = "deviceGroups.read"
GROUPS_WRITE = "deviceGroups.write"
JOBS_READ = "jobs.read"
JOBS_WRITE = "jobs.write"
ENROLLMENT_READ = "enrollmentGroups.read"
ENROLLMENT_WRITE = "enrollmentGroups.write"
FILE_UPLOADS_READ = "fileUploads.read"
FILE_UPLOADS_WRITE = "fileUploads.write"
DASHBOARDS_READ = "dashboards.read"
DASHBOARDS_WRITE = "dashboards.write"
MANIFESTS_READ = "deploymentManifests.read"
MANIFESTS_WRITE = "deploymentManifests.write"
DATA_EXPORT_READ = "dataExport.read"
DATA_EXPORT_WRITE = "dataExport.write"
QUERY = "query.run"
EMULATOR_CONTROL = "emulator.control"


def _ops(permission: str, *operation_ids: str) -> dict[str, str]:
    return dict.fromkeys(operation_ids, permission)


# Every operation id of 2022-07-31 and 2022-10-31-preview, and the emulator's own controls.
OPERATION_PERMISSIONS: dict[str, str] = {
    **_ops(API_TOKENS_READ, "ApiTokens_Get", "ApiTokens_List"),
    **_ops(API_TOKENS_WRITE, "ApiTokens_Create", "ApiTokens_Remove"),
    **_ops(USERS_READ, "Users_Get", "Users_List"),
    **_ops(USERS_WRITE, "Users_Create", "Users_Update", "Users_Remove"),
    **_ops(ROLES_READ, "Roles_Get", "Roles_List"),
    **_ops(ORGANIZATIONS_READ, "Organizations_Get", "Organizations_List"),
    **_ops(
        ORGANIZATIONS_WRITE, "Organizations_Create", "Organizations_Update", "Organizations_Remove"
    ),
    **_ops(TEMPLATES_READ, "DeviceTemplates_Get", "DeviceTemplates_List"),
    **_ops(
        TEMPLATES_WRITE,
        "DeviceTemplates_Create",
        "DeviceTemplates_Update",
        "DeviceTemplates_Remove",
    ),
    **_ops(
        DEVICES_READ,
        "Devices_Get",
        "Devices_List",
        "Devices_ListComponents",
        "Devices_ListModules",
        "Devices_ListModuleComponents",
        "Devices_ListRelationships",
        "Devices_GetRelationship",
        "Devices_GetProperties",
        "Devices_GetComponentProperties",
        "Devices_GetModuleProperties",
        "Devices_GetModuleComponentProperties",
        "Devices_GetCommandHistory",
        "Devices_GetComponentCommandHistory",
        "Devices_GetModuleCommandHistory",
        "Devices_GetModuleComponentCommandHistory",
    ),
    **_ops(
        DEVICES_WRITE,
        "Devices_Create",
        "Devices_Update",
        "Devices_Remove",
        "Devices_CreateRelationship",
        "Devices_UpdateRelationship",
        "Devices_RemoveRelationship",
        "Devices_ApplyManifest",
    ),
    **_ops(
        DEVICES_PROPERTIES,
        "Devices_ReplaceProperties",
        "Devices_UpdateProperties",
        "Devices_ReplaceComponentProperties",
        "Devices_UpdateComponentProperties",
        "Devices_ReplaceModuleProperties",
        "Devices_UpdateModuleProperties",
        "Devices_ReplaceModuleComponentProperties",
        "Devices_UpdateModuleComponentProperties",
    ),
    **_ops(
        DEVICES_COMMANDS,
        "Devices_RunCommand",
        "Devices_RunComponentCommand",
        "Devices_RunModuleCommand",
        "Devices_RunModuleComponentCommand",
    ),
    **_ops(
        DEVICES_TELEMETRY,
        "Devices_GetTelemetryValue",
        "Devices_GetComponentTelemetryValue",
        "Devices_GetModuleTelemetryValue",
        "Devices_GetModuleComponentTelemetryValue",
    ),
    **_ops(
        DEVICES_CREDENTIALS,
        "Devices_GetCredentials",
        "Devices_GetAttestation",
        "Devices_CreateAttestation",
        "Devices_UpdateAttestation",
        "Devices_RemoveAttestation",
    ),
    **_ops(GROUPS_READ, "DeviceGroups_Get", "DeviceGroups_List", "DeviceGroups_GetDevices"),
    **_ops(GROUPS_WRITE, "DeviceGroups_Create", "DeviceGroups_Update", "DeviceGroups_Remove"),
    **_ops(
        JOBS_READ,
        "Jobs_Get",
        "Jobs_List",
        "Jobs_GetDevices",
        "ScheduledJobs_Get",
        "ScheduledJobs_List",
        "ScheduledJobs_ListJobs",
    ),
    **_ops(
        JOBS_WRITE,
        "Jobs_Create",
        "Jobs_Rerun",
        "Jobs_Resume",
        "Jobs_Stop",
        "ScheduledJobs_Create",
        "ScheduledJobs_Update",
        "ScheduledJobs_Remove",
    ),
    **_ops(
        ENROLLMENT_READ, "EnrollmentGroups_Get", "EnrollmentGroups_List", "EnrollmentGroups_GetX509"
    ),
    **_ops(
        ENROLLMENT_WRITE,
        "EnrollmentGroups_Create",
        "EnrollmentGroups_Update",
        "EnrollmentGroups_Remove",
        "EnrollmentGroups_CreateX509",
        "EnrollmentGroups_RemoveX509",
        "EnrollmentGroups_GenerateVerificationCodeX509",
        "EnrollmentGroups_VerifyX509",
    ),
    **_ops(FILE_UPLOADS_READ, "FileUploads_Get"),
    **_ops(FILE_UPLOADS_WRITE, "FileUploads_Create", "FileUploads_Update", "FileUploads_Remove"),
    **_ops(DASHBOARDS_READ, "Dashboards_Get", "Dashboards_List"),
    **_ops(DASHBOARDS_WRITE, "Dashboards_Create", "Dashboards_Update", "Dashboards_Remove"),
    **_ops(MANIFESTS_READ, "DeploymentManifests_Get", "DeploymentManifests_List"),
    **_ops(
        MANIFESTS_WRITE,
        "DeploymentManifests_Create",
        "DeploymentManifests_Update",
        "DeploymentManifests_Remove",
    ),
    **_ops(
        DATA_EXPORT_READ,
        "Destinations_Get",
        "Destinations_List",
        "Destinations_ListExports",
        "Exports_Get",
        "Exports_List",
        "Exports_ListDestinations",
    ),
    **_ops(
        DATA_EXPORT_WRITE,
        "Destinations_Create",
        "Destinations_Update",
        "Destinations_Remove",
        "Exports_Create",
        "Exports_Update",
        "Exports_Remove",
    ),
    **_ops(QUERY, "Query_Run"),
    **_ops(
        EMULATOR_CONTROL,
        "Emulator_Reset",
        "Emulator_GetClock",
        "Emulator_SetClock",
        "Emulator_MintBearerToken",
    ),
}

# Emulator controls that other parts of the emulator add later need the same permission.
EMULATOR_PREFIX = "Emulator_"

ALL_PERMISSIONS: frozenset[str] = frozenset(OPERATION_PERMISSIONS.values())

_OPERATOR = frozenset(
    {
        DEVICES_READ,
        DEVICES_WRITE,
        DEVICES_PROPERTIES,
        DEVICES_COMMANDS,
        DEVICES_TELEMETRY,
        DEVICES_CREDENTIALS,
        GROUPS_READ,
        GROUPS_WRITE,
        JOBS_READ,
        JOBS_WRITE,
        TEMPLATES_READ,
        DASHBOARDS_READ,
        QUERY,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    roles.ADMINISTRATOR.id: ALL_PERMISSIONS,
    roles.BUILDER.id: ALL_PERMISSIONS
    - {
        API_TOKENS_READ,
        API_TOKENS_WRITE,
        USERS_READ,
        USERS_WRITE,
        ROLES_READ,
        ORGANIZATIONS_READ,
        ORGANIZATIONS_WRITE,
        DATA_EXPORT_READ,
        DATA_EXPORT_WRITE,
        EMULATOR_CONTROL,
    },
    roles.OPERATOR.id: _OPERATOR,
    roles.ORG_ADMIN.id: _OPERATOR
    | {
        DASHBOARDS_WRITE,
        USERS_READ,
        USERS_WRITE,
        ROLES_READ,
        ORGANIZATIONS_READ,
        ORGANIZATIONS_WRITE,
    },
    roles.ORG_OPERATOR.id: _OPERATOR,
    roles.ORG_VIEWER.id: frozenset(
        {
            DEVICES_READ,
            DEVICES_TELEMETRY,
            GROUPS_READ,
            JOBS_READ,
            TEMPLATES_READ,
            DASHBOARDS_READ,
            QUERY,
        }
    ),
}


def required_permission(operation_id: str) -> str:
    """The permission an operation needs; unlisted emulator controls need emulator.control."""
    permission = OPERATION_PERMISSIONS.get(operation_id)
    if permission is not None:
        return permission
    if operation_id.startswith(EMULATOR_PREFIX):
        return EMULATOR_CONTROL
    raise KeyError(f"operation {operation_id} has no entry in OPERATION_PERMISSIONS")
