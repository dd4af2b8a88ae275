"""`flask deadlines list` reads like the dashboard: a table with a header, the rule set's labels
and the flags' words (never complaint_raise or ours_overdue), each next date to act by worded by
operations/deadline_status.py, member and school, values cut rather than breaking the columns,
--json, a line saying how many cases --limit left out, and warnings on stderr only.

Calendar: the shipped AMDSB elementary 2025-26 year (not verified by the local), today pinned
to Sun 2025-11-30.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from operations import grievances as ops

SUNDAY = date(2025, 11, 30)
HEADERS = ("Case", "Act by", "Days left", "Status", "Who must act", "Next deadline", "Member(s)", "School", "Flags")


@pytest.fixture
def listed(app):
    """Three policy grievances, aware Fri Nov 14, Mon Nov 17 and Tue Nov 18: each files within 10
    school days: Fri Nov 28 (passed 1 school day ago on Sunday: Fri 28), Mon Dec 1 (1 left), Tue Dec 2
    (2 left). The second has a long number, member and school."""
    app.config["TODAY"] = SUNDAY.isoformat()
    with app.extensions["database"].transaction() as session:
        for number, aware, member, school in (
                ("2025-600", date(2025, 11, 14), "Robin Member", "Demo PS"),
                ("2025-601-A-VERY-LONG-GRIEVANCE-NUMBER-X", date(2025, 11, 17),
                 "Alexandra Someone-With-A-Very-Long-Name", "Northwestern Avon Maitland Central Public School"),
                ("2025-602", date(2025, 11, 18), "Sam Member", "Demo PS")):
            ops.open_case(session, ops.NewCase(number=number, kind="policy", first_event_on=aware,
                                               members=(member,), school=school), by="test", today=SUNDAY)
    return app.test_cli_runner()


def test_the_list_has_a_header_and_the_pages_labels_not_internal_names(listed):
    result = listed.invoke(args=["deadlines", "list"])
    assert result.exit_code == 0, result.output
    header, rule, first, *_ = result.stdout.splitlines()
    assert header.split("  ")[0] == "Case" and all(h in header for h in HEADERS)
    assert set(rule) == {"-", " "}
    assert "File the policy grievance at Step 1" in first and "Union Local" in first and "Our limit passed" in first
    for internal in ("policy_filing", "ours_overdue", "union ", "due_soon"):
        assert internal not in result.stdout


def test_the_status_reads_as_on_the_pages_with_the_school_days_left(listed):
    rows = listed.invoke(args=["deadlines", "list"]).stdout.splitlines()[2:5]
    assert "Fri 28 Nov 2025" in rows[0] and " -1 " in rows[0]
    assert "passed Fri 28 Nov 2025 — 1 school day ago" in rows[0]
    assert "1 school day left" in rows[1] and "2 school days left" in rows[2]


def test_a_long_value_is_cut_and_never_pushes_the_next_column(listed):
    lines = listed.invoke(args=["deadlines", "list"]).stdout.splitlines()
    header, rows = lines[0], lines[2:5]
    for column in ("Act by", "Status", "Who must act", "Next deadline", "Member(s)", "School", "Flags"):
        at = header.index(column)
        for row in rows:  # each value starts under its header, after a space: none runs into the next
            assert row[at - 1] == " " and row[at] != " ", f"{column} is pushed in: {row!r}"
    long_row = rows[1]
    assert long_row[header.index("Act by"):].startswith("Mon 01 Dec 2025")
    assert "2025-601-A-VERY-LONG-GRIEVANCE-NUMBER-X" not in long_row and "…" in long_row
    assert long_row[header.index("School"):].startswith("Northwestern")


def test_the_list_says_how_many_cases_the_limit_left_out(listed):
    cut = listed.invoke(args=["deadlines", "list", "--limit", "2"]).stdout.splitlines()
    assert len(cut) == 2 + 2 + 1  # header, rule, 2 cases, the count
    assert cut[-1] == "2 of 3 open cases shown; 1 left out by --limit 2 (--limit 3 lists them all)."
    assert listed.invoke(args=["deadlines", "list"]).stdout.splitlines()[-1] == "3 open cases."
    assert listed.invoke(args=["deadlines", "list", "--limit", "0"]).exit_code == 2  # nothing to list: refused


def test_json_gives_the_same_cases_words_and_count(listed):
    result = listed.invoke(args=["deadlines", "list", "--json", "--limit", "1"])
    data = json.loads(result.stdout)  # warnings are inside it, never mixed into it
    assert (data["open_cases"], data["shown"], data["left_out"], data["as_of"]) == (3, 1, 2, "2025-11-30")
    [case] = data["cases"]
    assert (case["number"], case["deadline"], case["deadline_label"], case["party_words"], case["school"],
            case["members"]) == ("2025-600", "policy_filing", "File the policy grievance at Step 1", "Union Local",
                                 "Demo PS", ["Robin Member"])
    assert case["status"] == {"state": "passed", "act_by": "2025-11-28", "due": "2025-11-28", "school_days_left": -1,
                              "words": "passed Fri 28 Nov 2025 — 1 school day ago", "short": "1 ago",
                              "safe_note": ""}
    assert case["flags"] == [{"code": "ours_overdue", "words": "Our limit passed"}]
    assert any("not verified" in w for w in data["warnings"])


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_warnings_go_to_stderr_and_never_into_the_table(listed, as_json):
    result = listed.invoke(args=["deadlines", "list", *as_json])
    assert "warning: The amdsb-elementary 2025-26 calendar is not verified by the local" in result.stderr
    assert "warning:" not in result.stdout
