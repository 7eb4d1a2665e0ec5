"""The permission table covers every operation, and the roles grant what IoT Central documents."""

from __future__ import annotations

import pytest

from emulator.applications.service import Application
from emulator.http.auth import Principal, RoleAssignment
from emulator.http.operations import GA_2022_07_31, PREVIEW_ONLY_2022_10_31
from emulator.identity import roles
from emulator.identity.access import Access
from emulator.identity.permissions import (
    ALL_PERMISSIONS,
    OPERATION_PERMISSIONS,
    ROLE_PERMISSIONS,
    required_permission,
)
from emulator.organizations.tree import OrganizationTree


def allowed(role: roles.Role, operation_id: str) -> bool:
    return required_permission(operation_id) in ROLE_PERMISSIONS[role.id]


def test_every_operation_of_both_versions_has_a_permission() -> None:
    missing = (GA_2022_07_31 | PREVIEW_ONLY_2022_10_31) - set(OPERATION_PERMISSIONS)
    assert missing == set()


def test_every_built_in_role_has_permissions_from_the_table() -> None:
    assert set(ROLE_PERMISSIONS) == set(roles.BY_ID)
    for granted in ROLE_PERMISSIONS.values():
        assert granted <= ALL_PERMISSIONS


def test_new_emulator_controls_need_the_control_permission() -> None:
    assert required_permission("Emulator_SomethingNew") == "emulator.control"
    with pytest.raises(KeyError):
        required_permission("Widgets_List")


@pytest.mark.parametrize("operation_id", sorted(GA_2022_07_31 | PREVIEW_ONLY_2022_10_31))
def test_administrator_may_run_everything(operation_id: str) -> None:
    assert allowed(roles.ADMINISTRATOR, operation_id)


def test_builder_lacks_only_administration_and_data_export() -> None:
    denied = {
        op for op in GA_2022_07_31 | PREVIEW_ONLY_2022_10_31 if not allowed(roles.BUILDER, op)
    }
    prefixes = ("ApiTokens_", "Users_", "Roles_", "Organizations_", "Destinations_", "Exports_")
    assert denied == {
        op for op in GA_2022_07_31 | PREVIEW_ONLY_2022_10_31 if op.startswith(prefixes)
    }
    assert allowed(roles.BUILDER, "DeviceTemplates_Create")


def test_operator_runs_devices_groups_and_jobs_and_reads_templates() -> None:
    for op in (
        "Devices_Create",
        "Devices_Update",
        "Devices_Remove",
        "Devices_List",
        "Devices_UpdateProperties",
        "Devices_RunCommand",
        "Devices_GetTelemetryValue",
        "DeviceGroups_Create",
        "Jobs_Create",
        "ScheduledJobs_Create",
        "DeviceTemplates_List",
        "DeviceTemplates_Get",
    ):
        assert allowed(roles.OPERATOR, op), op
    for op in (
        "DeviceTemplates_Create",
        "DeviceTemplates_Update",
        "DeviceTemplates_Remove",
        "ApiTokens_Create",
        "Users_List",
        "Organizations_Create",
        "EnrollmentGroups_Create",
        "FileUploads_Create",
        "Exports_Create",
    ):
        assert not allowed(roles.OPERATOR, op), op


def test_organization_roles_mirror_the_application_roles() -> None:
    assert ROLE_PERMISSIONS[roles.ORG_OPERATOR.id] == ROLE_PERMISSIONS[roles.OPERATOR.id]
    assert ROLE_PERMISSIONS[roles.ORG_VIEWER.id] < ROLE_PERMISSIONS[roles.ORG_OPERATOR.id]
    assert ROLE_PERMISSIONS[roles.ORG_OPERATOR.id] < ROLE_PERMISSIONS[roles.ORG_ADMIN.id]
    assert allowed(roles.ORG_ADMIN, "Users_Create")
    assert not allowed(roles.ORG_ADMIN, "ApiTokens_List")
    assert not allowed(roles.ORG_ADMIN, "EnrollmentGroups_List")
    assert not allowed(roles.ORG_VIEWER, "Devices_Create")
    assert allowed(roles.ORG_VIEWER, "Devices_GetTelemetryValue")


def _access_with_tree() -> tuple[Access, Application]:
    access = Access()
    access.organizations.replace(
        "app", OrganizationTree({"usa": None, "seattle": "usa", "europe": None})
    )
    return access, Application("app", "myapp", "myapp", b"k", "admin")


def test_organization_scope_expands_subtrees() -> None:
    access, app = _access_with_tree()
    scoped = Principal("user", "u", (RoleAssignment(roles.ORG_VIEWER.id, "usa"),))
    assert access.organization_scope(scoped, app) == frozenset({"usa", "seattle"})
    both = Principal(
        "user",
        "u",
        (
            RoleAssignment(roles.ORG_VIEWER.id, "seattle"),
            RoleAssignment(roles.ORG_ADMIN.id, "europe"),
        ),
    )
    assert access.organization_scope(both, app) == frozenset({"seattle", "europe"})
    wide = Principal("user", "u", (RoleAssignment(roles.OPERATOR.id),))
    assert access.organization_scope(wide, app) is None


def test_permission_check_names_the_missing_permission() -> None:
    access, app = _access_with_tree()
    operator = Principal("api-token", "t", (RoleAssignment(roles.OPERATOR.id),))
    assert access.permission_check(operator, "DeviceTemplates_Create", app) == (
        "deviceTemplates.write"
    )
    assert access.permission_check(operator, "Devices_List", app) is None
