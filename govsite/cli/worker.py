"""`govsite worker` (Celery workers for scale-out)."""

import click


def register(main: click.Group) -> None:
    pass
