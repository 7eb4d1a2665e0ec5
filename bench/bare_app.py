"""The yardstick: a bare FastAPI app answering a constant device from a path-parameter route."""

from fastapi import FastAPI

app = FastAPI()

DEVICE = {
    "id": "",
    "etag": "eyJoZWFkZXIiOiJcIjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMFwiIn0",
    "displayName": "thermostat",
    "simulated": True,
    "provisioned": True,
    "template": "dtmi:contoso:thermostat",
    "enabled": True,
    "organizations": [],
}


@app.get("/api/devices/{device_id}")
async def get_device(device_id: str) -> dict:
    return {**DEVICE, "id": device_id}


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}
