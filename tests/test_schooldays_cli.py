"""`flask --app app schooldays …` on a database loaded with the shipped
Avon Maitland DSB elementary calendars (see test_arithmetic_amdsb for the dates)."""
import json
from datetime import date

from sqlalchemy import select

from models import CalendarChange, CalendarEntryRecord


def test_add_prints_the_date_and_warns_about_the_unverified_calendar(cli):
    # Thanksgiving 2024: from Wed Oct 9, Thu 10 (1), Fri 11 (2), [weekend, Mon 14], Tue 15 (3).
    result = cli.invoke(args=["schooldays", "add", "2024-10-09", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2024-10-15"
    assert "2024-25 calendar is not verified" in result.stderr


def test_add_json_gives_the_date_the_safe_date_and_the_warnings(cli):
    # From Fri 2024-08-30, the PA day Tue Sep 3 is skipped (school days) but counts
    # under Regulation 304, which makes Sep 3 the safe date.
    result = cli.invoke(args=["schooldays", "add", "2024-08-30", "1", "--json"])
    data = json.loads(result.stdout)
    assert (data["result"], data["safe_date"], data["unit"]) == ("2024-09-04", "2024-09-03", "school days")


def test_days_unit_counts_pa_days(cli):
    result = cli.invoke(args=["schooldays", "add", "2024-08-30", "1", "--unit", "days"])
    assert result.stdout.strip() == "2024-09-03"


def test_count_between_two_dates(cli):
    result = cli.invoke(args=["schooldays", "count", "2024-12-18", "2025-01-15", "--json"])
    assert json.loads(result.stdout)["count"] == 10


def test_explain_lists_every_day_and_why(cli):
    result = cli.invoke(args=["schooldays", "explain", "2025-03-05", "5"])
    assert result.exit_code == 0
    assert "Mon 2025-03-10  March break" in result.stdout
    assert "  5  Wed 2025-03-19  counted: instructional day" in result.stdout


def test_show_a_day_and_the_loaded_years(cli):
    day = cli.invoke(args=["schooldays", "show", "2024-09-03"])
    assert "PA day before classes begin (2024-25); counts as: days, Regulation 304 school days" in day.stdout
    years = cli.invoke(args=["schooldays", "show", "--json"])
    assert [y["label"] for y in json.loads(years.stdout)["school_years"]] == ["2024-25", "2025-26", "2026-27"]


def test_a_bad_date_names_the_argument_and_the_format(cli):
    result = cli.invoke(args=["schooldays", "add", "2024-13-01", "3"])
    assert result.exit_code == 2
    assert "START" in result.output and "YYYY-MM-DD" in result.output


def test_a_bad_unit_names_the_choices(cli):
    result = cli.invoke(args=["schooldays", "add", "2024-10-01", "3", "--unit", "weeks"])
    assert result.exit_code == 2 and "'school-days'" in result.output


def test_a_count_into_a_missing_year_names_it(cli):
    result = cli.invoke(args=["schooldays", "add", "2027-06-15", "20"])
    assert result.exit_code == 1 and "2027-28 school-year calendar" in result.output


def test_an_unknown_board_names_the_loaded_ones(cli):
    result = cli.invoke(args=["schooldays", "add", "2024-10-01", "3", "--board", "nowhere"])
    assert result.exit_code == 1 and "amdsb-elementary" in result.output


def test_loading_twice_changes_nothing(cli):
    result = cli.invoke(args=["schooldays", "load", "--by", "test-suite"])
    outcomes = [line for line in result.stdout.splitlines() if not line.startswith(" ")]  # checks are indented
    assert outcomes == [f"amdsb-elementary {y}: unchanged" for y in ("2024-25", "2025-26", "2026-27")] + \
        [f"hdsb-{panel} 2025-26: unchanged" for panel in ("elementary", "secondary")]


def test_a_closure_moves_counts_and_is_logged_with_who_and_why(app, cli):
    # 2025-26: from Mon 2026-02-02, Tue 3 (1), Wed 4 (2) until Feb 3 is closed.
    assert cli.invoke(args=["schooldays", "add", "2026-02-02", "2"]).stdout.strip() == "2026-02-04"
    result = cli.invoke(args=["schooldays", "close", "2026-02-03", "--kind", "weather", "--name", "Snow storm",
                              "--reason", "Board closed all schools", "--by", "officer@example.org"])
    assert result.exit_code == 0, result.output
    assert cli.invoke(args=["schooldays", "add", "2026-02-02", "2"]).stdout.strip() == "2026-02-05"
    with app.extensions["database"].transaction() as session:
        change = session.scalars(select(CalendarChange).where(CalendarChange.action == "closure added")).one()
        assert (change.changed_by, change.reason, change.school_year_label) == (
            "officer@example.org", "Board closed all schools", "2025-26")


def test_a_refused_closure_stores_nothing(app, cli):
    # Sat 2026-02-07: a closure may not start on a weekend.
    result = cli.invoke(args=["schooldays", "close", "2026-02-07", "--kind", "weather", "--reason", "x", "--by", "me"])
    assert result.exit_code == 1 and "Saturday" in result.output
    with app.extensions["database"].transaction() as session:
        assert session.scalars(select(CalendarEntryRecord).where(CalendarEntryRecord.day_type == "closure")).all() == []
        assert session.scalars(select(CalendarChange).where(CalendarChange.action == "closure added")).all() == []


def test_export_writes_the_stored_year_with_its_closures(cli):
    cli.invoke(args=["schooldays", "close", "2026-02-03", "2026-02-04", "--kind", "strike", "--name", "ETFO strike",
                     "--reason", "strike notice", "--by", "me"])
    result = cli.invoke(args=["schooldays", "export", "--year", "2025-26"])
    assert "2026-02-03 .. 2026-02-04 | closure: strike | ETFO strike" in " ".join(result.stdout.split())


def test_an_ics_import_writes_a_file_that_loads_and_counts(cli, tmp_path):
    # A 2027-28 calendar published as .ics: first day Tue 2027-09-07, a PA day Fri 2027-10-08,
    # winter break Dec 20 - 31, March break Mar 13 - 17, Easter Monday Apr 17, last day Fri
    # 2028-06-30 (194 school days: the Regulation 304 check passes). From Thu 2027-10-07: [Fri 8 PA day, weekend, Mon 11 Thanksgiving], Tue 12.
    from test_ics_import import event, ics

    source = tmp_path / "board.ics"
    source.write_bytes(ics(event("First day of school", date(2027, 9, 7)), event("PA Day", date(2027, 10, 8)),
                           event("Winter Break", date(2027, 12, 20), date(2028, 1, 1)),
                           event("March Break", date(2028, 3, 13), date(2028, 3, 18)),
                           event("Easter Monday", date(2028, 4, 17)),
                           event("Last day of school", date(2028, 6, 30))))
    out = tmp_path / "boards" / "amdsb-elementary" / "2027-28.schoolyear"
    result = cli.invoke(args=["schooldays", "import-ics", str(source), "--board", "amdsb-elementary",
                              "--year", "2027-28", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "verified: no" in out.read_text()
    loaded = cli.invoke(args=["schooldays", "load", str(tmp_path / "boards"), "--by", "test-suite"])
    assert "amdsb-elementary 2027-28: loaded" in loaded.stdout
    assert cli.invoke(args=["schooldays", "add", "2027-10-07", "1"]).stdout.strip() == "2027-10-12"
