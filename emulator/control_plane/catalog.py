"""What the control plane offers that is not stored: application templates and its operations."""

from __future__ import annotations

DEFAULT_TEMPLATE = "iotc-pnp-preview@1.0.0"
DEFAULT_LOCATION = "eastus"
SKUS = ("ST0", "ST1", "ST2")

# (name, title, industry); the manifest id is the name before '@'.
_TEMPLATES = (
    ("iotc-pnp-preview@1.0.0", "Custom application", "Custom"),
    ("iotc-logistics@1.0.0", "Connected logistics", "Retail"),
    ("iotc-distribution@1.0.0", "Digital distribution center", "Retail"),
    ("iotc-inventory@1.0.0", "Smart inventory management", "Retail"),
    ("iotc-condition@1.0.0", "In-store analytics - condition monitoring", "Retail"),
    ("iotc-store@1.0.0", "In-store analytics - checkout", "Retail"),
    ("iotc-patient@1.0.0", "Continuous patient monitoring", "Healthcare"),
    ("iotc-consumption@1.0.0", "Water consumption monitoring", "Government"),
    ("iotc-quality@1.0.0", "Water quality monitoring", "Government"),
    ("iotc-waste@1.0.0", "Connected waste management", "Government"),
    ("iotc-meter@1.0.0", "Smart meter analytics", "Energy"),
    ("iotc-power@1.0.0", "Solar power monitoring", "Energy"),
)

TEMPLATE_NAMES = tuple(name for name, _, _ in _TEMPLATES)


def resolve_template(value: str) -> str | None:
    """The full template name for `iotc-logistics` or `iotc-logistics@1.0.0`; None if unknown."""
    for name in TEMPLATE_NAMES:
        if value.lower() in (name.lower(), name.split("@", 1)[0].lower()):
            return name
    return None


def templates() -> list[dict[str, object]]:
    """The AppTemplate list, in the order the portal shows them."""
    return [
        {
            "manifestId": name.split("@", 1)[0],
            "manifestVersion": name.split("@", 1)[1],
            "name": name,
            "title": title,
            "order": float(order),
            "description": f"{title}: an IoT Central application template.",
            "industry": industry,
            "locations": [{"id": DEFAULT_LOCATION, "displayName": "East US"}],
        }
        for order, (name, title, industry) in enumerate(_TEMPLATES)
    ]


def operations() -> list[dict[str, object]]:
    """The provider's operations, as GET /providers/Microsoft.IoTCentral/operations lists them."""
    verbs = (
        ("iotApps/read", "Get or list IoT Central applications"),
        ("iotApps/write", "Create or update an IoT Central application"),
        ("iotApps/delete", "Delete an IoT Central application"),
        ("checkNameAvailability/action", "Check whether an application name is available"),
        ("checkSubdomainAvailability/action", "Check whether a subdomain is available"),
        ("appTemplates/action", "List application templates"),
        ("operations/read", "List the provider's operations"),
    )
    return [
        {
            "name": f"Microsoft.IoTCentral/{name}",
            "display": {
                "provider": "Azure IoT Central",
                "resource": name.split("/", 1)[0],
                "operation": description,
                "description": description,
            },
            "origin": "user,system",
        }
        for name, description in verbs
    ]
