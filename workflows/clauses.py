"""Clause references as the tool understands them: article, clause, sub-clause, and the
words that follow kept as a title.

    "12.06"                          -> 12.06
    "12.06 b", "12.06(b)", "12.06 (b)"  -> 12.06 b
    "Art. 12.06 (preparation time)"  -> 12.06, title "preparation time" (titles as written)
    "12.06 Preparation Time"         -> 12.06, title "Preparation Time"
    "Article 12", "Art 12"           -> Article 12 (a whole article)
    "12.06, 12.07; 5.01 b"           -> three references

A reference's `key` ("12.06 b") is what reports group by, its `article` (12) what
they group articles by; `text()` is the canonical form stored on a case, one
reference a line ("12.06 b — Preparation time"). Text that names no reference
is returned as `Unreadable`, kept as it was written: nothing is guessed.

Pure: no Flask, no database. Linear-time patterns only (user text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# One reference at the start of an item: an optional "Art."/"Article"/"Clause", the article, an
# optional ".NN" clause, and an optional one-letter or roman sub-clause, bare or in parentheses.
_REFERENCE = re.compile(
    r"(?:(?:art(?:icle)?|clause|cl)\.?\s*)?"
    r"(?P<article>\d{1,3})(?:\.(?P<clause>\d{1,3}))?"
    r"(?:\s*(?:\((?P<sub_paren>[a-z]|[ivx]{1,4})\)|(?P<sub_bare>[a-z])(?![a-z])))?",
    re.IGNORECASE)
# Lines, and "; " (a semicolon and a space: a list's separator), always part items.
_ITEM_SEPARATORS = re.compile(r"[\r\n]+|;\s+")
# A comma, or a semicolon without a space, starts a new item only before another reference: other
# language keeps its own punctuation ("the memo of Oct 3, 2025", "&amp;").
_SEPARATOR_BEFORE_REFERENCE = re.compile(r"[,;]\s*(?=(?:art(?:icle)?\.?\s*)?\d{1,3}(?:\.\d|\b))", re.IGNORECASE)
_TITLE_EDGES = " \t-–—:,.()[]"


@dataclass(frozen=True)
class ClauseRef:
    article: int
    clause: str | None = None    # "06" in 12.06
    sub: str | None = None       # "b" in 12.06 b
    title: str = ""

    @property
    def key(self) -> str:
        """What reports group by: "12.06 b", "12.06", or "Article 12"."""
        if self.clause is None:
            return f"Article {self.article}"
        return f"{self.article}.{self.clause}" + (f" {self.sub}" if self.sub else "")

    def text(self) -> str:
        return f"{self.key} — {self.title}" if self.title else self.key


@dataclass(frozen=True)
class Unreadable:
    """An item that names no reference the tool understands, kept as written."""

    written: str

    def text(self) -> str:
        return self.written


def parse_clauses(text: str) -> list[ClauseRef | Unreadable]:
    """Every item of `text` (lines, "; ", or a comma or semicolon before a reference) as a reference or,
    failing that, as Unreadable (kept as written, its spacing folded)."""
    items = []
    for chunk in _ITEM_SEPARATORS.split(text or ""):
        for item in _SEPARATOR_BEFORE_REFERENCE.split(chunk):
            item = " ".join(item.split())
            if item:
                items.append(_one(item))
    return items


def canonical(text: str) -> str:
    """The clauses as stored: one item a line, references in their canonical form."""
    return "\n".join(item.text() for item in parse_clauses(text))


def references(text: str) -> list[ClauseRef]:
    return [item for item in parse_clauses(text) if isinstance(item, ClauseRef)]


def _one(item: str) -> ClauseRef | Unreadable:
    match = _REFERENCE.match(item)
    if not match:
        return Unreadable(item)
    sub = match["sub_paren"] or match["sub_bare"]
    title = item[match.end():].strip(_TITLE_EDGES)
    if match["clause"] is None and not re.match(r"(?i)(art|clause|cl)", item):
        return Unreadable(item)  # a bare number ("12 teachers") is no reference
    return ClauseRef(int(match["article"]), match["clause"], sub.lower() if sub else None, title)
