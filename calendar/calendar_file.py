r"""Read and write `.schoolyear` files: one board's school year, by hand.

    board: amdsb-elementary
    board name: Avon Maitland District School Board (elementary)
    school year: 2025-26
    first day: 2025-09-02
    last day: 2026-06-26
    verified: no
    closures count: no
    source: where the dates came from (one or more lines)

    days:
    2025-09-26               | pa day          | PA day (provincial priorities)
    2025-12-22 .. 2026-01-02 | break           | Winter break
    2026-04-06               | school holiday  | Easter Monday | unconfirmed

Statutory holidays are never listed: they come from the Ontario calendar.
In a name or a source, a backslash escapes the marks the format uses (`\|`,
`\#`, `\\`, `\n` for a line break), so that any name typed in the closure form is
written and read back as it was. calendar/README.md documents every field. A
file with any problem raises one CalendarFileError naming each problem's line
and fix; nothing is half-read.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from .days import ClosureKind, DayType
from .errors import CalendarFileError, Problem
from .school_year import CalendarEntry, SchoolYear, validate

SUFFIX = ".schoolyear"
BOARDS_DIR = Path(__file__).parent / "boards"

_TYPES = {"instructional day": DayType.INSTRUCTIONAL, "pa day": DayType.PA_DAY, "split day": DayType.SPLIT_DAY,
          "school holiday": DayType.SCHOOL_HOLIDAY, "break": DayType.BREAK, "closure": DayType.CLOSURE}
_HEADER_KEYS = ("board", "board name", "school year", "first day", "last day", "verified", "closures count", "source")
_REQUIRED = ("board", "school year", "first day", "last day", "verified", "source")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Everything str.splitlines() breaks a line at: written escaped, or the file's lines would shift.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_ESCAPES = {"\\": "\\\\", "|": "\\|", "#": "\\#", "\n": "\\n", "\r": "\\r"}
_ESCAPED = re.compile(r"\\(u[0-9a-f]{4}|[\\|#nr])")


def read_school_year(path: Path | str) -> SchoolYear:
    path = Path(path)
    year = parse_school_year(path.read_text(encoding="utf-8"), str(path))
    expected = (path.parent.name, path.name.removesuffix(SUFFIX))
    if path.parent.parent.name == "boards" and (year.board, year.label) != expected:
        raise CalendarFileError([Problem(str(path), None, "file name",
                                         f"The file says board '{year.board}', school year {year.label}.",
                                         f"Name it boards/{year.board}/{year.label}{SUFFIX}.")])
    return year


def read_board_directory(directory: Path | str = BOARDS_DIR) -> dict[str, list[SchoolYear]]:
    """Every school year under boards/<board>/; all files or none.

    Raises CalendarFileError for a folder that holds no `<board>/<year>.schoolyear`
    file (naming the `boards/` folder inside it, if that is what was meant), so a
    wrong path never loads nothing in silence.
    """
    years, problems = {}, []
    paths = sorted(Path(directory).glob(f"*/*{SUFFIX}"))
    if not paths:
        raise CalendarFileError([_empty_directory_problem(Path(directory))])
    for path in paths:
        try:
            year = read_school_year(path)
        except CalendarFileError as error:
            problems.extend(error.problems)
            continue
        years.setdefault(year.board, []).append(year)
    if problems:
        raise CalendarFileError(problems)
    return years


def _empty_directory_problem(directory: Path) -> Problem:
    if not directory.is_dir():
        return Problem(str(directory), None, "folder", "There is no such folder.",
                       "Give the folder that holds one sub-folder per board (calendar/boards).")
    if (directory / "boards").is_dir():
        return Problem(str(directory), None, "folder",
                       f"The folder holds no <board>/<year>{SUFFIX} files, but it has a boards/ folder.",
                       f"Give {directory / 'boards'} instead.")
    return Problem(str(directory), None, "folder",
                   f"The folder holds no <board>/<year>{SUFFIX} files (one sub-folder per board, one file per "
                   "school year).",
                   f"Give the folder that holds them (calendar/boards), or write them there as boards/BOARD/YEAR{SUFFIX}.")


def parse_school_year(text: str, source: str = "<text>") -> SchoolYear:
    header, entries, problems = {}, [], []
    in_days = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _split_unescaped(raw, "#")[0].strip() if not raw.lstrip().startswith("source:") else raw.strip()
        if not line:
            continue
        if line.lower() == "days:":
            in_days = True
        elif in_days:
            entry = _parse_entry(line, number, source, problems)
            if entry:
                entries.append(entry)
        else:
            _parse_header_line(line, number, source, header, problems)
    for key in _REQUIRED:
        if key not in header:
            problems.append(Problem(source, None, key, f"The '{key}:' line is missing.",
                                    f"Add a line '{key}: …' before 'days:'."))
    if problems:
        raise CalendarFileError(problems)
    year = _build(header, entries, source)
    validate(year)
    return year


def _parse_header_line(line, number, source, header, problems):
    key, sep, value = line.partition(":")
    key, value = key.strip().lower(), value.strip()
    if not sep or key not in _HEADER_KEYS:
        problems.append(Problem(source, number, "header", f"'{line}' is not a known header line.",
                                f"Use one of: {', '.join(k + ':' for k in _HEADER_KEYS)}, then 'days:' and the days."))
        return
    if key in ("source", "board name"):
        value = _unescape(value)
    if key == "source":
        header["source"] = (header.get("source", "") + "\n" + value).strip()
        return
    if key in header:
        problems.append(Problem(source, number, key, f"'{key}:' is given twice.", "Keep one."))
        return
    if key in ("first day", "last day"):
        value, _, flag = (part.strip() for part in value.partition("|"))
        if flag.lower() == "unconfirmed":
            header.setdefault("unconfirmed", set()).add(key)
        elif flag:
            problems.append(Problem(source, number, key, f"'{flag}' is not a flag a date takes.",
                                    f"Write '{key}: YYYY-MM-DD' or '{key}: YYYY-MM-DD | unconfirmed'."))
        value = _parse_date(value, number, source, key, problems)
    elif key in ("verified", "closures count"):
        value = _parse_yes_no(value, number, source, key, problems)
    header[key] = (value, number)


def _parse_entry(line, number, source, problems) -> CalendarEntry | None:
    cells = [c.strip() for c in _split_unescaped(line, "|")]
    if len(cells) not in (3, 4) or (len(cells) == 4 and cells[3].lower() != "unconfirmed"):
        problems.append(Problem(source, number, "day", f"'{line}' is not 'DATE | TYPE | NAME' (optionally '| unconfirmed').",
                                "Write e.g. '2025-10-10 | pa day | PA day' or '2025-12-22 .. 2026-01-02 | break | Winter break'."))
        return None
    span, kind, name = cells[:3]
    first_text, _, last_text = (part.strip() for part in span.partition(".."))
    first = _parse_date(first_text, number, source, "date", problems)
    last = _parse_date(last_text, number, source, "date", problems) if last_text else first
    day_type, closure_kind = _parse_type(kind, number, source, problems)
    if not (first and last and day_type):
        return None
    return CalendarEntry(first, last, day_type, _unescape(name), closure_kind, unconfirmed=len(cells) == 4, line=number)


def _parse_type(text, number, source, problems):
    kind, _, detail = (p.strip().lower() for p in text.partition(":"))
    day_type = _TYPES.get(kind)
    closure_kind = None
    if day_type is DayType.CLOSURE:
        closure_kind = next((k for k in ClosureKind if k.value == detail), None)
        if closure_kind is None:
            problems.append(Problem(source, number, "type", f"'{text}' does not say what kind of closure.",
                                    "Write 'closure: strike', 'closure: lock-out', 'closure: weather' or 'closure: other'."))
            return None, None
    elif day_type is None or detail:
        problems.append(Problem(source, number, "type", f"'{text}' is not a type of day a calendar declares.",
                                "Use instructional day, pa day, split day, school holiday, break, or closure: KIND. "
                                "Statutory holidays and weekends are known already."))
        return None, None
    return day_type, closure_kind


def _parse_date(text, number, source, field, problems) -> date | None:
    try:
        if not _DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(source, number, field, f"'{text}' is not a date.", "Write dates as YYYY-MM-DD, e.g. 2025-10-10."))
        return None


def _parse_yes_no(text, number, source, field, problems) -> bool | None:
    if text.lower() in ("yes", "no"):
        return text.lower() == "yes"
    problems.append(Problem(source, number, field, f"'{text}' is neither yes nor no.", f"Write '{field}: yes' or '{field}: no'."))
    return None


def _build(header, entries, source) -> SchoolYear:
    def value(key, default=None):
        return header[key][0] if key in header else default

    return SchoolYear(
        board=value("board"), board_name=value("board name", ""), label=value("school year"),
        first_day=value("first day"), last_day=value("last day"), entries=tuple(entries),
        source=header["source"], verified=value("verified"), closures_count=value("closures count", False),
        unconfirmed_fields=frozenset(header.get("unconfirmed", ())), origin=source,
    )


def format_school_year(year: SchoolYear) -> str:
    """The file text for `year`; reading it back gives an equal SchoolYear."""
    lines = [f"board: {year.board}"]
    if year.board_name:
        lines.append(f"board name: {_escape(year.board_name)}")
    flag = {key: " | unconfirmed" if key in year.unconfirmed_fields else "" for key in ("first day", "last day")}
    lines += [f"school year: {year.label}", f"first day: {year.first_day}{flag['first day']}",
              f"last day: {year.last_day}{flag['last day']}",
              f"verified: {_yes_no(year.verified)}", f"closures count: {_yes_no(year.closures_count)}"]
    lines += [f"source: {_escape(part)}" for part in year.source.split("\n")]
    lines += ["", "days:"]
    for e in sorted(year.entries, key=lambda e: (e.first, e.last)):
        span = str(e.first) if e.first == e.last else f"{e.first} .. {e.last}"
        kind = f"closure: {e.closure_kind}" if e.closure_kind else next(k for k, t in _TYPES.items() if t is e.type)
        lines.append(f"{span:<24} | {kind:<16} | {_escape(e.name)}" + (" | unconfirmed" if e.unconfirmed else ""))
    return "\n".join(lines) + "\n"


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


# -- escapes in free text -----------------------------------------------------------

def _escape(text: str) -> str:
    """A name or source line as the file holds it: one line, no bare | or #."""
    return "".join(_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if c in _LINE_BREAKS else c) for c in text)


def _unescape(text: str) -> str:
    """The inverse of _escape. A backslash before anything else is kept as written, so a
    hand-written name with a backslash in it reads as it always did."""
    def one(match: re.Match) -> str:
        code = match[1]
        if code.startswith("u"):
            char = chr(int(code[1:], 16))
            return char if char in _LINE_BREAKS else match[0]
        return {"n": "\n", "r": "\r"}.get(code, code)

    return _ESCAPED.sub(one, text)


def _split_unescaped(line: str, mark: str) -> list[str]:
    """`line` split at each `mark` not escaped by a backslash; escapes are kept for _unescape."""
    parts, current, i = [], [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            current.append(line[i:i + 2])
            i += 2
            continue
        if line[i] == mark:
            parts.append("".join(current))
            current = []
        else:
            current.append(line[i])
        i += 1
    parts.append("".join(current))
    return parts
