"""`govsite report` and `govsite fixture` commands."""

import click


def register(main: click.Group) -> None:
    pass
