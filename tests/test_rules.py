"""A rule set that does not hang together is refused when read, naming the entry."""
import copy
import tomllib

import pytest

from workflows.rules import RULESETS, RuleSetError, load_ruleset, parse_ruleset

SHIPPED = tomllib.loads((RULESETS / "amdsb-etfo-article-33.toml").read_text())


def test_the_shipped_rule_set_reads():
    rules = load_ruleset("amdsb-etfo-article-33")
    assert rules.limits["step1_reply"].n == 10 and rules.limits["union_reply"].unit == "days"


def test_a_limit_started_by_an_unknown_event_is_refused():
    broken = copy.deepcopy(SHIPPED)
    broken["limits"]["step1_reply"]["starts_on"] = ["grievance_fild"]
    with pytest.raises(RuleSetError) as caught:
        parse_ruleset(broken, "broken.toml")
    assert "limits.step1_reply names no event 'grievance_fild'" in str(caught.value)


def test_an_unknown_party_or_consequence_is_refused():
    broken = copy.deepcopy(SHIPPED)
    broken["limits"]["meeting"]["party"] = "principal"
    broken["limits"]["meeting"]["consequence"] = "shrug"
    with pytest.raises(RuleSetError) as caught:
        parse_ruleset(broken, "broken.toml")
    assert "limits.meeting.party" in str(caught.value) and "limits.meeting.consequence" in str(caught.value)


def test_a_local_can_change_an_interpretation_without_touching_the_engine():
    edited = copy.deepcopy(SHIPPED)
    edited["limits"]["policy_filing"]["n"] = 20  # e.g. the local reads 33.03's total instead
    assert parse_ruleset(edited, "local.toml").limits["policy_filing"].n == 20


def test_an_unknown_rule_set_names_the_known_ones():
    with pytest.raises(RuleSetError) as caught:
        load_ruleset("nowhere")
    assert "amdsb-etfo-article-33" in caught.value.fix
