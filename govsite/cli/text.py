"""`govsite text ...` commands (pre-publication text checks)."""

import click


def register(main: click.Group) -> None:
    pass
