"""The ``motcua`` console command: Django's management with our settings.

``motcua help`` lists our own commands with their one-line help; ``motcua help --all`` shows
Django's full list. Command names may be written with hyphens (``motcua load-units``).
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

OUR_APP_PREFIX = "motcua."


def our_commands() -> list[tuple[str, str]]:
    from django.core.management import get_commands

    rows = []
    for name, app in sorted(get_commands().items()):
        if not app.startswith(OUR_APP_PREFIX):
            continue
        command = import_module(f"{app}.management.commands.{name}").Command()
        rows.append((name.replace("_", "-"), str(command.help).strip().splitlines()[0]))
    return rows


def print_our_help() -> None:
    print("Một Cửa — các lệnh / commands:\n")
    rows = our_commands()
    width = max(len(name) for name, _ in rows)
    for name, help_text in rows:
        print(f"  {name.ljust(width)}  {help_text}")
    print("\n`motcua help <lệnh|command>` để xem chi tiết / for details.")
    print("`motcua help --all` liệt kê cả lệnh của Django / also lists Django's commands.")


def normalise_argv(argv: list[str]) -> list[str]:
    """``load-units`` → ``load_units``, and so in ``help load-units`` too (QA: the names the
    list shows were refused there)."""
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv = [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    if len(argv) > 2 and argv[1] == "help" and not argv[2].startswith("-"):
        argv = [*argv[:2], argv[2].replace("-", "_"), *argv[3:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    argv = normalise_argv(list(sys.argv if argv is None else argv))
    import django
    from django.core.management import execute_from_command_line

    if argv[1:] in ([], ["help"]):
        django.setup()
        print_our_help()
        return
    if argv[1:] == ["help", "--all"]:
        argv = [argv[0], "help"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
