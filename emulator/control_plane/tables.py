"""Applications as Azure Resource Manager resources of Microsoft.IoTCentral/iotApps.

The column is `application_id`, not `app_id`, so that resetting an application's data keeps the
resource that describes it; deleting the application deletes it too.
"""

from sqlalchemy import Column, Float, String, Table, Text

from emulator.store.db import metadata

iot_apps = Table(
    "control_plane_iot_apps",
    metadata,
    Column("application_id", String, primary_key=True),
    Column("subscription_id", String, nullable=False),
    Column("resource_group", String, nullable=False),
    Column("name", String, nullable=False),
    Column("name_key", String, nullable=False, unique=True),  # lower-cased: names are global
    Column("location", String, nullable=False),
    Column("sku", String, nullable=False),
    Column("display_name", String, nullable=False),
    Column("template", String, nullable=False),
    Column("tags", Text, nullable=False),  # JSON object
    Column("identity", Text, nullable=False),  # JSON object as ARM returns it
    Column("network", Text, nullable=False),  # JSON: publicNetworkAccess, networkRuleSets
    Column("created_at", Float, nullable=False),
)
