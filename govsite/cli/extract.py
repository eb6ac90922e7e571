"""`govsite` commands of one area (see the module name)."""

import click


def register(main: click.Group) -> None:
    pass
