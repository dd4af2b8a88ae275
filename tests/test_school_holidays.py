"""Holidays from the law, on their real dates: never an employment-law substitute.

workalendar's Ontario calendar lists the Employment Standards Act's substitute
days off ("New Year shift", "Christmas Shift", "Boxing Day (Shift)", "Canada Day
Shift"), the Civic Holiday, and Family Day before 2008. Schools sit on all of
them; a count that skips one ends a school day late. calendar/holidays.py keeps
the statutory holidays and adds only the Legislation Act, 2006, s. 88 substitutes
(../shared/reference/ontario-school-calendars.md).
"""
from datetime import date, timedelta

import pytest
from dateutil.easter import easter

from article33_helpers import RULES, d, deadline, ev
from school_calendar.board_calendar import BoardCalendar
from school_calendar.days import DayType, Unit
from school_calendar.holidays import statutory_holiday
from school_calendar.school_year import CalendarEntry, SchoolYear, school_year_label, validate
from workflows.engine import replay

BOARD = "test-board"


def school_year(label: str, first: str, last: str, *entries: CalendarEntry) -> SchoolYear:
    return SchoolYear(board=BOARD, label=label, first_day=d(first), last_day=d(last), entries=entries,
                      source="test", verified=True)


def entry(first: str, last: str, type: DayType, name: str) -> CalendarEntry:
    return CalendarEntry(d(first), d(last), type, name)


# -------------------------------------------------------------------------------
# The examples: a substitute day counted as a holiday
# -------------------------------------------------------------------------------

# 2027-28: school Tue 2027-09-07 to Fri 2028-06-30; winter break Mon Dec 20 - Fri Dec 31;
# March break Mar 13 - 17; Easter Monday Apr 17. New Year's Day 2028 is a Saturday, so
# nothing moves it: Mon 2028-01-03 is a school day (workalendar calls it "New Year shift").
YEAR_2027_28 = school_year("2027-28", "2027-09-07", "2028-06-30",
                           entry("2027-12-20", "2027-12-31", DayType.BREAK, "Winter break"),
                           entry("2028-03-13", "2028-03-17", DayType.BREAK, "March break"),
                           entry("2028-04-17", "2028-04-17", DayType.SCHOOL_HOLIDAY, "Easter Monday"))


def test_employment_law_substitutes_are_not_school_holidays_step2_referral_2027_28():
    calendar = BoardCalendar(BOARD, [YEAR_2027_28])
    events = [ev("awareness", "2027-11-26"), ev("grievance_filed", "2027-11-29"), ev("step1_reply", "2027-12-10")]
    # From Fri 2027-12-10: Mon 13 (1), Tue 14 (2), Wed 15 (3), Thu 16 (4), Fri 17 (5),
    # [winter break Dec 20 - 31 with Christmas, Boxing Day; Sat Jan 1 New Year's Day, Sun 2],
    # Mon 2028-01-03 (6), Tue 4 (7), Wed 5 (8), Thu 6 (9), Fri 7 (10).
    state = replay(RULES, calendar, "policy", events, d("2027-12-13"))
    referral = deadline(state, "step2_referral")
    assert referral.due == referral.safe_due == referral.act_by == d("2028-01-07")
    assert [calendar.add(d("2027-12-10"), 10, unit) for unit in Unit] == [d("2028-01-07")] * 3


def test_employment_law_substitutes_are_not_school_holidays_a_pa_day_may_fall_on_them():
    # 2027-28 as above, with a PA day on Mon 2028-01-03 (workalendar's "New Year shift").
    year = YEAR_2027_28.with_entry(entry("2028-01-03", "2028-01-03", DayType.PA_DAY, "PA day"))
    validate(year)
    assert BoardCalendar(BOARD, [year]).day(d("2028-01-03")).type is DayType.PA_DAY


def test_employment_law_substitutes_are_not_school_holidays_monday_3_january_2022():
    # 2021-22: school Thu 2021-09-02 to Wed 2022-06-29, winter break Mon Dec 20 - Fri Dec 31.
    # New Year's Day 2022 was a Saturday: Mon Jan 3 was a scheduled school day (the province's
    # public-health delay to Jan 5 was a closure, not a holiday).
    year = school_year("2021-22", "2021-09-02", "2022-06-29",
                       entry("2021-12-20", "2021-12-31", DayType.BREAK, "Winter break"))
    calendar = BoardCalendar(BOARD, [year])
    assert calendar.day(d("2022-01-03")).type is DayType.INSTRUCTIONAL
    assert calendar.add(d("2021-12-17"), 1) == d("2022-01-03")


@pytest.mark.parametrize(("day", "observed"), [
    ("2023-01-02", "New Year's Day (Sunday), observed Monday"),    # s. 88 (3)
    ("2017-01-02", "New Year's Day (Sunday), observed Monday"),
    ("2021-12-27", "Christmas Day (Saturday), observed Monday"),   # s. 88 (5)
    ("2022-12-27", "Christmas Day (Sunday), observed Tuesday"),
])
def test_the_legislation_acts_substitutes_are_holidays(day, observed):
    assert statutory_holiday(d(day)).startswith(observed)


@pytest.mark.parametrize("day", ["2022-01-03", "2028-01-03", "2021-12-28", "2027-12-28", "2023-07-03",
                                 "2025-08-04", "2007-02-19", "2025-11-11", "2025-09-30"])
def test_no_other_day_is_a_holiday(day):
    # Saturday New Year's Days (2022, 2028), Boxing Day on a weekend (2021, 2027), Canada Day
    # on a Saturday (2023), the Civic Holiday, Family Day before 2008, Remembrance Day and
    # the National Day for Truth and Reconciliation: none closes an Ontario school.
    assert statutory_holiday(d(day)) is None


# -------------------------------------------------------------------------------
# Every date from 2000 to 2040 against the law, worked out here from its rules
# -------------------------------------------------------------------------------

def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def law_holidays(year: int) -> set[date]:
    """The statutory holidays by their rules, and the Legislation Act's substitutes."""
    victoria = date(year, 5, 24) - timedelta(days=date(year, 5, 24).weekday())  # the Monday before May 25
    days = {date(year, 1, 1), easter(year) - timedelta(days=2), victoria, date(year, 7, 1),
            _nth_monday(year, 9, 1), _nth_monday(year, 10, 2), date(year, 12, 25), date(year, 12, 26)}
    if year >= 2008:
        days.add(_nth_monday(year, 2, 3))
    if date(year, 1, 1).weekday() == 6:
        days.add(date(year, 1, 2))
    if date(year, 12, 25).weekday() in (5, 6):
        days.add(date(year, 12, 27))
    return days


def test_every_date_from_2000_to_2040_is_a_holiday_only_if_the_law_makes_it_one():
    wrong = []
    for year in range(2000, 2041):
        law = law_holidays(year)
        day = date(year, 1, 1)
        while day.year == year:
            if (statutory_holiday(day) is not None) != (day in law):
                wrong.append(f"{day:%a %Y-%m-%d}: {statutory_holiday(day) or 'not a holiday'}")
            day += timedelta(days=1)
    assert wrong == []


def test_every_typed_holiday_of_the_school_years_2000_to_2040_is_one_the_law_makes():
    # Each year from Sept 1 to June 30 with nothing declared: every date the calendar types a
    # statutory or school holiday must be one of the law's.
    wrong = []
    for start in range(2000, 2040):
        year = school_year(school_year_label(start), f"{start}-09-01", f"{start + 1}-06-30")
        for typed in year.typed_days():
            if typed.type in (DayType.STATUTORY_HOLIDAY, DayType.SCHOOL_HOLIDAY) \
                    and typed.date not in law_holidays(typed.date.year):
                wrong.append(f"{typed.date}: {typed.name}")
    assert wrong == []


# -------------------------------------------------------------------------------
# The Ministry's default years: built from its table, counted against its totals
# -------------------------------------------------------------------------------

# ontario.ca "School year calendars": Labour Day, Thanksgiving, the Christmas and
# mid-winter breaks (inclusive), Family Day, Good Friday; Easter Monday follows Easter.
MINISTRY = {
    "2022-23": ("09-05", "10-10", ("12-19", "12-30"), "02-20", ("03-13", "03-17"), "04-07", 195),
    "2023-24": ("09-04", "10-09", ("12-25", "01-05"), "02-19", ("03-11", "03-15"), "03-29", 194),
    "2024-25": ("09-02", "10-14", ("12-23", "01-03"), "02-17", ("03-10", "03-14"), "04-18", 195),
    "2025-26": ("09-01", "10-13", ("12-22", "01-02"), "02-16", ("03-16", "03-20"), "04-03", 196),
    "2026-27": ("09-07", "10-12", ("12-21", "01-01"), "02-15", ("03-15", "03-19"), "03-26", 196),
}


def ministry_year(label: str, first_day: str | None = None) -> tuple[SchoolYear, list[date]]:
    """The default year of the table, Sept 1 to June 30, and the holidays it names that
    the law (not the year's entries) must supply."""
    start = int(label[:4])

    def on(month_day: str) -> str:
        return f"{start if int(month_day[:2]) >= 7 else start + 1}-{month_day}"

    labour, thanks, christmas, family, march, good_friday, _ = MINISTRY[label]
    easter_monday = (easter(start + 1) + timedelta(days=1)).isoformat()
    year = school_year(label, first_day or f"{start}-09-01", f"{start + 1}-06-30",
                       entry(on(christmas[0]), on(christmas[1]), DayType.BREAK, "Christmas break"),
                       entry(on(march[0]), on(march[1]), DayType.BREAK, "Mid-winter break"),
                       entry(easter_monday, easter_monday, DayType.SCHOOL_HOLIDAY, "Easter Monday"))
    return year, [d(on(x)) for x in (labour, thanks, family, good_friday)]


def school_days_sept_to_june(year: SchoolYear) -> int:
    calendar = BoardCalendar(BOARD, [year])
    return calendar.count(date(year.start_year, 8, 31), date(year.start_year + 1, 6, 30))


@pytest.mark.parametrize("label", ["2022-23", "2024-25", "2025-26", "2026-27"])
def test_a_ministry_default_year_counts_exactly_the_published_total(label):
    year, by_law = ministry_year(label)
    assert all(statutory_holiday(day) for day in by_law)
    assert school_days_sept_to_june(year) == MINISTRY[label][-1]


def test_2022_23_counts_195_only_with_monday_2_january_a_holiday():
    # New Year's Day 2023 was a Sunday: the Legislation Act makes Monday Jan 2 a holiday,
    # outside the Ministry's Christmas break (Dec 19 - 30). Without it the year has 196.
    year, _ = ministry_year("2022-23")
    assert BoardCalendar(BOARD, [year]).day(d("2023-01-02")).type is DayType.STATUTORY_HOLIDAY
    assert school_days_sept_to_june(year) == 195


def test_2023_24_is_one_day_short_of_its_table_and_the_day_is_friday_1_september():
    """What we found: the table's holidays leave 195 weekdays from Fri 2023-09-01 to Fri
    2024-06-28, yet the Ministry publishes 194. No holiday of Regulation 304 or the
    Legislation Act falls on another 2023-24 weekday (the walk above), so no holiday rule
    can give 194 without being wrong elsewhere. The one day that differs is Friday
    September 1, 2023, alone before the Labour Day weekend: the other years' days before
    Labour Day (2022: Sep 1-2; 2026: Sep 1-4) are in their totals, and boards' approved
    2023-24 calendars began after Labour Day. So the engine encodes no rule for it: a board's
    own first day decides, and the year check counts from the first day it declares."""
    year, by_law = ministry_year("2023-24")
    assert all(statutory_holiday(day) for day in by_law)
    assert school_days_sept_to_june(year) == 195
    after_labour_day, _ = ministry_year("2023-24", first_day="2023-09-05")
    assert school_days_sept_to_june(after_labour_day) == MINISTRY["2023-24"][-1] == 194
