"""The holidays the law fixes on their dates, on which no Ontario school sits.

workalendar's `Ontario` calendar gives the dates, but it is an employment
calendar: besides the statutory holidays it lists the Employment Standards
Act's substitute days off ("New Year shift", "Christmas Shift", "Boxing Day
(Shift)", "Canada Day Shift"), the Civic Holiday (not a statutory holiday at
all) and Family Day before Ontario had one. None of those closes a school, and
taking one for a holiday makes every count across it a school day late. So
only the holidays named in `_STATUTORY` are kept, and the only substitutes are
the Legislation Act's:

- Legislation Act, 2006, s. 88 (3): New Year's Day on a Sunday: the Monday after
  is also a holiday. Nothing moves a Saturday New Year's Day.
- s. 88 (5): Christmas Day on a Saturday: the Monday after; on a Sunday, the
  Tuesday after. Either way December 27, always inside the Christmas break.

Regulation 304's other school holidays (the Christmas vacation, the mid-winter
break, Easter Monday) are the board's to declare in its calendar, and the year
check (check.py) says when one is missing. Sources:
../shared/reference/ontario-school-calendars.md.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from workalendar.america import Ontario

# workalendar's name -> the law's name. Anything else workalendar lists is not
# a day schools close on (substitutes, the Civic Holiday) and is dropped.
_STATUTORY = {
    "New year": "New Year's Day",
    "Family Day": "Family Day",
    "Good Friday": "Good Friday",
    "Victoria Day": "Victoria Day",
    "Canada Day": "Canada Day",
    "Labor Day": "Labour Day",
    "Thanksgiving": "Thanksgiving Day",
    "Christmas Day": "Christmas Day",
    "Boxing Day": "Boxing Day",
}
# Family Day: first held February 18, 2008 (O. Reg. 579/07 added it to Regulation 304).
FAMILY_DAY_FROM = 2008


@lru_cache(maxsize=256)
def statutory_holidays(calendar_year: int) -> dict[date, str]:
    """{date: name} of the holidays the law fixes in `calendar_year`, substitutes included.

    Raises RuntimeError if workalendar stops listing one of the holidays under
    the name `_STATUTORY` expects: a renamed holiday dropped silently would make
    it a school day.
    """
    holidays = {}
    for day, name in Ontario().holidays(calendar_year):
        law_name = _STATUTORY.get(name)
        if law_name and not (law_name == "Family Day" and calendar_year < FAMILY_DAY_FROM):
            holidays[day] = law_name
    expected = set(_STATUTORY.values()) - ({"Family Day"} if calendar_year < FAMILY_DAY_FROM else set())
    if missing := expected - set(holidays.values()):
        raise RuntimeError(f"workalendar's Ontario calendar does not list {sorted(missing)} for {calendar_year}: "
                           "update _STATUTORY in calendar/holidays.py to its new names.")
    holidays.update(_legislation_act_substitutes(calendar_year))
    return holidays


def _legislation_act_substitutes(calendar_year: int) -> dict[date, str]:
    substitutes = {}
    if date(calendar_year, 1, 1).weekday() == 6:
        substitutes[date(calendar_year, 1, 2)] = "New Year's Day (Sunday), observed Monday: Legislation Act, 2006, s. 88 (3)"
    christmas = date(calendar_year, 12, 25)
    if christmas.weekday() in (5, 6):
        day = "Monday" if christmas.weekday() == 5 else "Tuesday"
        substitutes[date(calendar_year, 12, 27)] = (f"Christmas Day ({christmas:%A}), observed {day}: "
                                                    "Legislation Act, 2006, s. 88 (5)")
    return substitutes


def statutory_holiday(day: date) -> str | None:
    """The holiday's name if the law closes schools on `day`, else None."""
    return statutory_holidays(day.year).get(day)
