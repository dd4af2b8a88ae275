"""The documentation keeps up with the rule set."""
from pathlib import Path

from workflows.rules import load_ruleset

DOCS = Path(__file__).resolve().parent.parent / "docs" / "case-format.md"


def test_every_event_type_and_time_limit_is_documented():
    text = DOCS.read_text()
    rules = load_ruleset("amdsb-etfo-article-33")
    missing = [f"`{name}`" for name in [*rules.events, *rules.limits] if f"| `{name}` |" not in text]
    assert missing == []
