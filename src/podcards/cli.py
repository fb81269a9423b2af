"""The command line: options, exit codes and printing. The work lives in the library."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from podcards import __version__
from podcards.errors import PodcardsError, UsageError

F = TypeVar("F", bound=Callable[..., Any])


def _user_errors(command: F) -> F:
    """Turn the library's exceptions into one-line messages and exit codes."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PodcardsError as error:
            for line in error.lines():
                click.echo(f"error: {line}" if ":" not in line.split(" ")[0] else line, err=True)
            sys.exit(1)
        except UsageError as error:
            raise click.UsageError(str(error)) from error
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was changed", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podcards")
def main() -> None:
    """Turn podcast episode notes into Anki decks that update cleanly.

    Write one YAML file per episode in decks/, run `podcards build`, and import
    the .apkg files from dist/ into Anki.
    """
