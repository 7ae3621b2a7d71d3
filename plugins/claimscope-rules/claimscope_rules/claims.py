"""rules.claims: statements of fact, who makes them, and how far they are confirmed.

A sentence is a claim when a cue says how it stands: any cue but a bare reporting verb on its
own ("Some analysts questioned the tally."), a reporting verb when the sentence names an actor
or a figure:

- unconfirmed — "could not be independently verified", "has not confirmed", "declined to
  confirm", "yet to be confirmed", "no confirmed reports", a parenthetical ", if true,"; a
  confirmation under negation ("Neither X nor Y has confirmed") is unconfirmed too, and one
  under a condition ("If confirmed, ...") sets nothing: it opens a hypothetical;
- denied — "denied", "dismissed", "rejected the allegations", "is not providing", and a
  reported "the reports were false" or “is not sending” even inside the quote that says it;
- disputed — "disputed", "contested", "questioned", "contradicted", "rejected as false";
- confirmed — "confirmed", "verified", "corroborated", "acknowledged";
- reported — "said", "reported", "according to", "warned", "estimated", "believes", "accused";
- unconfirmed, last — a hedge on a bare statement ("allegedly", "and potentially nuclear
  technology"), unless the sentence only speculates ("would ..., potentially allowing").

The strongest cue outside direct quotation sets the status, in that order. A following
sentence that says "these reports" or "the figure" are unconfirmed (or confirmed, denied)
updates a reported claim before it; when it says nothing more, it is not a claim itself.
Sentences that open with, or are mostly, direct quotation (found.quotes) are quotes, not claims.
"""

from __future__ import annotations

import re

from claimscope.models import Claim, ClaimStatus, DocumentIn, Extraction

from claimscope_rules.lexicon import REPORT_NOUNS, SPECULATION, STATUS_CUES, alternation
from claimscope_rules.text import Sentence, Spans, sentences

_CUES = [cue for cue in STATUS_CUES if cue.scope != "quoted"]
_REPORTING = next(cue.pattern for cue in _CUES if cue.status == "reported")
_QUOTED_DENIALS = [cue for cue in STATUS_CUES if cue.scope == "quoted"]
_REPORT_NOUNS = alternation(REPORT_NOUNS)
# "These reports have yet to be confirmed.": a sentence about the report before it
_THESE_REPORTS = re.compile(
    rf"(?:^(?:but |however,? |though )?(?:the|this|that)|\b(?:these|those|such)) (?:{_REPORT_NOUNS})\b", re.I
)
_NOTE = re.compile(
    rf"(?:but |however |though )?(?:the|this|that|these|those|such) (?:{_REPORT_NOUNS}) "
    r"(?:could|can|cannot|has|have|had|was|were|is|are|remains?|did|does|do|would)\b",
    re.I,
)
_APPOSITION = re.compile(r"(?:a|an|the|its|his|her|their|who|which)\b|[a-z]")
# a passive cue names its claimant after "by": "the claim was contradicted by Ukrainian officials"
_BY_AGENT = re.compile(
    r"\b(?:was|were|been|is|are) (?:\w+ )?(?:confirmed|verified|corroborated|contradicted|disputed|questioned|"
    r"denied|rejected|challenged|reported) by (?P<who>(?:the )?[^,.;]{2,80})"
)
_ACCORDING_TO = re.compile(r"\baccording to (?P<who>[^,.;]{2,80})", re.I)


class ClaimsExtractor:
    name = "rules.claims"
    version = "0.2.0"
    produces = ("claims",)
    requires = ("actors", "dates", "figures", "quotes")

    def extract(self, document: DocumentIn, found) -> Extraction:
        text = document.text
        mentions = Spans((m.start, m.end, a) for a in found.actors for m in a.mentions)
        figures = Spans((f.start, f.end, i) for i, f in enumerate(found.figures))
        dates = Spans((d.start, d.end, d.value) for d in found.dates if d.value)
        quoted = _Quoted(found.quotes)
        claims: list[Claim] = []
        previous: Claim | None = None
        for sentence in sentences(text):
            spans = quoted.clipped_to(sentence.start, sentence.end)
            status_cue = _status(sentence, spans)
            if status_cue is None or sentence.text.endswith("?") or _mostly_quoted(sentence, spans):
                previous = None
                continue
            status, cue, anchor = status_cue
            if (
                previous is not None
                and previous.status == "reported"
                and status != "reported"
                and _THESE_REPORTS.search(sentence.text)
            ):
                previous.status, previous.cue = status, cue  # "These reports have yet to be confirmed."
            if status != "reported" and _NOTE.match(sentence.text) and "," not in sentence.text:
                previous = None
                continue  # "The figure could not be verified by X." says nothing of its own
            inside = mentions.starting_in(sentence.start, sentence.end)
            figure_refs = sorted(i for _, _, i in figures.starting_in(sentence.start, sentence.end))
            if not inside and not figure_refs and status == "reported":
                previous = None
                continue
            claimant_id, claimant_name = _claimant(sentence.text, sentence.start, anchor, inside)
            date = next((value for _, _, value in dates.starting_in(sentence.start, sentence.end)), None)
            claim = Claim(
                text=sentence.text,
                start=sentence.start,
                end=sentence.end,
                status=status,
                cue=cue,
                claimant_id=claimant_id,
                claimant_name=claimant_name,
                subject_ids=list(dict.fromkeys(a.id for _, _, a in inside if a.id != claimant_id)),
                figure_refs=figure_refs,
                date=date,
            )
            claims.append(claim)
            previous = claim
        return Extraction(claims=claims)


class _Quoted:
    """The spans of direct quotation, marks included, clipped to each sentence in turn: one
    sweep over the document (sentences come in order), however many quotes it holds."""

    def __init__(self, quotes) -> None:
        self.spans = sorted((q.start - 1, q.end + 1) for q in quotes)
        self.next = 0
        self.open: list[tuple[int, int]] = []

    def clipped_to(self, start: int, end: int) -> list[tuple[int, int]]:
        while self.next < len(self.spans) and self.spans[self.next][0] < end:
            self.open.append(self.spans[self.next])
            self.next += 1
        self.open = [(s, e) for s, e in self.open if e > start]
        return [(max(s, start), min(e, end)) for s, e in self.open]


def _status(sentence: Sentence, quoted: list[tuple[int, int]]) -> tuple[ClaimStatus, str, int] | None:
    """(status, cue words, where the claimant's verb starts in the sentence) from the strongest
    cue outside direct quotation; a report called false in the quote it ends with is denied.
    The claimant is the subject of the reporting verb when there is one ("X said ..., a claim
    Y could not verify"), else of the status cue ("Seoul has yet to confirm ...")."""
    chars = list(sentence.text)
    for s, e in quoted:
        chars[s - sentence.start : e - sentence.start] = " " * (e - s)
    unquoted = "".join(chars)
    lowered = unquoted.lower()
    for cue in _CUES:
        if not any(k in lowered for k in cue.keywords):
            continue
        m = cue.pattern.search(unquoted)
        if m and not (cue.scope == "hedge" and SPECULATION.search(unquoted)):
            status = cue.status
            reporting = m if status == "reported" else _REPORTING.search(unquoted)
            anchor = reporting.start() if reporting else m.start()
            if status == "reported":
                called = _quoted_denial(sentence.text)
                if called:
                    return called[0], called[1], anchor
            return status, sentence.text[m.start() : m.end()], anchor
    return None


COLON_WINDOW = 40  # how much space may stand between "said:" and the quote it brings in


def _quoted_denial(text: str) -> tuple[ClaimStatus, str] | None:
    """(status, cue) of a denial the sentence reports, inside its quotation too ('said the
    reports were “false”')."""
    lowered = text.lower()
    for cue in _QUOTED_DENIALS:
        m = cue.pattern.search(text) if any(k in lowered for k in cue.keywords) else None
        if m:
            return cue.status, m.group()
    return None


def _mostly_quoted(sentence: Sentence, quoted: list[tuple[int, int]]) -> bool:
    """A sentence that opens with direct quotation, brings one in after a colon ("X said: “…”")
    or says little besides it is a quote; a partial quote inside reported words is a claim's."""
    if not quoted:
        return False
    text = sentence.text
    for s, _ in quoted:
        before = text[max(0, s - sentence.start - COLON_WINDOW) : s - sentence.start].rstrip()
        if s <= sentence.start or before.endswith(":"):
            return True
    words, at = 0, 0
    for s, e in sorted(quoted):
        words += len(text[at : max(at, s - sentence.start)].split())
        at = max(at, e - sentence.start)
    words += len(text[at:].split())
    return words < 5


def _subject_clause(sentence: str, cue_start: int) -> tuple[int, int]:
    """Where the cue's subject sits: the words between the last comma (or "that") and the cue,
    or when an apposition ends just before the cue ("Jack Watling, a senior fellow at X, said")
    the words it describes."""
    start, end = _clause_start(sentence, cue_start), cue_start
    if sentence[start:end].strip():
        return start, end
    while start > 0:
        end = start - 1  # the comma before the cue or before an apposition
        start = sentence.rfind(",", 0, end) + 1
        if not _APPOSITION.match(sentence[start:end].strip()):
            return start, end
    return start, start


def _clause_start(sentence: str, end: int) -> int:
    that = sentence.rfind(" that ", 0, end)
    return max(sentence.rfind(",", 0, end) + 1, that + 6 if that != -1 else 0)


def _claimant(sentence: str, offset: int, cue_start: int, inside) -> tuple[str | None, str | None]:
    """Who makes the claim: the source named after "according to" or a passive "by", else the
    actor or noun phrase that is the subject of the cue verb ("Ukrainian intelligence estimates", "Analysts believe")."""
    source = _ACCORDING_TO.search(sentence) or _BY_AGENT.search(sentence)
    if source:
        start, end = offset + source.start("who"), offset + source.end("who")
        named = [a for s, e, a in inside if start <= s < end]
        if named:
            actor = named[-1]
            return actor.id, actor.name
        return None, source.group("who").strip()
    clause_start, clause_end = _subject_clause(sentence, cue_start)
    subject = sentence[clause_start:clause_end].strip()
    if not subject or len(subject.split()) > 8:
        return None, None
    named = [a for s, e, a in inside if offset + clause_start <= s < offset + clause_end]
    if named:
        actor = next((a for a in named if a.type == "person"), named[-1])
        return actor.id, actor.name
    words = subject.split()
    if words[-1].lower() in {
        "has",
        "have",
        "had",
        "was",
        "were",
        "is",
        "are",
        "also",
        "already",
        "reportedly",
    }:
        words = words[:-1]
    if (
        words
        and words[0][0].isupper()
        and words[0].lower() not in {"it", "this", "that", "there", "these", "they", "he", "she"}
    ):
        return None, " ".join(words)
    return None, None
