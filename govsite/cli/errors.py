"""How the CLI reports bad input: a clear message and a non-zero exit, never a traceback."""

import click


class UserError(click.ClickException):
    """An error caused by the user's input; printed as `错误: message` with exit status 2."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"错误: {self.format_message()}", err=True)
