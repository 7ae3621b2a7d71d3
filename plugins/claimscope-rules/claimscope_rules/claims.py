"""rules.claims: statements of fact, who makes them, and how far they are confirmed.

A sentence about an actor or a figure is a claim when a cue says how it stands:

- unconfirmed — "could not be independently verified", "has not confirmed", "yet to be
  confirmed", "no confirmed reports", "allegedly", a parenthetical ", if true,"; a
  confirmation under negation ("Neither X nor Y has confirmed") is unconfirmed too, and one
  under a condition ("If confirmed, ...") sets nothing: it opens a hypothetical;
- denied — "denied", "dismissed", "is not providing";
- disputed — "disputed", "contested", "questioned", "rejected as false";
- confirmed — "confirmed", "verified", "corroborated", "acknowledged";
- reported — "said", "reported", "according to", "warned", "estimated", "believes", "suggested".

The strongest cue in the sentence sets the status, in that order. A following sentence that
says "these reports" are unconfirmed (or confirmed, denied) updates a reported claim before it.
Sentences that open with, or are mostly, direct quotation are quotes, not claims.
"""

from __future__ import annotations

import re

from claimscope.models import Claim, DocumentIn, Extraction

from claimscope_rules.text import sentences

_NEG = r"(?:not|never|no|yet to be|nor)"
CUES: list[tuple[str, re.Pattern]] = [
    (
        "unconfirmed",
        re.compile(
            r"\b(?:could not be (?:independently )?(?:verified|confirmed)|cannot be (?:independently )?(?:verified|confirmed)|"
            r"(?:has|have|had) not (?:yet )?(?:been )?(?:confirmed|verified)|(?:has|have|had) yet to (?:be )?(?:confirm|confirmed|verify|verified)|"
            r"yet to be (?:confirmed|verified)|not (?:yet )?(?:been )?(?:independently )?(?:confirmed|verified)|"
            r"neither\b.{0,60}?\bnor\b.{0,60}?\b(?:confirmed|verified)|no confirmed reports?|unconfirmed|unverified|"
            r"(?<=, )if (?:true|confirmed)(?=,)|allegedly|purportedly|could not independently)\b",
            re.I,
        ),
    ),
    (
        "denied",
        re.compile(
            r"\b(?:denied|denies|deny|denying|dismissed|dismisses|refuted|refutes|"
            r"(?:is|was|are|were|has|have) not (?:providing|sending|supplying|involved|deploying|sent|supplied))\b",
            re.I,
        ),
    ),
    (
        "disputed",
        re.compile(
            r"\b(?:disputed|disputes|contested|contests|questioned|questions whether|cast doubt|casts doubt|challenged|"
            r"rejected[^.]{0,40}\bas (?:false|fabricated|baseless|untrue|propaganda))\b",
            re.I,
        ),
    ),
    (
        "confirmed",
        re.compile(
            r"(?<![Ii]f )\b(?:confirmed|confirms|confirm|verified|verifies|corroborated|corroborates|acknowledged|acknowledges)\b",
            re.I,
        ),
    ),
    (
        "reported",
        re.compile(
            r"\b(?:said|says|stated|told|reported|reports (?:indicate|suggest|say|said|show)|reports had (?:already )?indicated|"
            r"reports? (?:from|by) [^.]{0,60}? that|according to|warned|warns|(?:has|have) warned|estimated|estimates|"
            r"believes?|believed|suggested|suggests|indicated|indicates|claimed|announced|revealed|assessed|assesses)\b",
            re.I,
        ),
    ),
]
_THESE_REPORTS = re.compile(r"\b(?:these|those|the|such) (?:reports|claims|allegations|accounts)\b", re.I)
_ACCORDING_TO = re.compile(r"\baccording to (?P<who>[^,.;]{2,80})", re.I)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


class ClaimsExtractor:
    name = "rules.claims"
    version = "0.1.0"
    produces = ("claims",)
    requires = ("actors", "dates", "figures", "quotes")

    def extract(self, document: DocumentIn, found) -> Extraction:
        text = document.text
        mentions = sorted((m.start, m.end, a) for a in found.actors for m in a.mentions)
        claims: list[Claim] = []
        previous: Claim | None = None
        quoted = [(q.start - 1, q.end + 1) for q in found.quotes]
        for sentence in sentences(text):
            status_cue = _status(sentence.text)
            in_quote = any(s <= sentence.start < e for s, e in quoted)
            if status_cue is None or in_quote or sentence.text.endswith("?") or _mostly_quoted(sentence.text):
                previous = None
                continue
            status, cue, cue_start = status_cue
            if (
                previous is not None
                and previous.status == "reported"
                and status != "reported"
                and _THESE_REPORTS.search(sentence.text)
            ):
                previous.status, previous.cue = status, cue  # "These reports have yet to be confirmed."
            inside = [(s, e, a) for s, e, a in mentions if sentence.start <= s < sentence.end]
            figures = [i for i, f in enumerate(found.figures) if sentence.start <= f.start < sentence.end]
            if not inside and not figures:
                previous = None
                continue
            claimant_id, claimant_name = _claimant(sentence.text, sentence.start, cue_start, inside)
            date = next(
                (d.value for d in found.dates if sentence.start <= d.start < sentence.end and d.value), None
            )
            claim = Claim(
                text=sentence.text,
                start=sentence.start,
                end=sentence.end,
                status=status,
                cue=cue,
                claimant_id=claimant_id,
                claimant_name=claimant_name,
                subject_ids=list(dict.fromkeys(a.id for _, _, a in inside if a.id != claimant_id)),
                figure_refs=figures,
                date=date,
            )
            claims.append(claim)
            previous = claim
        return Extraction(claims=claims)


def _status(sentence: str) -> tuple[str, str, int] | None:
    """(status, cue words, where the cue starts) of the strongest cue outside direct quotation."""
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group()), sentence)
    for status, pattern in CUES:
        m = pattern.search(unquoted)
        if m:
            return status, sentence[m.start() : m.end()], m.start()
    return None


def _mostly_quoted(sentence: str) -> bool:
    quoted = sum(len(m.group()) for m in _QUOTED.finditer(sentence))
    return sentence.startswith(("“", '"')) or quoted > 0.5 * len(sentence)


def _claimant(sentence: str, offset: int, cue_start: int, inside) -> tuple[str | None, str | None]:
    """Who makes the claim: the source named after "according to", else the actor or noun
    phrase just before the cue verb ("Ukrainian intelligence estimates", "Analysts believe")."""
    source = _ACCORDING_TO.search(sentence)
    if source:
        start, end = offset + source.start("who"), offset + source.end("who")
        named = [a for s, e, a in inside if start <= s < end]
        if named:
            actor = named[-1]
            return actor.id, actor.name
        return None, source.group("who").strip()
    clause_start = max(sentence.rfind(",", 0, cue_start), sentence.rfind(" that ", 0, cue_start), -1) + 1
    subject = sentence[clause_start:cue_start].strip()
    if not subject or len(subject.split()) > 8:
        return None, None
    named = [a for s, e, a in inside if offset + clause_start <= s < offset + cue_start]
    if named:
        actor = named[-1]
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
