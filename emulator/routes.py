"""Every router the emulator serves; a new domain adds its router here."""

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.routing import APIRoute

from emulator.api_tokens.router import router as api_tokens_router
from emulator.commands.router import router as commands_router
from emulator.control.router import router as control_router
from emulator.control_plane import service as control_plane
from emulator.control_plane.router import router as control_plane_router
from emulator.device_groups.router import router as device_groups_router
from emulator.device_templates import service as device_templates_service
from emulator.device_templates.router import router as device_templates_router
from emulator.devices import provisioning as devices_provisioning
from emulator.devices.router import router as devices_router
from emulator.faults.router import router as faults_router
from emulator.http.direct import DirectHandler
from emulator.identity.control import router as bearer_tokens_router
from emulator.identity.install import install as install_identity
from emulator.identity.router import router as identity_router
from emulator.jobs.control_router import router as jobs_control_router
from emulator.jobs.install import install as install_jobs
from emulator.jobs.router import router as jobs_router
from emulator.organizations.router import router as organizations_router
from emulator.properties.router import DIRECT_WRITES as properties_direct_writes
from emulator.properties.router import router as properties_router
from emulator.query.router import router as query_router
from emulator.runtime import dataplane
from emulator.runtime.core import Runtime
from emulator.scenarios import service as scenarios
from emulator.scenarios.router import router as scenarios_router
from emulator.scheduled_jobs.router import router as scheduled_jobs_router
from emulator.telemetry import retention as telemetry_retention
from emulator.telemetry.router import router as telemetry_router
from emulator.users.router import router as users_router

# IoT Central's data plane, under /api. Routes are matched in this order, so the device
# routers clients call most come first.
API_ROUTERS: list[APIRouter] = [
    devices_router,
    properties_router,
    commands_router,
    telemetry_router,
    device_templates_router,
    device_groups_router,
    identity_router,
    api_tokens_router,
    users_router,
    organizations_router,
    query_router,
    jobs_router,
    scheduled_jobs_router,
]

# Operations served before routing by their direct handlers (emulator/http/direct.py).
DIRECT_ROUTES: list[tuple[APIRoute, DirectHandler]] = [*properties_direct_writes]

# The emulator's own endpoints, under /_emulator.
CONTROL_ROUTERS: list[APIRouter] = [
    control_router,
    bearer_tokens_router,
    faults_router,
    jobs_control_router,
    scenarios_router,
]

# Azure Resource Manager routes (Microsoft.IoTCentral), at their ARM paths.
MANAGEMENT_ROUTERS: list[APIRouter] = [
    control_plane_router,
]

# Called once per process with the runtime, before it starts: a domain registers its token
# verifiers, permission checks, event subscriptions and start/reset hooks here.
INSTALLERS: list[Callable[[Runtime], None]] = [
    device_templates_service.install,
    install_identity,
    dataplane.install,
    devices_provisioning.install,
    telemetry_retention.install,
    install_jobs,
    control_plane.install,
    scenarios.install,  # last: its reset hook fills an app after the others restored it
]
