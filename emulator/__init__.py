"""A local emulator of the Azure IoT Central REST API."""

__version__ = "0.1.0"
