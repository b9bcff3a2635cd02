"""The typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="roleplay",
    help="客服角色扮演训练 · customer-service role-play trainer",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
