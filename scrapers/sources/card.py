"""Model cards (markdown with tables and YAML front matter): parsed records -> claims.

Placeholder until scrapers/parsers/model_card.py lands.
"""

from __future__ import annotations

from scrapers.http import Fetched
from scrapers.validate import ClaimDraft


def card_claims(fetched: Fetched, source_id: str, model_names: list[str]) -> tuple[list[ClaimDraft], list[str]]:
    try:
        from scrapers.parsers import model_card  # noqa: F401
    except ImportError:
        return [], ["model card parser not available: card not read"]
    return [], []
