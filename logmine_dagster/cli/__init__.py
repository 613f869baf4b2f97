"""The `logmine` command: the root group, its commands (one module per command group) and `main`,
which turns every expected failure into one line on stderr and an exit status."""

from __future__ import annotations

import click

# Modules, not their commands: a command named like its module (review, evalset, demo) would hide
# the module behind the package attribute.
from logmine_dagster.cli import categorise, evalset, review, status, tools
from logmine_dagster.core.config import ConfigError
from logmine_dagster.core.errors import LogmineError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """logmine: mine production LLM logs into a small, human-labelled, PII-free eval set."""


for command in (tools.generate, tools.demo, tools.sanitise, review.review, tools.db_upgrade, evalset.evalset, categorise.categorise, status.status):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="logmine", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("logmine: aborted", err=True)
        return 1
    except click.UsageError as error:
        click.echo(f"logmine: {error.format_message()} (see 'logmine --help')", err=True)
        return 2
    except click.ClickException as error:
        click.echo(f"logmine: {error.format_message()}", err=True)
        return 1
    except ConfigError as error:
        click.echo(f"logmine: {error}", err=True)
        return 2
    except LogmineError as error:
        # The message is one line for the operator by contract (core/errors.py).
        click.echo(f"logmine: {error}", err=True)
        return 1
    return 0
