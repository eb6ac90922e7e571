"""Errors raised by inspections services for bad input; the CLI turns them into `错误: …`."""


class InspectionError(ValueError):
    """Bad input to a campaign service: nothing has been changed."""
