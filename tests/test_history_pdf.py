"""A case's history as PDF, read back with pypdf: the chronology first, the day-by-day
arithmetic in an appendix, one time zone (Eastern) for every time printed, the safe date only
on the Union Local's own limits, and the timeline drawn on page 1.

Calendar: the shipped AMDSB 2025-26 year (no PA day in the autumn; Thanksgiving, Mon Oct 13, is a
statutory holiday), plus a snow day on Mon 2025-11-17 added by the test. Today: Thu 2025-11-20.

A policy grievance of six events:
  Mon Oct 06  awareness
  Thu Oct 09  grievance filed at Step 1   -> Step 1 reply (Board) due Fri Oct 24:
                                             Oct 10 is 1, Thanksgiving skipped, Oct 14 is 2 ... Oct 24 is 10
  Wed Oct 22  Step 1 reply                -> Step 2 referral (Union Local) due Wed Nov 05: Oct 23 is 1 ... Nov 5 is 10
  Fri Oct 31  referred at Step 2          -> Step 2 reply (Board): 10 school days, Nov 3 is 1 ... Nov 14 is 10
  Mon Nov 03  meeting requested
  Mon Nov 10  meeting held                   + the 5 school days from request to meeting (Nov 4, 5, 6, 7, 10)
                                             = 15: Nov 17 is 11 ... Nov 21 is 15, due Fri Nov 21;
                                             the snow day on Mon Nov 17 moves it to Mon Nov 24.
Seen on Thu Nov 20 the Board has 2 school days left (Fri 21, Mon 24).
"""
from __future__ import annotations

import io
import logging
import re
from datetime import date, datetime, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from models import DeadlineMove, GrievanceEvent
from operations import grievances as ops
from operations.calendars import add_closure
from school_calendar.days import ClosureKind
from workflows.rules import load_ruleset

RULES = load_ruleset("amdsb-etfo-article-33")
TODAY = date(2025, 11, 20)
EVENTS = [("grievance_filed", date(2025, 10, 9)), ("step1_reply", date(2025, 10, 22)),
          ("step2_referral", date(2025, 10, 31)), ("meeting_requested", date(2025, 11, 3)),
          ("meeting_held", date(2025, 11, 10))]
# Stored in UTC, as the database keeps them: one in daylight time, one in standard time.
FILED_AT = datetime(2025, 10, 9, 16, 5, tzinfo=timezone.utc)      # 12:05 EDT
MOVED_AT = datetime(2025, 11, 17, 13, 30, tzinfo=timezone.utc)    # 08:30 EST


@pytest.fixture
def six_events(app):
    """The case of the module docstring, its recording and move times pinned; returns its id."""
    app.config["TODAY"] = TODAY.isoformat()
    with app.extensions["database"].transaction() as session:
        case = ops.open_case(session, ops.NewCase(number="2025-031", kind="policy", first_event_on=date(2025, 10, 6),
                                                  members=("All teachers",), school="Board-wide",
                                                  clauses="12.06", description="Preparation time cut.",
                                                  remedy="Restore it."), by="officer@example.org", today=TODAY)
        for type_, on in EVENTS:
            ops.record_event(session, case.id, type=type_, occurred_on=on, by="officer@example.org", today=TODAY)
        session.execute(update(GrievanceEvent).where(GrievanceEvent.grievance_id == case.id,
                                                     GrievanceEvent.type == "grievance_filed")
                        .values(recorded_at=FILED_AT))
        case_id = case.id
    with app.extensions["database"].transaction() as session:
        add_closure(session, "amdsb-elementary", date(2025, 11, 17), date(2025, 11, 17), ClosureKind.WEATHER,
                    "Snow storm", by="admin@example.org", reason="Board closed all schools", today=TODAY)
        session.execute(update(DeadlineMove).where(DeadlineMove.grievance_id == case_id).values(moved_at=MOVED_AT))
        assert session.scalar(select(DeadlineMove.new_due).where(DeadlineMove.grievance_id == case_id)) \
            == date(2025, 11, 24)
    return case_id


@pytest.fixture
def pages(officer, six_events) -> list[str]:
    """The text of each page of the case's PDF, as served."""
    response = officer.get(f"/cases/{six_events}/history.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())  # prose wraps where the page ends a line


def test_the_chronology_is_on_page_one_not_behind_the_arithmetic(pages):
    first = flat(pages[0])
    assert "Chronology: events" in first
    assert "Mon 06 Oct 2025 Teacher became aware of the circumstances (33.03)" in first
    assert "Recorded by officer@example.org" in first
    # The time limits follow the events, each with the presenter's status words, by page 2.
    first_two = flat(" ".join(pages[:2]))
    assert "Due Mon 24 Nov 2025: 2 school days left." in first_two  # the Step 2 reply, moved by the snow day
    assert "Due Fri 24 Oct 2025: met on Wed 22 Oct 2025 (Step 1 reply from the Superintendent)." in first_two


def test_the_day_by_day_arithmetic_is_only_in_the_appendix(pages):
    text = "\n".join(pages)
    appendix_page = next(i for i, page in enumerate(pages) if "Appendix: the arithmetic" in page)
    assert appendix_page >= 1, "the appendix begins on a page of its own"
    before = "\n".join(pages[:appendix_page])
    assert "which never counts" not in before and not re.search(r"^ *\d+ +\w{3} \d{4}-\d\d-\d\d +counted", before, re.M)
    # The Step 2 reply's count, day by day, after the heading.
    assert "15 school days after Fri 2025-10-31 (which never counts) is Mon 2025-11-24." in text
    assert text.index("Appendix: the arithmetic") < text.index("(which never counts)")
    assert re.search(r"^ *- +Mon 2025-11-17 +closure: weather \(Snow storm\)$", text, re.MULTILINE)


def test_every_time_printed_is_in_eastern_time_never_utc(pages):
    text = "\n".join(pages)
    assert "UTC" not in text and "+00:00" not in text
    # 16:05 UTC on Oct 9 is 12:05 in daylight time; 13:30 UTC on Nov 17 is 08:30 in standard time.
    assert "Recorded by officer@example.org on Thu 09 Oct 2025 12:05 EDT" in flat(text)
    assert "Mon 17 Nov 2025 08:30 EST: Step 2 reply from the Director of Education moved from Fri 21 Nov 2025 " \
           "to Mon 24 Nov 2025" in flat(text)
    # Every clock time, wherever it is printed (the header, the footers, events, moves), says EST or EDT.
    times = [text[m.start():m.end() + 4] for m in re.finditer(r"\b\d{2}:\d{2}\b", text)]
    assert len(times) >= 10 and all(re.fullmatch(r"\d{2}:\d{2} E[SD]T", t) for t in times), times
    assert "Every time is Eastern time (America/Toronto)." in flat(pages[0])


def appendix_blocks(pages: list[str]) -> dict[str, str]:
    """Limit key -> its text in the appendix, from its heading ("label (clause)") to the next."""
    text = flat("\n".join(pages))
    appendix = text[text.index("Appendix: the arithmetic"):]
    starts = sorted((appendix.index(f"{rule.label} ({rule.clause})"), key) for key, rule in RULES.limits.items()
                    if f"{rule.label} ({rule.clause})" in appendix)
    return {key: appendix[at:(starts[i + 1][0] if i + 1 < len(starts) else None)] for i, (at, key) in enumerate(starts)}


def test_a_board_limit_shows_no_safe_date_where_the_union_limits_do(pages):
    blocks = appendix_blocks(pages)
    assert set(blocks) == {"policy_filing", "step1_reply", "step2_referral", "step2_reply", "meeting"}
    for board_limit in ("step1_reply", "step2_reply"):
        assert "Party to act Board" in blocks[board_limit]
        assert "safe date" not in blocks[board_limit].lower()  # no row, and no Regulation 304 note naming one
    for union_limit in ("policy_filing", "step2_referral"):
        assert "Party to act Union Local" in blocks[union_limit] and "Safe date" in blocks[union_limit]
    # In the chronology too, the Board's Step 2 reply reads by its own date, no safe date beside it.
    chronology = flat(" ".join(pages[:2])).split("Chronology: time limits")[1]
    step2_reply = chronology.split("Step 2 reply from the Director of Education (33.04 Step Two)")[1][:300]
    assert "Due Mon 24 Nov 2025" in step2_reply and "safe" not in step2_reply


def test_the_timeline_is_drawn_on_page_one(officer, six_events, caplog):
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        reader = PdfReader(io.BytesIO(officer.get(f"/cases/{six_events}/history.pdf").data))
    # fpdf2 warns of each SVG element it leaves out: the picture must be drawn whole.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("fpdf")] == []
    first = reader.pages[0]
    words = flat(first.extract_text())
    # The picture's own words: its lanes, the today line, its legend.
    assert "Step 2: Director of Education" in words and "today, Thu 20 Nov 2025" in words
    assert "Board must act" in words and "B break" not in words  # no break between Oct 4 and Nov 27
    # And its drawing: rectangles (bars, shading) and lines (ticks, hatching) as vector paths.
    drawing = first.get_contents().get_data().decode("latin-1")
    assert len(re.findall(r" re\b", drawing)) >= 10 and len(re.findall(r" l\b", drawing)) >= 50
