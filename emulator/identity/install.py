"""Puts roles, tokens, users and organizations in charge of every request's access decisions."""

from __future__ import annotations

from functools import partial

from emulator.api_tokens import service as api_tokens
from emulator.applications.service import Application
from emulator.identity import bearer
from emulator.identity.access import access_of
from emulator.organizations.service import load_tree
from emulator.runtime.core import Runtime


def install(runtime: Runtime) -> None:
    """Register the permission table, organization scope, token verifiers and hooks."""
    access = access_of(runtime)
    runtime.auth.permission_check = access.permission_check
    runtime.auth.organization_scope = access.organization_scope
    runtime.auth.recall = lambda header, app: access.credentials.recall(
        app.id, header, runtime.clock.timestamp()
    )
    runtime.auth.verifiers.append(partial(api_tokens.verify, runtime))
    runtime.auth.verifiers.append(partial(bearer.verify, runtime))

    async def load_organizations(app: Application) -> None:
        async with runtime.db.read() as conn:
            access.organizations.replace(app.id, await load_tree(conn, app_id=app.id))

    async def forget_credentials(app: Application) -> None:
        access.credentials.forget_app(app.id)
        await load_organizations(app)

    runtime.start_hooks.append(load_organizations)
    runtime.reset_hooks.append(forget_credentials)
