"""`cegdb scrape ...`: fetch, parse and store sourced claims (being built)."""

import click


@click.group()
def scrape() -> None:
    """Fetch published model details and store them as sourced claims.

    \b
    Example:
        cegdb scrape hf meta-llama/Llama-3.1-8B
    """
