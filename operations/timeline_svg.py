"""A case as a picture: an SVG timeline drawn on the server, for the case page and the PDF.

    svg = timeline_svg(state, rules, calendar, today, number="2025-010", moves=[Move(...)], width=880)

In: the replayed case (workflows.engine.CaseState: its effective events, in date order, and
every deadline, running or ended), its rule set (the labels of stages, events and limits), the
board calendar the case counts on (None: no day is shaded), today, and the deadlines a calendar
change moved. Out: one <svg> element as text.

The drawing, top to bottom, in user units (one unit is one CSS pixel when the picture is shown
`width` wide; it scales to its box: viewBox, width 100%):

    axis     months, Mondays' day numbers, a letter on each break (B), PA day (PA), holiday (H),
             closure (C), summer (S) or year with no calendar (?), and a tick on every school day
    lanes    one per step (stage) the case has been in, in order: each event a row with a dot
             on its date, each time limit a row with a bar from its trigger to its last day,
             the act-by (safe) date marked with a diamond where it comes before the agreement's
    today    a dashed line
    legend   what each mark, bar and shading means

The x axis has one column per calendar date, so a break takes its width and is shaded (hatched
as well as tinted: printed in black and white the kinds of day still differ); the school days
that count are the ticked, unshaded ones.

Every status and date is worded by the one presenter (operations.deadline_status). Every text
is escaped and stripped of characters XML cannot hold. No script, no style attribute or element
(the site's Content-Security-Policy allows neither) and nothing loaded from elsewhere: only
presentation attributes. Hatching is plain paths rather than <pattern>, which fpdf2 ignores, so
that the PDF's copy (pdf=True: no tooltips, absolute size, the PDF's own font) looks the same.
"""
from __future__ import annotations

import re
import textwrap
from contextlib import suppress
from datetime import date, timedelta
from html import escape
from typing import Callable, Iterable, NamedTuple

from school_calendar.board_calendar import BoardCalendar
from school_calendar.days import DayType
from school_calendar.errors import SchoolYearMissing
from workflows.engine import CaseEvent, CaseState, Deadline
from workflows.rules import RuleSet

from .deadline_status import DeadlineStatus, deadline_status, long_date

INK, MUTED, GRID, ACCENT, LATE, WHITE = "#1a1a1a", "#4d4d4d", "#bdbdbd", "#1f4e8c", "#9b1c1c", "#ffffff"
TEXT, SMALL = 12, 10          # font sizes
LINE = 15                     # the height of a line of TEXT
PAD = 8                       # blank margin left and right
AXIS_BOTTOM = 50              # the axis band: months 0-16, Mondays 16-30, letters 30-44, school-day ticks 45-50
STRIP_TOP = 30
BAR = 10                      # a time limit's bar
PARTY_WORDS = {"union": "Union Local", "board": "Board", "both": "Both parties"}
WEB_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
# Characters XML 1.0 cannot hold (a control character in a calendar's day name must not break the page).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class Move(NamedTuple):
    """A deadline a calendar change moved (models.DeadlineMove, or a case export's deadline_moves)."""

    deadline_key: str
    old_due: date | None
    new_due: date | None
    reason: str = ""


class Shade(NamedTuple):
    code: str       # the letters on the axis ("" for weekends: too many to letter)
    words: str      # the legend's words
    fill: str
    hatch: str      # "/", "\\", "|", "-", "x", "+" or "" (none)


SHADES = {
    "weekend": Shade("", "weekend", "#ececec", ""),
    "break": Shade("B", "break", "#e4ddfa", "/"),
    "pa": Shade("PA", "PA day", "#d3e4fa", "\\"),
    "holiday": Shade("H", "holiday", "#fad8d6", "|"),
    "closure": Shade("C", "closure (strike, weather…)", "#f4bdbd", "x"),
    "summer": Shade("S", "summer", "#f2f2f2", "-"),
    "missing": Shade("?", "no calendar loaded", WHITE, "+"),
}
_KIND_OF = {DayType.WEEKEND: "weekend", DayType.BREAK: "break", DayType.PA_DAY: "pa",
            DayType.STATUTORY_HOLIDAY: "holiday", DayType.SCHOOL_HOLIDAY: "holiday", DayType.CLOSURE: "closure",
            DayType.OUTSIDE_YEAR: "summer"}
# A bar's fill and outline by the party that must act; ended limits are drawn pale.
_BARS = {"union": (ACCENT, ACCENT), "board": (WHITE, INK), "both": ("#a9b4c2", INK)}
_ENDED_BARS = {"union": ("#bccadd", "#8fa3bf"), "board": (WHITE, "#9a9a9a"), "both": ("#dde1e6", "#9a9a9a")}


class Span(NamedTuple):
    """Consecutive days that are not counted school days, of one kind and name."""

    first: date
    last: date
    kind: str       # a key of SHADES
    name: str


# -- the picture --------------------------------------------------------------------------------

def timeline_svg(state: CaseState, rules: RuleSet, calendar: BoardCalendar | None, today: date, *,
                 number: str = "", moves: Iterable[Move] = (), width: int = 880, id_prefix: str = "case-timeline",
                 pdf: bool = False, font_family: str = WEB_FONT, spell: Callable[[str], str] = str) -> str:
    """The case's timeline as an <svg> element, `width` user units wide (its height follows).
    `id_prefix` keeps the ids of two pictures on one page apart. `pdf`: sized in units rather than
    100 % and without tooltips, for fpdf2; `spell` respells text for the font that draws it (the
    PDF's core fonts hold latin-1 only)."""
    moves = list(moves)
    first, last = _date_range(state, today, moves)
    spans = non_school_spans(calendar, first, last) if calendar else []
    drawing = _Drawing(first, last, width, spell, tooltips=not pdf)
    bottom = _lanes(drawing, state, rules, calendar, today, moves)
    legend_top = _today(drawing, today, bottom)
    height = _legend(drawing, _legend_items(state, calendar, today, spans, moves), legend_top)
    behind = _Drawing(first, last, width, spell, tooltips=not pdf)
    _shading(behind, spans, bottom)
    _axis(behind, calendar, spans, bottom)
    common = (f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" font-family="'
              f'{_text(font_family, str)}" font-size="{TEXT}" fill="{INK}"')
    body = "".join(behind.parts) + "".join(drawing.parts)
    if pdf:  # fpdf2 draws no title or description (and warns of each); the PDF's text says it all
        return f'<svg {common} width="{width}" height="{height}">{body}</svg>'
    title = f"Timeline of case {number}" if number else "Timeline of the case"
    return (f'<svg {common} width="100%" role="img" aria-labelledby="{id_prefix}-title" '
            f'aria-describedby="{id_prefix}-desc" class="timeline-svg">'
            f'<title id="{id_prefix}-title">{_text(title, spell)}</title>'
            f'<desc id="{id_prefix}-desc">{_text(describe(state, rules, calendar, today, spans), spell)}</desc>'
            f"{body}</svg>")


def describe(state: CaseState, rules: RuleSet, calendar: BoardCalendar | None, today: date,
             spans: list[Span]) -> str:
    """The picture in words (its <desc>): the steps, how many events and limits, the next date to act
    by and the days shaded. The page's own text holds every fact in full."""
    lanes = [rules.stages[lane].label for lane in _lane_order(state, rules)]
    dates = f" from {long_date(state.events[0].occurred_on)} to {long_date(state.events[-1].occurred_on)}" \
        if state.events else ""
    words = [f"{_count(len(state.events), 'event')}{dates}, and {_count(len(state.deadlines), 'time limit')}, "
             f"in {_count(len(lanes), 'step')}: {'; '.join(lanes)}."]
    nxt = state.next_deadline
    if nxt:
        status = deadline_status(nxt, calendar, today)
        words.append(f"Next: {nxt.rule.label}, {PARTY_WORDS.get(nxt.party, nxt.party)}, act by "
                     f"{long_date(status.act_by)}: {status.words}.")
    named = [f"{s.name or SHADES[s.kind].words} {_days_words(s)}" for s in spans if s.kind != "weekend"]
    if named:
        more = f" and {len(named) - 8} more" if len(named) > 8 else ""
        words.append(f"Days that do not count, shaded: {'; '.join(named[:8])}{more}.")
    words.append(f"Today is {long_date(today)}. The same facts are in the text of the case.")
    return " ".join(words)


# -- what is drawn where ------------------------------------------------------------------------

def non_school_spans(calendar: BoardCalendar, first: date, last: date) -> list[Span]:
    """The days from `first` to `last` that are not counted school days, run together by kind and
    name; a weekend inside a break (or summer, or a strike) is drawn as part of it."""
    runs: list[Span] = []
    day = first
    while day <= last:
        kind, name = _kind_of(calendar, day)
        if runs and runs[-1].kind == kind and runs[-1].name == name and runs[-1].last == day - timedelta(days=1):
            runs[-1] = runs[-1]._replace(last=day)
        elif kind:
            runs.append(Span(day, day, kind, name))
        day += timedelta(days=1)
    return _absorb_weekends(runs)


def _kind_of(calendar: BoardCalendar, day: date) -> tuple[str, str]:
    try:
        typed = calendar.day(day)
    except SchoolYearMissing as missing:
        return "missing", f"no {missing.school_year} calendar loaded"
    kind = _KIND_OF.get(typed.type, "")
    return kind, (typed.reason if kind not in ("weekend", "summer") else "")


def _absorb_weekends(runs: list[Span]) -> list[Span]:
    out: list[Span] = []
    for run in runs:
        if len(out) >= 2 and out[-1].kind == "weekend" and _joins(out[-2], out[-1]) and _joins(out[-1], run) \
                and (out[-2].kind, out[-2].name) == (run.kind, run.name):
            out.pop()  # the weekend
            run = out.pop()._replace(last=run.last)
        out.append(run)
    return out


def _joins(a: Span, b: Span) -> bool:
    return a.last + timedelta(days=1) == b.first


def _date_range(state: CaseState, today: date, moves: list[Move]) -> tuple[date, date]:
    """From just before the first event to just after the last date drawn (today included). A date
    far from the case (an extension to 9999-12-31 stored before the gate bounded dates) is left
    out of the range: its bar runs off the edge rather than squeezing years into the picture."""
    anchors = [e.occurred_on for e in state.events] + [today]
    near = (min(anchors) - timedelta(days=366), max(anchors) + timedelta(days=731))
    days = list(anchors)
    for d in state.deadlines:
        days += [x for x in (d.trigger_date, d.due, d.safe_due, d.extended_to, d.ended_on) if x]
    days += [x for m in moves for x in (m.old_due, m.new_due) if x]
    days = [x for x in days if near[0] <= x <= near[1]]
    first, last = min(days) - timedelta(days=2), max(days) + timedelta(days=3)
    return first, max(last, first + timedelta(days=20))


def _lane_of_events(state: CaseState, rules: RuleSet) -> dict:
    """Event id -> the step (stage) its row is drawn in: the stage it moves the case to, or the one it
    happened in when it moves the case nowhere or closes it (a settlement belongs to its step)."""
    stage, lanes = "new", {}
    for e in state.events:
        rule = rules.events.get(e.type)
        after = (rule.next_stage(state.kind) if rule else None) or stage
        lanes[e.id] = after if rules.stages[after].open else stage
        stage = after
    return lanes


def _lane_of_deadline(d: Deadline, events: list[CaseEvent], lane_of: dict) -> str:
    """The step of the event that started it, or (a limit run from a lapse, 33.02 c) the step the case
    was in on its trigger date."""
    if d.trigger_event_id in lane_of:
        return lane_of[d.trigger_event_id]
    before = [e for e in events if e.occurred_on <= d.trigger_date] or events[:1]
    return lane_of[before[-1].id]


def _lane_order(state: CaseState, rules: RuleSet) -> list[str]:
    lane_of = _lane_of_events(state, rules)
    return list(dict.fromkeys(lane_of[e.id] for e in state.events))


def _rows(state: CaseState, rules: RuleSet) -> dict[str, list]:
    """Step -> its events and time limits in date order (an event before the limits it starts)."""
    lane_of = _lane_of_events(state, rules)
    rows: dict[str, list] = {lane: [] for lane in _lane_order(state, rules)}
    for e in state.events:
        rows[lane_of[e.id]].append(((e.occurred_on, 0, e.seq), e))
    for i, d in enumerate(state.deadlines):
        rows.setdefault(_lane_of_deadline(d, state.events, lane_of), []).append(((d.trigger_date, 1, i), d))
    return {lane: [item for _, item in sorted(items, key=lambda pair: pair[0])] for lane, items in rows.items()}


# -- drawing ------------------------------------------------------------------------------------

class _Drawing:
    """SVG elements as text, on an x axis of one column per date from `first` to `last`."""

    def __init__(self, first: date, last: date, width: int, spell: Callable[[str], str], tooltips: bool):
        self.first, self.left, self.right = first, PAD, width - PAD
        self.day_w = (self.right - self.left) / ((last - first).days + 1)
        self.last, self.spell, self.tooltips, self.parts = last, spell, tooltips, []

    def x(self, day: date) -> float:
        """The left edge of `day`'s column."""
        return self.left + (day - self.first).days * self.day_w

    def mid(self, day: date) -> float:
        return self.x(day) + self.day_w / 2

    def add(self, element: str, tooltip: str = "") -> None:
        if tooltip and self.tooltips:
            element = f"<g><title>{_text(tooltip, self.spell)}</title>{element}</g>"
        self.parts.append(element)

    def text(self, x: float, y: float, words: str, *, size: int = TEXT, anchor: str = "start", bold: bool = False,
             fill: str = INK) -> None:
        weight = ' font-weight="bold"' if bold else ""
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{weight}>'
                 f"{_text(words, self.spell)}</text>")


def _lanes(drawing: _Drawing, state: CaseState, rules: RuleSet, calendar: BoardCalendar | None, today: date,
           moves: list[Move]) -> float:
    """Each step's title, then its rows; returns where the last lane ends."""
    y = AXIS_BOTTOM + 6.0
    for lane, items in _rows(state, rules).items():
        drawing.add(f'<line x1="0" y1="{y:.1f}" x2="{drawing.right + PAD}" y2="{y:.1f}" stroke="{MUTED}" '
                    'stroke-width="1"/>')
        for line in _wrap(rules.stages[lane].label, drawing.right - drawing.left, TEXT + 1, bold=True):
            drawing.text(drawing.left, y + 15, line, size=TEXT + 1, bold=True)
            y += LINE + 1
        y += 8
        for item in items:
            y = _deadline_row(drawing, item, calendar, today, moves, y) if isinstance(item, Deadline) \
                else _event_row(drawing, item, rules, y)
    return y + 2


def _event_row(drawing: _Drawing, event: CaseEvent, rules: RuleSet, y: float) -> float:
    """A dot on the event's date, its date and name beside the dot where they fit, else above it."""
    rule = rules.events.get(event.type)
    words = f"{long_date(event.occurred_on)} · {rule.label if rule else event.type}"
    x, wide = drawing.mid(event.occurred_on), _width(words, TEXT)
    if x + 9 + wide <= drawing.right or x - 9 - wide >= drawing.left:
        right = x + 9 + wide <= drawing.right
        drawing.text(x + 9 if right else x - 9, y + 11, words, anchor="start" if right else "end")
        dot_y, y = y + 7, y + 20
    else:
        for line in _wrap(words, drawing.right - drawing.left, TEXT):
            drawing.text(drawing.left, y + 11, line)
            y += LINE
        dot_y, y = y + 5, y + 16
    drawing.add(f'<circle cx="{x:.1f}" cy="{dot_y:.1f}" r="5" fill="{INK}" stroke="{WHITE}" stroke-width="1.5"/>',
                words)
    return y


def _deadline_row(drawing: _Drawing, d: Deadline, calendar: BoardCalendar | None, today: date,
                  moves: list[Move], y: float) -> float:
    """The limit's name and status above a bar from its trigger to its last day."""
    status = deadline_status(d, calendar, today)
    words = f"{d.rule.label} — {deadline_words(d, status)}"
    for line in _wrap(words, drawing.right - drawing.left, TEXT):
        drawing.text(drawing.left, y + 11, line, fill=MUTED if status.state == "ended" else INK)
        y += LINE
    top = y + 3
    _bar(drawing, d, status, top, words)
    for move in moves:
        if move.deadline_key == d.key and move.old_due and drawing.first <= move.old_due <= drawing.last:
            drawing.add(f'<circle cx="{drawing.mid(move.old_due):.1f}" cy="{top + BAR / 2:.1f}" r="4" fill="{WHITE}" '
                        f'stroke="{INK}" stroke-width="1.5"/>',
                        f"Moved from {long_date(move.old_due)} to {long_date(move.new_due)}: {move.reason}")
    return top + BAR + 11


def deadline_words(d: Deadline, status: DeadlineStatus) -> str:
    """"Board: act by Thu 27 Nov 2025 · 5 school days left", "Union Local: met Thu 13 Nov 2025"."""
    party = PARTY_WORDS.get(d.party, d.party)
    if status.state == "ended":
        return f"{party}: {status.words}" + (f" {long_date(d.ended_on)}" if d.ended_on else "")
    if status.state in ("passed", "unknown") or status.act_by is None:
        return f"{party}: {status.words}"
    safe = " (safe date)" if status.safe_note else ""
    return f"{party}: act by {long_date(status.act_by)}{safe} · {status.words}"


def _bar(drawing: _Drawing, d: Deadline, status: DeadlineStatus, top: float, tooltip: str) -> None:
    """Trigger tick, bar to the act-by date, a dashed outline on to the agreement's later date (the
    diamond marks the act-by date there), and a heavy tick on the last day."""
    fill, stroke = (_ENDED_BARS if status.state == "ended" else _BARS).get(d.party, _BARS["both"])
    start, end, act = drawing.mid(d.trigger_date), d.extended_to or d.due, status.act_by
    drawing.add(f'<line x1="{start:.1f}" y1="{top - 3:.1f}" x2="{start:.1f}" y2="{top + BAR + 3:.1f}" '
                f'stroke="{INK}" stroke-width="1"/>')
    if end is None:
        drawing.text(start + 5, top + BAR - 1, "? (not counted)", size=SMALL, fill=MUTED)
        return
    act_x, end_x = drawing.mid(act or end), drawing.mid(end)
    drawing.add(f'<rect x="{start:.1f}" y="{top:.1f}" width="{max(act_x - start, 2):.1f}" height="{BAR}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>', tooltip)
    if end_x > act_x:
        drawing.add(f'<rect x="{act_x:.1f}" y="{top + 1:.1f}" width="{end_x - act_x:.1f}" height="{BAR - 2}" '
                    f'fill="none" stroke="{stroke}" stroke-width="1.2" stroke-dasharray="3 2"/>', tooltip)
        drawing.add(_diamond(act_x, top + BAR / 2, 6), f"Act by {long_date(act)}: {status.safe_note}")
    tick = LATE if status.state == "passed" else INK
    drawing.add(f'<line x1="{end_x:.1f}" y1="{top - 4:.1f}" x2="{end_x:.1f}" y2="{top + BAR + 4:.1f}" '
                f'stroke="{tick}" stroke-width="3"/>', f"Last day: {long_date(end)}")


def _diamond(x: float, y: float, r: float) -> str:
    return (f'<path d="M{x:.1f} {y - r:.1f}L{x + r:.1f} {y:.1f}L{x:.1f} {y + r:.1f}L{x - r:.1f} {y:.1f}Z" '
            f'fill="{WHITE}" stroke="{INK}" stroke-width="1.5"/>')


def _today(drawing: _Drawing, today: date, bottom: float) -> float:
    """A dashed line on today's column, named under the lanes; returns where the legend starts."""
    if not drawing.first <= today <= drawing.last:
        return bottom + 8
    x = drawing.mid(today)
    drawing.add(f'<line x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{INK}" stroke-width="1.5" '
                'stroke-dasharray="5 3"/>')
    words = f"today, {long_date(today)}"
    right = x + _width(words, TEXT, bold=True) <= drawing.right
    drawing.text(x + 3 if right else x - 3, bottom + 14, words, anchor="start" if right else "end", bold=True)
    return bottom + 26


def _shading(drawing: _Drawing, spans: list[Span], bottom: float) -> None:
    """Each span tinted and hatched from the letter strip down through the lanes."""
    for span in spans:
        shade = SHADES[span.kind]
        x, w = drawing.x(span.first), drawing.x(span.last + timedelta(days=1)) - drawing.x(span.first)
        hatch = _hatch(shade.hatch, x, STRIP_TOP, w, bottom - STRIP_TOP)
        drawing.add(f'<rect x="{x:.1f}" y="{STRIP_TOP}" width="{w:.1f}" height="{bottom - STRIP_TOP:.1f}" '
                    f'fill="{shade.fill}"/>'
                    + (f'<path d="{hatch}" stroke="#7a7a7a" stroke-width="0.6" fill="none"/>' if hatch else ""),
                    f"{span.name or shade.words}: {_days_words(span)}")


def _hatch(kind: str, x: float, y: float, w: float, h: float, step: float = 7.0) -> str:
    """Path data for hatching the rectangle, each line clipped to it. Lines sit on one grid across
    the picture, so two spans side by side hatch as one."""
    d = []
    for direction in {"/": "/", "\\": "\\", "x": "/\\", "|": "|", "-": "-", "+": "|-"}.get(kind, ""):
        if direction == "|":
            d += [f"M{k:.1f} {y:.1f}V{y + h:.1f}" for k in _steps(x, x + w, step)]
        elif direction == "-":
            d += [f"M{x:.1f} {k:.1f}H{x + w:.1f}" for k in _steps(y, y + h, step)]
        elif direction == "/":  # x + y = k
            for k in _steps(x + y, x + w + y + h, step):
                lo, hi = max(x, k - y - h), min(x + w, k - y)
                if hi - lo > 0.1:
                    d.append(f"M{lo:.1f} {k - lo:.1f}L{hi:.1f} {k - hi:.1f}")
        else:  # x - y = k
            for k in _steps(x - y - h, x + w - y, step):
                lo, hi = max(x, k + y), min(x + w, k + y + h)
                if hi - lo > 0.1:
                    d.append(f"M{lo:.1f} {lo - k:.1f}L{hi:.1f} {hi - k:.1f}")
    return "".join(d)


def _steps(lo: float, hi: float, step: float) -> list[float]:
    """The multiples of `step` strictly inside (lo, hi)."""
    k = (int(lo // step) + 1) * step
    out = []
    while k < hi:
        out.append(k)
        k += step
    return out


def _axis(drawing: _Drawing, calendar: BoardCalendar | None, spans: list[Span], bottom: float) -> None:
    """Months (a line where each begins), Mondays' day numbers, the spans' letters, school-day ticks."""
    months = [drawing.first] + [m for m in _month_starts(drawing.first, drawing.last) if m > drawing.first]
    labelled_to = 0.0
    for i, month in enumerate(months):
        x = drawing.x(month)
        if month.day == 1:
            drawing.add(f'<line x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{GRID}" stroke-width="1"/>')
        label = _month_label(month, year_needed=i == 0 or month.month == 1,
                             room=(drawing.x(months[i + 1]) if i + 1 < len(months) else drawing.right) - x - 4)
        # Where months are narrow a label runs on over the next months, which go unlabelled.
        if x + 3 >= labelled_to and x + 3 + _width(label, SMALL + 1, bold=True) <= drawing.right + PAD:
            drawing.text(x + 3, 12, label, size=SMALL + 1, bold=True)
            labelled_to = x + 3 + _width(label, SMALL + 1, bold=True) + 6
    if drawing.day_w * 7 >= 18:
        day = drawing.first + timedelta(days=(7 - drawing.first.weekday()) % 7)
        while day <= drawing.last:
            drawing.text(drawing.mid(day), 27, str(day.day), size=SMALL, anchor="middle", fill=MUTED)
            day += timedelta(days=7)
    for span in spans:
        code = SHADES[span.kind].code
        if code and (span.last - span.first).days * drawing.day_w + drawing.day_w >= _width(code, SMALL, bold=True) + 2:
            drawing.text((drawing.x(span.first) + drawing.x(span.last + timedelta(days=1))) / 2, 41, code,
                         size=SMALL, anchor="middle", bold=True)
    if calendar and drawing.day_w >= 3:
        ticks = "".join(f"M{drawing.mid(day):.1f} 45V50" for day in _school_days(calendar, drawing.first, drawing.last))
        if ticks:
            drawing.add(f'<path d="{ticks}" stroke="{INK}" stroke-width="1"/>')
    drawing.add(f'<line x1="0" y1="{AXIS_BOTTOM}" x2="{drawing.right + PAD}" y2="{AXIS_BOTTOM}" stroke="{INK}" '
                'stroke-width="1"/>')


def _month_label(month: date, *, year_needed: bool, room: float) -> str:
    """"Nov 2025" where it fits in `room`, else "Nov"; the first month and January keep a year ("Jan ’26")."""
    words = [f"{month:%b %Y}", f"{month:%b} \u2019{month:%y}"] if year_needed else [f"{month:%b %Y}", f"{month:%b}"]
    return next((w for w in words if _width(w, SMALL + 1, bold=True) <= room), words[-1])


def _month_starts(first: date, last: date) -> list[date]:
    month, out = first.replace(day=1), []
    while month <= last:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def _school_days(calendar: BoardCalendar, first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        with suppress(SchoolYearMissing):  # a day no loaded year covers is no counted day
            if calendar.is_counted(day):
                days.append(day)
        day += timedelta(days=1)
    return days


# -- the legend -----------------------------------------------------------------------------------

def _legend_items(state: CaseState, calendar: BoardCalendar | None, today: date, spans: list[Span],
                  moves: list[Move]) -> list[tuple[str, str]]:
    """(swatch, words) for each kind of mark the picture holds."""
    parties = {d.party if d.party in _BARS else "both" for d in state.deadlines if d.is_open}
    items = [(p, f"{PARTY_WORDS[p]} must act") for p in ("union", "board", "both") if p in parties]
    if any(not d.is_open for d in state.deadlines):
        items.append(("ended", "ended (met, superseded…)"))
    statuses = [deadline_status(d, calendar, today) for d in state.deadlines]
    if any(s.safe_note for s in statuses):
        items += [("safe", "act-by (safe) date"), ("later", "on to the agreement's date")]
    if state.deadlines:
        items.append(("due", "last day of a limit"))
    items += [("event", "event"), ("today", "today")]
    if moves:
        items.append(("moved", "date before a calendar change moved it"))
    if calendar:
        items.append(("tick", "school day (counted)"))
    kinds = {s.kind for s in spans}
    items += [(kind, f"{SHADES[kind].code} {SHADES[kind].words}".strip()) for kind in SHADES if kind in kinds]
    return items


def _legend(drawing: _Drawing, items: list[tuple[str, str]], top: float) -> int:
    """The items in rows, wrapped to the width; returns the picture's height."""
    x, y = drawing.left, top
    for swatch, words in items:
        wide = 26 + _width(words, SMALL + 1)
        if x > drawing.left and x + wide > drawing.right:
            x, y = drawing.left, y + 20
        drawing.add(_swatch(drawing, swatch, x, y))
        drawing.text(x + 24, y + 11, words, size=SMALL + 1)
        x += wide + 14
    return int(y + 24)


def _swatch(drawing: _Drawing, kind: str, x: float, y: float) -> str:
    if kind in _BARS or kind == "ended":
        fill, stroke = _ENDED_BARS["union"] if kind == "ended" else _BARS[kind]
        return f'<rect x="{x:.1f}" y="{y + 2:.1f}" width="18" height="{BAR}" fill="{fill}" stroke="{stroke}"/>'
    if kind == "later":
        return (f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="18" height="{BAR - 2}" fill="none" stroke="{ACCENT}" '
                'stroke-dasharray="3 2"/>')
    if kind == "safe":
        return _diamond(x + 9, y + 7, 6)
    if kind == "due":
        return (f'<line x1="{x + 9:.1f}" y1="{y - 1:.1f}" x2="{x + 9:.1f}" y2="{y + 15:.1f}" stroke="{INK}" '
                'stroke-width="3"/>')
    if kind in ("event", "moved"):
        fill = INK if kind == "event" else WHITE
        return f'<circle cx="{x + 9:.1f}" cy="{y + 7:.1f}" r="5" fill="{fill}" stroke="{INK}" stroke-width="1.5"/>'
    if kind == "today":
        return (f'<line x1="{x + 9:.1f}" y1="{y - 2:.1f}" x2="{x + 9:.1f}" y2="{y + 16:.1f}" stroke="{INK}" '
                'stroke-width="1.5" stroke-dasharray="5 3"/>')
    if kind == "tick":
        return "".join(f'<path d="M{x + k:.1f} {y + 4:.1f}v6" stroke="{INK}"/>' for k in (5, 9, 13))
    shade = SHADES[kind]
    hatch = _hatch(shade.hatch, x, y, 18, 14, step=5)
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="18" height="14" fill="{shade.fill}" stroke="{MUTED}" '
            'stroke-width="0.6"/>' + (f'<path d="{hatch}" stroke="#7a7a7a" stroke-width="0.6"/>' if hatch else ""))


# -- words ----------------------------------------------------------------------------------------

def _text(words: str, spell: Callable[[str], str]) -> str:
    """Text fit for an SVG element or attribute: respelt, cleaned of what XML cannot hold, escaped."""
    return escape(_NOT_XML.sub("", spell(_NOT_XML.sub("", str(words)))), quote=True)


def _width(words: str, size: float, bold: bool = False) -> float:
    """A generous guess at the drawn width (DejaVu Sans, the PDF's font, is wider than most)."""
    return len(words) * size * (0.64 if bold else 0.6)


def _wrap(words: str, room: float, size: float, bold: bool = False) -> list[str]:
    """`words` in lines that fit `room`, at most three (the third cut short with an ellipsis)."""
    per_line = max(8, int(room / (size * (0.64 if bold else 0.6))))
    lines = textwrap.wrap(words, per_line, break_long_words=True) or [""]
    if len(lines) > 3:
        lines = lines[:2] + [lines[2][: per_line - 1] + "…"]
    return lines


def _days_words(span: Span) -> str:
    if span.first == span.last:
        return long_date(span.first)
    return f"{long_date(span.first)} to {long_date(span.last)}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
