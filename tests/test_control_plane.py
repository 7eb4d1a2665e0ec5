"""Microsoft.IoTCentral/iotApps through the real azure-mgmt-iotcentral client, and by hand."""

from __future__ import annotations

import httpx
import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.iotcentral import IotCentralClient
from azure.mgmt.iotcentral.models import App, AppPatch, AppSkuInfo, OperationInputs

from emulator.pytest_plugin import RunningEmulator

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
# azure-core refuses bearer tokens over plain http unless told, call by call.
HTTP = {"enforce_https": False}


class StaticCredential:
    """Any token will do: the emulator's loose auth accepts every bearer token."""

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken("workshop-token", 4102444800)


@pytest.fixture
def arm(iotc_emulator: RunningEmulator) -> IotCentralClient:
    return IotCentralClient(
        StaticCredential(), SUBSCRIPTION, base_url=iotc_emulator.url, polling_interval=0
    )


def _raw(response, deserialized, headers):  # noqa: ANN001, ANN202
    return response.http_response.json()


def test_create_use_and_delete_an_app_with_the_azure_client(
    arm: IotCentralClient, iotc_emulator: RunningEmulator
) -> None:
    free = arm.apps.check_name_availability(OperationInputs(name="fleet-east"), **HTTP)
    assert free.name_available is True
    taken = arm.apps.check_subdomain_availability(OperationInputs(name="myapp"), **HTTP)
    assert (taken.name_available, taken.reason) == (False, "AlreadyExists")

    poller = arm.apps.begin_create_or_update(
        "workshop",
        "fleet-east",
        App(
            location="eastus",
            sku=AppSkuInfo(name="ST2"),
            subdomain="fleet-east",
            display_name="Fleet East",
            template="iotc-pnp-preview",
        ),
        **HTTP,
    )
    created = poller.result()
    assert (created.name, created.subdomain, created.display_name) == (
        "fleet-east",
        "fleet-east",
        "Fleet East",
    )
    assert created.template == "iotc-pnp-preview@1.0.0" and created.state == "created"
    assert created.type == "Microsoft.IoTCentral/IoTApps"
    assert created.id.endswith(
        "/resourceGroups/workshop/providers/Microsoft.IoTCentral/IoTApps/fleet-east"
    )

    raw = arm.apps.get("workshop", "fleet-east", cls=_raw, **HTTP)
    token = raw["properties"]["emulatorAdminToken"]
    assert raw["properties"]["applicationId"] == created.application_id

    # The new application answers at once on its subdomain, with its own admin token.
    host = iotc_emulator.host("fleet-east")
    roles = httpx.get(
        f"{iotc_emulator.url}/api/roles?api-version=2022-07-31",
        headers={**host, "Authorization": token},
    )
    assert roles.status_code == 200
    elsewhere = httpx.get(
        f"{iotc_emulator.url}/api/roles?api-version=2022-07-31",
        headers={"Authorization": token},
    )
    assert elsewhere.status_code == 401

    again = arm.apps.check_name_availability(OperationInputs(name="FLEET-EAST"), **HTTP)
    assert (again.name_available, again.reason) == (False, "AlreadyExists")

    updated = arm.apps.begin_update(
        "workshop",
        "fleet-east",
        AppPatch(display_name="Fleet East (renamed)", tags={"k": "v"}),
        **HTTP,
    ).result()
    assert updated.display_name == "Fleet East (renamed)" and updated.tags == {"k": "v"}

    assert [a.name for a in arm.apps.list_by_subscription(**HTTP)] == ["fleet-east"]
    assert [a.name for a in arm.apps.list_by_resource_group("workshop", **HTTP)] == ["fleet-east"]
    assert list(arm.apps.list_by_resource_group("other", **HTTP)) == []

    templates = list(arm.apps.list_templates(**HTTP))
    assert "iotc-pnp-preview@1.0.0" in [t.name for t in templates]

    arm.apps.begin_delete("workshop", "fleet-east", **HTTP).result()
    with pytest.raises(ResourceNotFoundError):
        arm.apps.get("workshop", "fleet-east", **HTTP)
    gone = httpx.get(
        f"{iotc_emulator.url}/api/roles?api-version=2022-07-31",
        headers={**host, "Authorization": token},
    )
    assert gone.status_code == 401  # the Host now falls back to the default app
    assert arm.apps.check_subdomain_availability(
        OperationInputs(name="fleet-east"), **HTTP
    ).name_available


def test_bad_requests_are_arm_errors(arm: IotCentralClient) -> None:
    with pytest.raises(HttpResponseError) as caught:
        arm.apps.begin_create_or_update(
            "workshop", "fleet", App(location="eastus", sku=AppSkuInfo(name="ST9")), **HTTP
        )
    assert caught.value.error.code == "InvalidRequestContent"
    assert "ST0, ST1, ST2" in caught.value.error.message
    with pytest.raises(HttpResponseError) as caught:
        arm.apps.begin_create_or_update(
            "workshop",
            "fleet",
            App(location="eastus", sku=AppSkuInfo(name="ST1"), subdomain="myapp"),
            **HTTP,
        )
    assert caught.value.status_code == 409
    assert caught.value.error.code == "SubdomainNotAvailable"


def test_the_raw_protocol(iotc_emulator: RunningEmulator) -> None:
    base = f"{iotc_emulator.url}/subscriptions/s1/resourceGroups/rg/providers/Microsoft.IoTCentral"
    bearer = {"Authorization": "Bearer anything"}
    missing = httpx.get(f"{base}/iotApps/app1", headers=bearer)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "MissingApiVersionParameter"
    assert "2021-11-01-preview" in missing.json()["error"]["message"]
    assert "support" not in missing.json()["error"]["message"]
    unauthenticated = httpx.get(f"{base}/iotApps/app1?api-version=2021-06-01")
    assert unauthenticated.status_code == 401

    body = {"location": "westeurope", "sku": {"name": "ST0"}, "properties": {}}
    created = httpx.put(
        f"{base}/iotApps/app1?api-version=2021-11-01-preview", json=body, headers=bearer
    )
    assert created.status_code == 201
    assert created.headers["Retry-After"] == "1"
    status = httpx.get(created.headers["Azure-AsyncOperation"], headers=bearer).json()
    assert status["status"] == "Succeeded"
    properties = created.json()["properties"]
    assert properties["subdomain"] == "app1"  # defaults to the resource name
    assert properties["provisioningState"] == "Succeeded"
    assert properties["publicNetworkAccess"] == "Enabled"

    moved = httpx.put(
        f"{base}/iotApps/app1?api-version=2021-06-01",
        json={**body, "properties": {"subdomain": "app1-moved"}},
        headers=bearer,
    )
    assert moved.status_code == 200 and moved.json()["properties"]["subdomain"] == "app1-moved"
    assert "provisioningState" not in moved.json()["properties"]

    relocated = httpx.put(
        f"{base}/iotApps/app1?api-version=2021-06-01",
        json={**body, "location": "eastus"},
        headers=bearer,
    )
    assert relocated.json()["error"]["code"] == "LocationNotAvailableForResourceType"

    deleted = httpx.delete(f"{base}/iotApps/app1?api-version=2021-06-01", headers=bearer)
    assert deleted.status_code == 202 and "Azure-AsyncOperation" in deleted.headers
    again = httpx.delete(f"{base}/iotApps/app1?api-version=2021-06-01", headers=bearer)
    assert again.status_code == 204


ADMIN_ROLE = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4"
ARM_PATH = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps"
NEW_APP = {"location": "eastus", "sku": {"name": "ST1"}, "properties": {"subdomain": "kept"}}


async def test_resources_and_their_applications_survive_a_restart(make_emulator) -> None:  # noqa: ANN001
    bearer = {"Authorization": "Bearer x"}
    async with make_emulator() as emu:
        created = await emu.client.put(
            f"{ARM_PATH}/kept-app?api-version=2021-06-01", json=NEW_APP, headers=bearer
        )
        token = created.json()["properties"]["emulatorAdminToken"]
        await emu.client.post(
            "/_emulator/reset", headers={"Host": "kept.localhost", "Authorization": token}
        )
    async with make_emulator() as emu:
        found = await emu.client.get(f"{ARM_PATH}/kept-app?api-version=2021-06-01", headers=bearer)
        assert found.status_code == 200
        assert found.json()["properties"]["emulatorAdminToken"] == token
        roles = await emu.client.get(
            "/api/roles?api-version=2022-07-31",
            headers={"Host": "kept.localhost", "Authorization": token},
        )
        assert roles.status_code == 200


async def test_strict_auth_refuses_bearer_tokens_it_did_not_issue(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(auth="strict") as emu:
        url = f"{ARM_PATH}?api-version=2021-06-01"
        refused = await emu.client.get(url, headers={"Authorization": "Bearer made-up"})
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "InvalidAuthenticationToken"
        user = {"type": "email", "email": "ops@contoso.example", "roles": [{"role": ADMIN_ROLE}]}
        await emu.client.put("/api/users/ops?api-version=2022-07-31", json=user)
        minted = await emu.client.post("/_emulator/bearer-tokens", json={"userId": "ops"})
        token = minted.json()["accessToken"]
        accepted = await emu.client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert accepted.status_code == 200 and accepted.json() == {"value": []}
