"""Azure Resource Manager routes of Microsoft.IoTCentral, as azure-mgmt-iotcentral calls them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from emulator.control_plane import catalog, service
from emulator.control_plane.context import Arm, ArmCaller, ArmContext
from emulator.control_plane.service import IotApp
from emulator.http.lazy_route import LazyRoute
from emulator.http.responses import json_response, no_content

router = APIRouter(tags=["control plane"], route_class=LazyRoute)

_SUB = "/subscriptions/{subscriptionId}"
_PROVIDER = _SUB + "/providers/Microsoft.IoTCentral"
_GROUP = _SUB + "/resourceGroups/{resourceGroupName}"
_APP = _GROUP + "/providers/Microsoft.IoTCentral/iotApps/{resourceName}"
# How soon (seconds) a client should poll an accepted operation; it is already finished.
_RETRY_AFTER = "1"


def _resource(ctx: ArmContext, app: IotApp) -> dict[str, Any]:
    """The App resource for the requested api-version, with the emulator's admin token."""
    application = service.application_of(ctx.runtime, app)
    properties: dict[str, Any] = {
        "applicationId": application.id,
        "displayName": app.display_name,
        "subdomain": application.subdomain,
        "template": app.template,
        "state": "created",
        "emulatorAdminToken": application.admin_token,
    }
    if ctx.version.network_properties:
        properties.update(
            provisioningState="Succeeded", privateEndpointConnections=[], **app.network
        )
    return {
        "id": f"/subscriptions/{app.subscription_id}/resourceGroups/{app.resource_group}"
        f"/providers/Microsoft.IoTCentral/IoTApps/{app.name}",
        "name": app.name,
        "type": "Microsoft.IoTCentral/IoTApps",
        "location": app.location,
        "tags": app.tags,
        "sku": {"name": app.sku},
        "identity": app.identity,
        "properties": properties,
    }


def _operation_headers(ctx: ArmContext, subscription: str, location: str) -> dict[str, str]:
    operation_id = service.start_operation(
        runtime=ctx.runtime, subscription=subscription, location=location
    )
    url = ctx.request.url_for(
        "operation_result",
        subscriptionId=subscription,
        location=location,
        operationId=operation_id,
    ).include_query_params(**{"api-version": ctx.version.name})
    return {"Azure-AsyncOperation": str(url), "Retry-After": _RETRY_AFTER}


@router.get(_APP, operation_id="Apps_Get", summary="Get an IoT Central application resource")
async def get_app(
    subscriptionId: str,  # noqa: N803
    resourceGroupName: str,  # noqa: N803
    resourceName: str,  # noqa: N803
    ctx: Arm,
) -> Response:
    app = await service.get(
        runtime=ctx.runtime,
        subscription=subscriptionId,
        resource_group=resourceGroupName,
        name=resourceName,
    )
    return json_response(_resource(ctx, app))


@router.put(
    _APP,
    operation_id="Apps_CreateOrUpdate",
    summary="Create an application (long-running: 201 and Azure-AsyncOperation) or update it",
)
async def create_or_update_app(
    subscriptionId: str,  # noqa: N803
    resourceGroupName: str,  # noqa: N803
    resourceName: str,  # noqa: N803
    ctx: Arm,
) -> Response:
    app, created = await service.create_or_update(
        runtime=ctx.runtime,
        subscription=subscriptionId,
        resource_group=resourceGroupName,
        name=resourceName,
        body=await ctx.body(),
    )
    if not created:
        return json_response(_resource(ctx, app))
    headers = _operation_headers(ctx, subscriptionId, app.location)
    return json_response(_resource(ctx, app), status=201, headers=headers)


@router.patch(_APP, operation_id="Apps_Update", summary="Change some fields of an application")
async def update_app(
    subscriptionId: str,  # noqa: N803
    resourceGroupName: str,  # noqa: N803
    resourceName: str,  # noqa: N803
    ctx: Arm,
) -> Response:
    app = await service.patch(
        runtime=ctx.runtime,
        subscription=subscriptionId,
        resource_group=resourceGroupName,
        name=resourceName,
        body=await ctx.body(),
    )
    return json_response(_resource(ctx, app))


@router.delete(
    _APP,
    operation_id="Apps_Delete",
    summary="Delete an application and its data (long-running: 202, or 204 if absent)",
)
async def delete_app(
    subscriptionId: str,  # noqa: N803
    resourceGroupName: str,  # noqa: N803
    resourceName: str,  # noqa: N803
    ctx: Arm,
) -> Response:
    app = await service.remove(
        runtime=ctx.runtime,
        subscription=subscriptionId,
        resource_group=resourceGroupName,
        name=resourceName,
    )
    if app is None:
        return no_content()
    headers = _operation_headers(ctx, subscriptionId, app.location)
    return Response(status_code=202, headers=headers)


@router.get(
    _PROVIDER + "/iotApps",
    operation_id="Apps_ListBySubscription",
    summary="List the subscription's applications",
)
async def list_by_subscription(subscriptionId: str, ctx: Arm) -> Response:  # noqa: N803
    apps = await service.list_apps(runtime=ctx.runtime, subscription=subscriptionId)
    return json_response({"value": [_resource(ctx, a) for a in apps]})


@router.get(
    _GROUP + "/providers/Microsoft.IoTCentral/iotApps",
    operation_id="Apps_ListByResourceGroup",
    summary="List a resource group's applications",
)
async def list_by_resource_group(
    subscriptionId: str,  # noqa: N803
    resourceGroupName: str,  # noqa: N803
    ctx: Arm,
) -> Response:
    apps = await service.list_apps(
        runtime=ctx.runtime, subscription=subscriptionId, resource_group=resourceGroupName
    )
    return json_response({"value": [_resource(ctx, a) for a in apps]})


@router.post(
    _PROVIDER + "/checkNameAvailability",
    operation_id="Apps_CheckNameAvailability",
    summary="Whether an application name is free",
)
async def check_name_availability(subscriptionId: str, ctx: Arm) -> Response:  # noqa: N803
    body = await ctx.body()
    answer = await service.check_name(
        runtime=ctx.runtime, name=str(body.get("name", "")), resource_type=body.get("type")
    )
    return json_response(answer)


@router.post(
    _PROVIDER + "/checkSubdomainAvailability",
    operation_id="Apps_CheckSubdomainAvailability",
    summary="Whether a subdomain is free",
)
async def check_subdomain_availability(subscriptionId: str, ctx: Arm) -> Response:  # noqa: N803
    body = await ctx.body()
    answer = await service.check_subdomain(
        runtime=ctx.runtime, subdomain=str(body.get("name", "")), resource_type=body.get("type")
    )
    return json_response(answer)


@router.post(
    _PROVIDER + "/appTemplates",
    operation_id="Apps_ListTemplates",
    summary="List the application templates",
)
async def list_templates(subscriptionId: str, ctx: Arm) -> Response:  # noqa: N803
    return json_response({"value": catalog.templates()})


@router.get(
    _PROVIDER + "/locations/{location}/operationResults/{operationId}",
    name="operation_result",
    operation_id="Apps_GetOperationResult",
    summary="Status of a long-running operation (the Azure-AsyncOperation URL)",
)
async def get_operation(
    subscriptionId: str,  # noqa: N803
    location: str,
    operationId: str,  # noqa: N803
    ctx: Arm,
) -> Response:
    return json_response(service.operation(runtime=ctx.runtime, operation_id=operationId))


@router.get(
    "/providers/Microsoft.IoTCentral/operations",
    operation_id="Operations_List",
    summary="List the provider's operations",
)
async def list_operations(ctx: Arm) -> Response:
    return json_response({"value": catalog.operations()})


@router.get(
    _SUB + "/resourcegroups/{resourceGroupName}",
    operation_id="ResourceGroups_Get",
    summary="Any resource group exists, in the default location (az asks for it)",
)
async def get_resource_group(
    subscriptionId: str,  # noqa: N803
    resourceGroupName: str,  # noqa: N803
    _: ArmCaller,
) -> Response:
    return json_response(
        {
            "id": f"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
            "name": resourceGroupName,
            "type": "Microsoft.Resources/resourceGroups",
            "location": catalog.DEFAULT_LOCATION,
            "properties": {"provisioningState": "Succeeded"},
        }
    )
