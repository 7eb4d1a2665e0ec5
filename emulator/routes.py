"""Every router the emulator serves; a new domain adds its router here."""

from fastapi import APIRouter

from emulator.control.router import router as control_router
from emulator.identity.router import router as identity_router

# IoT Central's data plane, mounted under /api.
API_ROUTERS: list[APIRouter] = [
    identity_router,
]

# The emulator's own endpoints, under /_emulator.
CONTROL_ROUTERS: list[APIRouter] = [
    control_router,
]
