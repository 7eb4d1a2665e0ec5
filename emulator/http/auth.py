"""Who is calling, and may they run this operation: the principal and permission skeleton."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from msgspec import Struct

from emulator.applications.service import Application
from emulator.http.errors import Forbidden, Unauthenticated

ADMINISTRATOR_ROLE_ID = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4"


class RoleAssignment(Struct, frozen=True):
    """A role, optionally limited to an organization's subtree."""

    role: str
    organization: str | None = None


class Principal(Struct, frozen=True):
    """The caller of one request, with the roles it acts under."""

    kind: str  # "admin-token" | "bearer" | "api-token" | "user" | "anonymous"
    id: str
    roles: tuple[RoleAssignment, ...]

    @property
    def is_administrator(self) -> bool:
        return any(r.role == ADMINISTRATOR_ROLE_ID and r.organization is None for r in self.roles)


ADMIN = (RoleAssignment(ADMINISTRATOR_ROLE_ID),)
ANONYMOUS = Principal("anonymous", "anonymous", ADMIN)
BOOTSTRAP_ADMIN = Principal("admin-token", "bootstrap-admin", ADMIN)

# A verifier recognises one kind of credential; None means "not mine, ask the next".
TokenVerifier = Callable[[str, Application], Awaitable[Principal | None]]
# A verified header remembered without I/O: its principal, or None when it must be verified.
CredentialRecall = Callable[[str, Application], Principal | None]
# Organization ids whose subtree the principal may see, or None for the whole application.
OrganizationScope = Callable[[Principal, Application], frozenset[str] | None]
# A permission check answers the permission the principal lacks, or None when allowed.
PermissionCheck = Callable[[Principal, str, Application], str | None]


def _administrators_only(principal: Principal, operation_id: str, app: Application) -> str | None:
    return None if principal.is_administrator else operation_id


class Authenticator:
    """Turns an Authorization header into a Principal under the configured auth mode."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.verifiers: list[TokenVerifier] = []
        self.recall: CredentialRecall = lambda header, app: None
        self.permission_check: PermissionCheck = _administrators_only
        self.organization_scope: OrganizationScope = lambda principal, app: None

    def known(self, header: str | None, app: Application) -> Principal | None:
        """The principal when this header needs no verification (again); None otherwise."""
        if self.mode == "off":
            return ANONYMOUS
        if not header:
            return None
        if header == app.admin_token:
            return BOOTSTRAP_ADMIN
        return self.recall(header, app)

    async def authenticate(self, header: str | None, app: Application) -> Principal:
        """The principal for this header, or Unauthenticated saying how to authenticate."""
        principal = self.known(header, app)
        if principal is not None:
            return principal
        if not header:
            raise Unauthenticated(
                "The request has no Authorization header. Send an API token"
                " ('SharedAccessSignature sr=...') or 'Bearer <token>'; the emulator prints a"
                " bootstrap admin token at start (--admin-token)."
            )
        for verify in self.verifiers:
            principal = await verify(header, app)
            if principal is not None:
                return principal
        if header.startswith("Bearer "):
            if self.mode == "loose":
                return Principal("bearer", "bearer", ADMIN)
            raise Unauthenticated(
                "The bearer token was not issued by this emulator and --auth is strict. Mint one"
                " with POST /_emulator/bearer-tokens, or start with --auth loose to accept any"
                " bearer token."
            )
        raise Unauthenticated("The provided authentication token is invalid.")

    def visible_organizations(
        self, principal: Principal, app: Application
    ) -> frozenset[str] | None:
        """Organizations (subtrees expanded) whose devices the principal sees; None means all."""
        return self.organization_scope(principal, app)

    def authorize(self, principal: Principal, operation_id: str, app: Application) -> None:
        """Raise Forbidden naming the permission the principal lacks for this operation."""
        missing = self.permission_check(principal, operation_id, app)
        if missing is not None:
            raise Forbidden(
                f"The caller's role does not grant the '{missing}' permission that"
                f" {operation_id} needs. Use a token of a role that has it."
            )
