"""Import on use, so that each `cegdb` command pays only for what it runs.

Importing cegdb/cli.py used to import, for every command, the catalog's database layer (alembic,
SQLAlchemy), the build (SQLModel) and the scrapers' parsers (BeautifulSoup): about 1 s of CPU on
the 2-core reference machine, a third of the 3 s that `cegdb ceg` may take on 16,000 runs
(issue 18). Here a module is bound to its name at once and executed at its first attribute access
(importlib's LazyLoader), and a subcommand group's commands can be named by "module:attribute",
imported when the command is invoked or listed (`cegdb --help`).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from cegdb.cli_errors import ErrorHandlingGroup, restrict_sizes


def lazy_module(name: str):
    """The module `name`, executed when one of its attributes is first read."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # as an import does: `import catalog.db` then `catalog.db.x` finds it
        setattr(sys.modules[parent], child, module)
    return module


class LazyGroup(ErrorHandlingGroup):
    """ErrorHandlingGroup whose commands added by add_lazy are imported when first needed; their
    size options get their ranges then (restrict_sizes), as the eagerly added ones do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, str] = {}

    def add_lazy(self, name: str, target: str) -> None:
        self.lazy[name] = target

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str):
        target = self.lazy.pop(name, None)
        if target is not None:
            module, attribute = target.split(":")
            command = getattr(importlib.import_module(module), attribute)
            restrict_sizes(click.Group(commands={name: command}))
            self.add_command(command, name)
        return super().get_command(ctx, name)
