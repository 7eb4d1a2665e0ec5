"""The learning module's token flow: API tokens for different users authorize REST calls."""

from __future__ import annotations

import json
from pathlib import Path

from emulator.runtime.clock import iso_from_timestamp
from tests.conftest import Emulator
from tests.identity_support import V, create_token
from tests.test_errors import assert_envelope

TEMPLATE_ID = "dtmi:contoso:thermostatTemplate;1"


def thermostat_template() -> dict:
    model = json.loads((Path(__file__).parent / "data" / "thermostat-1.json").read_text())
    return {
        "@id": TEMPLATE_ID,
        "@type": ["ModelDefinition", "DeviceModel"],
        "@context": ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"],
        "displayName": "Thermostat",
        "capabilityModel": model,
    }


async def test_operator_and_administrator_tokens(emu: Emulator) -> None:
    operator = await create_token(emu.client, "operator-token", "Operator")
    administrator = await create_token(emu.client, "admin-token", "Administrator")
    as_operator = {"Authorization": operator["token"]}
    as_admin = {"Authorization": administrator["token"]}

    assert (await emu.client.get(f"/api/devices{V}", headers=as_operator)).status_code == 200
    template_url = f"/api/deviceTemplates/{TEMPLATE_ID}{V}"
    refused = await emu.client.put(template_url, json=thermostat_template(), headers=as_operator)
    assert "'deviceTemplates.write'" in assert_envelope(refused, 403, "Forbidden")["message"]
    created = await emu.client.put(template_url, json=thermostat_template(), headers=as_admin)
    assert created.status_code == 200, created.text

    sig = operator["token"].split("sig=")[1].split("&")[0]
    tampered = operator["token"].replace(sig, ("B" if sig[0] == "A" else "A") + sig[1:])
    response = await emu.client.get(f"/api/devices{V}", headers={"Authorization": tampered})
    assert_envelope(response, 401, "Unauthenticated")

    assert (await emu.client.delete(f"/api/apiTokens/admin-token{V}")).status_code == 204
    response = await emu.client.get(f"/api/devices{V}", headers=as_admin)
    assert_envelope(response, 401, "Unauthenticated")

    tomorrow = iso_from_timestamp(emu.runtime.clock.timestamp() + 86400)
    short = await create_token(emu.client, "operator-day", "Operator", expiry=tomorrow)
    as_short = {"Authorization": short["token"]}
    assert (await emu.client.get(f"/api/devices{V}", headers=as_short)).status_code == 200
    se = int(short["token"].rsplit("se=", 1)[1]) / 1000
    await emu.advance(se - emu.runtime.clock.timestamp())
    response = await emu.client.get(f"/api/devices{V}", headers=as_short)
    assert "expired" in assert_envelope(response, 401, "Unauthenticated")["message"]
    assert (await emu.client.get(f"/api/devices{V}", headers=as_operator)).status_code == 200
