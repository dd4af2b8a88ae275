"""A collective agreement's grievance procedure, read from its rule-set file
(workflows/rulesets/*.toml) into plain values the engine applies.

A rule set that does not hang together (a limit started by an event that does
not exist, a stage no event can reach…) is refused when it is read, with the
key at fault, so a local's edit cannot silently break the engine.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from school_calendar.days import Unit
from school_calendar.errors import UserError

RULESETS = Path(__file__).parent / "rulesets"
PARTIES = ("union", "board", "both", "recipient")
CONSEQUENCES = ("deemed_abandoned", "may_escalate", "minister", "none")


class RuleSetError(UserError):
    """A rule-set file that cannot be used as it is."""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    clause: str
    first_event: str
    filed_by: str


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    open: bool


@dataclass(frozen=True)
class EventRule:
    type: str
    label: str
    clause: str
    kinds: tuple[str, ...] | None      # None: every kind
    allowed_in: tuple[str, ...]        # stage keys, or "open"
    requires: tuple[str, ...] = ()     # any one of: event type, lapsed:LIMIT, omitted:STAGE, kind:KIND
    moves_to: dict[str, str] = field(default_factory=dict)
    details: tuple[str, ...] = ()      # detail fields the event must carry
    unless_omitted: str | None = None  # refused once this step is omitted by consent

    def next_stage(self, kind: str) -> str | None:
        return self.moves_to.get(kind, self.moves_to.get("*"))


@dataclass(frozen=True)
class LimitRule:
    key: str
    label: str
    clause: str
    kinds: tuple[str, ...] | None
    starts_on: tuple[str, ...]
    party: str
    met_by: tuple[str, ...]
    consequence: str
    consequence_text: str
    superseded_by: tuple[str, ...] = ()
    n: int | None = None
    unit: Unit = Unit.SCHOOL_DAYS
    starts_on_lapse_of: str | None = None
    delayed_by_meeting: bool = False
    when_omitted: str | None = None
    unless_omitted: str | None = None
    due_from_detail: str | None = None  # an agreed date (33.07) rather than a count
    interpretation: str | None = None

    def applies_to(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


@dataclass(frozen=True)
class RuleSet:
    id: str
    name: str
    board_calendar: str
    due_soon_school_days: int
    kinds: dict[str, Kind]
    stages: dict[str, Stage]
    events: dict[str, EventRule]
    limits: dict[str, LimitRule]
    source: str = ""
    # [law] late_step_relief: what a missed Union Local limit may still allow (LRA s. 48 (16) in Ontario);
    # already part of each union limit's consequence_text.
    late_step_relief: str = ""

    def limits_for(self, kind: str) -> list[LimitRule]:
        return self._limits_by_kind[kind]

    def limits_started_by(self, kind: str, event_type: str) -> list[LimitRule]:
        return self._limits_by_trigger.get((kind, event_type), [])

    @cached_property
    def _limits_by_kind(self) -> dict[str, list[LimitRule]]:
        return {kind: [limit for limit in self.limits.values() if limit.applies_to(kind)] for kind in self.kinds}

    @cached_property
    def _limits_by_trigger(self) -> dict[tuple[str, str], list[LimitRule]]:
        index: dict[tuple[str, str], list[LimitRule]] = {}
        for kind, limits in self._limits_by_kind.items():
            for limit in limits:
                for trigger in limit.starts_on:
                    index.setdefault((kind, trigger), []).append(limit)
        return index


def load_ruleset(name_or_path: str | Path) -> RuleSet:
    path = Path(name_or_path)
    if not path.suffix:
        path = RULESETS / f"{name_or_path}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(p.stem for p in RULESETS.glob("*.toml"))
        raise RuleSetError(f"There is no rule set '{name_or_path}'.", field="ruleset", fix=f"Use one of: {known}.") from None
    except tomllib.TOMLDecodeError as error:
        raise RuleSetError(f"{path}: {error}.", field="ruleset", fix="Correct the TOML syntax at that line.") from None
    return parse_ruleset(data, str(path))


def parse_ruleset(data: dict, source: str = "<rules>") -> RuleSet:
    try:
        ruleset = _build(data, source)
    except (KeyError, TypeError, ValueError) as error:
        raise RuleSetError(f"{source}: {error!r} is missing or malformed.", field="ruleset",
                           fix="Compare the entry with workflows/rulesets/amdsb-etfo-article-33.toml.") from None
    _check(ruleset)
    return ruleset


def _tuple(value) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _build(data: dict, source: str) -> RuleSet:
    agreement = data["agreement"]
    relief = " ".join(str(data.get("law", {}).get("late_step_relief", "")).split())
    return RuleSet(
        id=agreement["id"], name=agreement["name"], board_calendar=agreement["board_calendar"],
        due_soon_school_days=int(data.get("settings", {}).get("due_soon_school_days", 3)),
        kinds={k: Kind(k, v["label"], v["clause"], v["first_event"], v["filed_by"]) for k, v in data["kinds"].items()},
        stages={k: Stage(k, v["label"], bool(v["open"])) for k, v in data["stages"].items()},
        events={k: EventRule(k, v["label"], v["clause"], _tuple(v.get("kinds")), tuple(v["allowed_in"]),
                             tuple(v.get("requires", ())), dict(v.get("moves_to", {})), tuple(v.get("details", ())),
                             v.get("unless_omitted"))
                for k, v in data["events"].items()},
        limits={k: _limit(k, v, relief) for k, v in data["limits"].items()},
        source=source, late_step_relief=relief,
    )


def _limit(key: str, v: dict, relief: str = "") -> LimitRule:
    """A limit; one the Union Local must meet carries the [law] relief in its consequence text, since
    a missed union limit is where a local could give up a grievance that can still be saved."""
    consequence_text = v["consequence_text"] + (f" {relief}" if relief and v["party"] == "union" else "")
    return LimitRule(
        key=key, label=v["label"], clause=v["clause"], kinds=_tuple(v.get("kinds")), starts_on=tuple(v["starts_on"]),
        party=v["party"], met_by=tuple(v["met_by"]), consequence=v["consequence"],
        consequence_text=consequence_text, superseded_by=tuple(v.get("superseded_by", ())), n=v.get("n"), unit=Unit.parse(v.get("unit", "school days")),
        starts_on_lapse_of=v.get("starts_on_lapse_of"), delayed_by_meeting=bool(v.get("delayed_by_meeting", False)),
        when_omitted=v.get("when_omitted"), unless_omitted=v.get("unless_omitted"),
        due_from_detail=v.get("due_from_detail"), interpretation=v.get("interpretation"),
    )


def _check(rules: RuleSet) -> None:
    problems = []
    stage_keys, event_keys, limit_keys = set(rules.stages), set(rules.events), set(rules.limits)
    for kind in rules.kinds.values():
        if kind.first_event not in event_keys:
            problems.append(f"kinds.{kind.key}.first_event names no event '{kind.first_event}'")
    for event in rules.events.values():
        for stage in event.allowed_in:
            if stage != "open" and stage not in stage_keys:
                problems.append(f"events.{event.type}.allowed_in names no stage '{stage}'")
        for stage in event.moves_to.values():
            if stage not in stage_keys:
                problems.append(f"events.{event.type}.moves_to names no stage '{stage}'")
        for need in event.requires:
            prefix, _, name = need.rpartition(":")
            known = {"": event_keys, "lapsed": limit_keys, "omitted": stage_keys, "kind": set(rules.kinds)}.get(prefix)
            if known is None or name not in known:
                problems.append(f"events.{event.type}.requires has '{need}', which names nothing")
    for limit in rules.limits.values():
        for name in (*limit.starts_on, *limit.met_by, *limit.superseded_by):
            if name not in event_keys:
                problems.append(f"limits.{limit.key} names no event '{name}'")
        if limit.starts_on_lapse_of and limit.starts_on_lapse_of not in limit_keys:
            problems.append(f"limits.{limit.key}.starts_on_lapse_of names no limit '{limit.starts_on_lapse_of}'")
        if limit.party not in PARTIES:
            problems.append(f"limits.{limit.key}.party must be one of {', '.join(PARTIES)}")
        if limit.consequence not in CONSEQUENCES:
            problems.append(f"limits.{limit.key}.consequence must be one of {', '.join(CONSEQUENCES)}")
        if (limit.n is None) == (limit.due_from_detail is None):
            problems.append(f"limits.{limit.key} needs either n (a count) or due_from_detail (an agreed date)")
    if problems:
        raise RuleSetError(f"{rules.source}: " + "; ".join(problems) + ".", field="ruleset",
                           fix="Correct those entries; every name must refer to a stage, event or limit of the file.")
