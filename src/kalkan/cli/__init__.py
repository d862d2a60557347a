"""The `kalkan` command line (a face): Typer commands over the use cases in :mod:`kalkan.app`."""

from kalkan.cli.main import _state, app, command, main

__all__ = ["_state", "app", "command", "main"]
