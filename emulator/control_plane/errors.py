"""Errors in Azure Resource Manager form: the same envelope, without the support line."""

from emulator.http.errors import ApiError


class ArmError(ApiError):
    """An error answered by the control plane; `code` is ARM's error code."""

    support_suffix = False
