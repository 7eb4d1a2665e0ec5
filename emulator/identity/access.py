"""Access rules in force: permissions by role, organization scope, and verified credentials."""

from __future__ import annotations

from msgspec import Struct

from emulator.applications.service import Application
from emulator.http.auth import Principal, RoleAssignment
from emulator.identity.permissions import ROLE_PERMISSIONS, required_permission
from emulator.organizations.tree import OrganizationDirectory, OrganizationTree
from emulator.runtime.core import Runtime

SERVICE_NAME = "access"


class Credential(Struct, frozen=True):
    """A verified Authorization header: who it acts as, until when, and what it belongs to."""

    principal: Principal
    expires_at: float  # emulated epoch seconds
    owner: str  # "apiToken:<id>" or "user:<id>": forgotten when that changes


class CredentialCache:
    """Verified headers by application, so a repeated header costs one dict lookup."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._by_app: dict[str, dict[str, Credential]] = {}
        self._generations: dict[str, int] = {}

    def generation(self, app_id: str) -> int:
        """Changes whenever something is forgotten, so a verification that raced it is not kept."""
        return self._generations.get(app_id, 0)

    def get(self, app_id: str, header: str) -> Credential | None:
        return self._by_app.get(app_id, {}).get(header)

    def recall(self, app_id: str, header: str, now: float) -> Principal | None:
        """The principal of a verified header that has not expired; None otherwise."""
        found = self.get(app_id, header)
        return found.principal if found is not None and now < found.expires_at else None

    def put(self, app_id: str, header: str, credential: Credential, *, generation: int) -> None:
        """Remember a verified header, unless something was forgotten since it was read."""
        if generation != self.generation(app_id):
            return
        entries = self._by_app.setdefault(app_id, {})
        if len(entries) >= self._limit:
            entries.clear()
        entries[header] = credential

    def forget(self, app_id: str, owner: str) -> None:
        """Drop every header of this token or user: it was deleted or changed."""
        self._generations[app_id] = self.generation(app_id) + 1
        entries = self._by_app.get(app_id, {})
        for header in [h for h, c in entries.items() if c.owner == owner]:
            del entries[header]

    def forget_header(self, app_id: str, header: str) -> None:
        self._by_app.get(app_id, {}).pop(header, None)

    def forget_app(self, app_id: str) -> None:
        self._generations[app_id] = self.generation(app_id) + 1
        self._by_app.pop(app_id, None)


def permissions_of(assignments: tuple[RoleAssignment, ...]) -> frozenset[str]:
    """Every permission any of these roles grants."""
    return frozenset().union(*(ROLE_PERMISSIONS.get(a.role, frozenset()) for a in assignments))


class Access:
    """The application's organization trees and verified credentials, shared by every domain."""

    def __init__(self) -> None:
        self.organizations = OrganizationDirectory()
        self.credentials = CredentialCache()
        self._permissions: dict[tuple[RoleAssignment, ...], frozenset[str]] = {}

    def tree(self, app_id: str) -> OrganizationTree:
        return self.organizations.of(app_id)

    def permissions(self, principal: Principal) -> frozenset[str]:
        found = self._permissions.get(principal.roles)
        if found is None:
            found = self._permissions[principal.roles] = permissions_of(principal.roles)
        return found

    def permission_check(
        self, principal: Principal, operation_id: str, app: Application
    ) -> str | None:
        """The permission the principal lacks for this operation, or None when it may run it."""
        needed = required_permission(operation_id)
        return None if needed in self.permissions(principal) else needed

    def scope_for(
        self, principal: Principal, app: Application, permission: str
    ) -> frozenset[str] | None:
        """Organizations where the principal holds `permission`; None for the whole application."""
        granting = [a for a in principal.roles if permission in ROLE_PERMISSIONS.get(a.role, ())]
        if any(a.organization is None for a in granting):
            return None
        return self.tree(app.id).union_of_subtrees(
            a.organization for a in granting if a.organization
        )

    def organization_scope(self, principal: Principal, app: Application) -> frozenset[str] | None:
        """Organizations (subtrees expanded) the principal sees; None for the whole application."""
        if any(a.organization is None for a in principal.roles):
            return None
        tree = self.tree(app.id)
        return tree.union_of_subtrees(a.organization for a in principal.roles if a.organization)


def access_of(runtime: Runtime) -> Access:
    """The runtime's Access, created on first use."""
    access = runtime.services.get(SERVICE_NAME)
    if access is None:
        access = runtime.services[SERVICE_NAME] = Access()
    assert isinstance(access, Access)
    return access
