"""The `ttshop` command: runs the local stack (`ttshop dev`) and drives the services' admin APIs."""

from __future__ import annotations

import typer

from libs.common.status import package_version

from . import (
    catalog,
    database,
    demo,
    dev,
    dlq,
    jobs,
    order_actions,
    order_ship,
    orders,
    shipments,
    shops,
    status,
    topics,
)
from .arguments import CheckedGroup
from .client import EXIT_CODES_HELP, CliState, adapt_to_output

app = typer.Typer(
    name="ttshop",
    help="ttshop-connector: run the local stack and operate TikTok Shop integrations.",
    epilog=EXIT_CODES_HELP,
    cls=CheckedGroup,  # every text argument and option is checked for a NUL and its length (arguments.py)
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ttshop {package_version()}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Print JSON (the raw responses) instead of tables."),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                 help="Print the installed version and exit."),
) -> None:
    """Service URLs come from AUTH_URL, ORDERS_URL … , else .ttshop/dev.env, else the default ports."""
    if not isinstance(ctx.obj, CliState):
        ctx.obj = CliState()
    ctx.obj.json_output = json_output
    adapt_to_output(json_output=json_output)


dev.register(app)
demo.register(app)
status.register(app)
app.add_typer(shops.app, name="shops")
order_ship.register(orders.app)
order_actions.register(orders.app)
app.add_typer(orders.app, name="orders")
app.add_typer(jobs.app, name="jobs")
app.add_typer(shipments.app, name="shipments")
app.add_typer(dlq.app, name="dlq")
app.add_typer(topics.app, name="topics")
app.add_typer(catalog.app, name="catalog")
app.add_typer(database.app, name="db")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
