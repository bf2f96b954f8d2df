"""`cegdb parse KIND FILE --json`: what a parser extracts from one local file (being built)."""

import click


@click.command()
@click.argument("kind", type=click.Choice(["hf-config", "hf-api", "model-card", "arxiv-atom", "s2-paper", "epoch-csv"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def parse(kind: str, file: str, as_json: bool) -> None:
    """Print what the parser for KIND extracts from FILE.

    \b
    Example:
        cegdb parse hf-config config.json --json
    """
    raise click.ClickException("parsers are not built yet")
