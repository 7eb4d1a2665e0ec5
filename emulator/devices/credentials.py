"""Device credentials: the app's ID scope, keys derived from the SAS-IoT-Devices group key, and
individual attestations (symmetricKey, tpm, x509)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import Any

import orjson
from sqlalchemy import select, update

from emulator.applications.service import Application
from emulator.devices.service import Visible, not_found, visibility
from emulator.devices.tables import devices
from emulator.http.errors import BadRequest, NotFound
from emulator.identity.merge_patch import merge_patch
from emulator.runtime.core import Runtime

DEFAULT_GROUP = "SAS-IoT-Devices"
_PEM = re.compile(r"-----(BEGIN|END) CERTIFICATE-----|\s")


def id_scope(app: Application) -> str:
    """The application's DPS ID scope: stable per app, shaped like `0ne003E64EF`."""
    return "0ne" + hashlib.sha256(b"id-scope:" + app.secret).hexdigest()[:8].upper()


def group_key(app: Application, *, group: str = DEFAULT_GROUP, which: str = "primary") -> str:
    """A connection group's symmetric key (base64), derived from the app secret."""
    raw = hmac.new(app.secret, f"{group}/{which}".encode(), hashlib.sha256).digest()
    return base64.b64encode(raw).decode()


def device_key(key: str, device_id: str) -> str:
    """base64(HMAC-SHA256(base64decode(group key), device id)), as DPS derives device keys."""
    raw = hmac.new(base64.b64decode(key), device_id.encode(), hashlib.sha256).digest()
    return base64.b64encode(raw).decode()


def derived_keys(app: Application, device_id: str) -> dict[str, str]:
    return {
        "primaryKey": device_key(group_key(app, which="primary"), device_id),
        "secondaryKey": device_key(group_key(app, which="secondary"), device_id),
    }


async def _attestation_row(runtime: Runtime, app_id: str, device_id: str, visible: Visible) -> Any:
    async with runtime.db.read() as conn:
        row = (
            await conn.execute(
                select(devices.c.attestation).where(
                    devices.c.app_id == app_id, devices.c.id == device_id, visibility(visible)
                )
            )
        ).first()
    if row is None:
        raise not_found(device_id)
    return row


async def get_credentials(
    runtime: Runtime, *, app: Application, device_id: str, visible: Visible = None
) -> dict[str, Any]:
    """What a device connects with: the ID scope plus its attestation's credentials."""
    row = await _attestation_row(runtime, app.id, device_id, visible)
    attestation = orjson.loads(row.attestation) if row.attestation else None
    credentials: dict[str, Any] = {"idScope": id_scope(app)}
    if attestation is None:
        credentials["symmetricKey"] = derived_keys(app, device_id)
    else:
        kind = attestation["type"]
        credentials[kind] = attestation[kind]
    return credentials


async def get_attestation(
    runtime: Runtime, *, app: Application, device_id: str, visible: Visible = None
) -> dict[str, Any]:
    row = await _attestation_row(runtime, app.id, device_id, visible)
    if row.attestation is None:
        raise _no_attestation(device_id)
    return orjson.loads(row.attestation)


def _no_attestation(device_id: str) -> NotFound:
    return NotFound(
        f"Device '{device_id}' has no individual attestation; it connects with the keys of the"
        f" {DEFAULT_GROUP} group (GET /api/devices/{device_id}/credentials). Create one with PUT"
        f" /api/devices/{device_id}/attestation."
    )


def _thumbprint(certificate: str, where: str) -> str:
    try:
        der = base64.b64decode(_PEM.sub("", certificate), validate=True)
    except (binascii.Error, ValueError):
        der = b""
    if not der:
        raise BadRequest(
            f"{where}.certificate is not a base64 (PEM or DER) certificate; send the"
            " certificate's text."
        )
    return hashlib.sha1(der).hexdigest().upper()


def validate_attestation(body: Any) -> dict[str, Any]:
    """The attestation as stored and returned; BadRequest names the missing piece."""
    if not isinstance(body, dict):
        raise BadRequest("The attestation must be a JSON object with a type.")
    kind = body.get("type")
    if kind == "symmetricKey":
        keys = body.get("symmetricKey")
        if not isinstance(keys, dict) or not all(
            isinstance(keys.get(k), str) and keys[k] for k in ("primaryKey", "secondaryKey")
        ):
            raise BadRequest(
                "A symmetricKey attestation needs symmetricKey.primaryKey and"
                " symmetricKey.secondaryKey."
            )
        for name in ("primaryKey", "secondaryKey"):
            try:
                base64.b64decode(keys[name], validate=True)
            except (binascii.Error, ValueError):
                raise BadRequest(f"symmetricKey.{name} must be base64.") from None
        return {"type": kind, "symmetricKey": {k: keys[k] for k in ("primaryKey", "secondaryKey")}}
    if kind == "tpm":
        tpm = body.get("tpm")
        if not isinstance(tpm, dict) or not isinstance(tpm.get("endorsementKey"), str):
            raise BadRequest("A tpm attestation needs tpm.endorsementKey.")
        return {"type": kind, "tpm": {"endorsementKey": tpm["endorsementKey"]}}
    if kind == "x509":
        x509 = body.get("x509")
        certs = x509.get("clientCertificates") if isinstance(x509, dict) else None
        if not isinstance(certs, dict) or not isinstance(certs.get("primary"), dict):
            raise BadRequest(
                "An x509 attestation needs x509.clientCertificates.primary.certificate."
            )
        shaped = {}
        for entry in ("primary", "secondary"):
            cert = certs.get(entry)
            if cert is None:
                continue
            where = f"x509.clientCertificates.{entry}"
            if not isinstance(cert, dict) or not isinstance(cert.get("certificate"), str):
                raise BadRequest(f"{where} needs a certificate.")
            shaped[entry] = {
                "certificate": cert["certificate"],
                "info": {"sha1Thumbprint": _thumbprint(cert["certificate"], where)},
            }
        return {"type": kind, "x509": {"clientCertificates": shaped}}
    raise BadRequest(
        f"The attestation type {kind!r} is not supported; use symmetricKey, tpm or x509."
    )


async def put_attestation(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    body: dict[str, Any],
    visible: Visible = None,
    merge: bool = False,
) -> dict[str, Any]:
    """Create or replace the device's attestation (or merge into it when `merge`)."""
    if not merge:
        attestation = validate_attestation(body)
    async with runtime.db.write() as conn:
        row = (
            await conn.execute(
                select(devices.c.attestation).where(
                    devices.c.app_id == app.id, devices.c.id == device_id, visibility(visible)
                )
            )
        ).first()
        if row is None:
            raise not_found(device_id)
        if merge:
            if row.attestation is None:
                raise _no_attestation(device_id)
            current = orjson.loads(row.attestation)
            patched = merge_patch(current, body)
            if patched.get("type") != current["type"]:
                patched = {k: v for k, v in patched.items() if k in ("type", patched.get("type"))}
            attestation = validate_attestation(patched)
        await conn.execute(
            update(devices)
            .where(devices.c.app_id == app.id, devices.c.id == device_id)
            .values(attestation=orjson.dumps(attestation).decode())
        )
    return attestation


async def delete_attestation(
    runtime: Runtime, *, app: Application, device_id: str, visible: Visible = None
) -> None:
    """Drop the individual attestation; the device falls back to the group's keys."""
    await get_attestation(runtime, app=app, device_id=device_id, visible=visible)
    async with runtime.db.write() as conn:
        await conn.execute(
            update(devices)
            .where(devices.c.app_id == app.id, devices.c.id == device_id)
            .values(attestation=None)
        )
