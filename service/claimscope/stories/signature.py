"""What a claim is compared by: its subjects, and the stems of the words that say what happened.

Claims that state the same thing in different articles share subjects ("north-korea",
"russia") and some of the words of the predicate ("deploy", "soldier", "train"), while
the rest of each sentence differs: who said it, how sure they are, the names as written.
So the key of a claim is its content words with everything that varies by source taken
out: actor mentions (the subjects are compared as ids instead), numbers, the status cue,
and function, reporting and status words. Words are Snowball-stemmed (PyStemmer), so
"deployed" and "deployment" meet.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

import Stemmer

from claimscope.models import Claim, Document

MAX_STEMS = 64  # a hostile "sentence" of many words still yields a short key

_WORD = re.compile(r"[^\W\d_]{3,}")
# English function words, and the words of attribution and status: they tell who says a
# thing and how sure they are, which differs between sources of one story by design.
STOP_WORDS = frozenset(
    [
        "about",
        "above",
        "across",
        "after",
        "again",
        "against",
        "ago",
        "all",
        "along",
        "already",
        "also",
        "although",
        "among",
        "amid",
        "amidst",
        "and",
        "another",
        "any",
        "are",
        "around",
        "as",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "either",
        "else",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "her",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "into",
        "its",
        "itself",
        "just",
        "last",
        "least",
        "less",
        "like",
        "many",
        "may",
        "might",
        "more",
        "most",
        "much",
        "must",
        "near",
        "neither",
        "never",
        "next",
        "nor",
        "not",
        "now",
        "off",
        "once",
        "one",
        "only",
        "onto",
        "other",
        "others",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "per",
        "rather",
        "same",
        "several",
        "shall",
        "she",
        "should",
        "since",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "too",
        "toward",
        "towards",
        "under",
        "until",
        "upon",
        "very",
        "was",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "according",
        "accused",
        "added",
        "adding",
        "admitted",
        "alleged",
        "allegedly",
        "announced",
        "apparently",
        "argued",
        "asserted",
        "believe",
        "believed",
        "believes",
        "cited",
        "citing",
        "claim",
        "claimed",
        "claims",
        "comment",
        "commented",
        "confirm",
        "confirmation",
        "confirmed",
        "confirming",
        "confirms",
        "contested",
        "corroborated",
        "could",
        "deny",
        "denial",
        "denied",
        "denies",
        "denying",
        "dismissed",
        "disputed",
        "disputes",
        "estimate",
        "estimated",
        "estimates",
        "false",
        "indicate",
        "indicated",
        "indicates",
        "indicating",
        "insisted",
        "maintain",
        "maintained",
        "mentioned",
        "noted",
        "noting",
        "officially",
        "possibly",
        "potentially",
        "probably",
        "rejected",
        "rejecting",
        "reiterated",
        "report",
        "reported",
        "reportedly",
        "reporting",
        "reports",
        "said",
        "saying",
        "says",
        "stated",
        "statement",
        "states",
        "suggest",
        "suggested",
        "suggests",
        "told",
        "true",
        "unconfirmed",
        "unverified",
        "verified",
        "verify",
        "warn",
        "warned",
        "warning",
        "warns",
        "analyst",
        "analysts",
        "official",
        "officials",
        "source",
        "sources",
        "spokesman",
        "spokesperson",
        "spokeswoman",
        "intelligence",
        "minister",
        "president",
        "prime",
        "secretary",
        "government",
        "new",
    ]
)
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


class Signature:
    """A claim as stories compare it: subject actor ids and a key of sorted stems."""

    __slots__ = ("subjects", "key")

    def __init__(self, subjects: list[str], key: str) -> None:
        self.subjects = subjects
        self.key = key


def signatures(document: Document) -> list[Signature]:
    """One signature per claim of `document`, in claim order."""
    mentions = sorted((m.start, m.end) for a in document.extraction.actors for m in a.mentions)
    starts = [start for start, _ in mentions]
    return [_signature(document.text, claim, mentions, starts) for claim in document.extraction.claims]


def _signature(text: str, claim: Claim, mentions: list[tuple[int, int]], starts: list[int]) -> Signature:
    # the claim's words with the actor mentions inside it cut out
    pieces, at = [], claim.start
    for start, end in mentions[bisect.bisect_left(starts, claim.start) :]:
        if start >= claim.end:
            break
        if start >= at:
            pieces.append(text[at:start])
            at = end
    pieces.append(text[at : claim.end])
    cue = set(_WORD.findall((claim.cue or "").lower()))
    stems: dict[str, None] = {}
    for word in _WORD.findall(" ".join(pieces).lower()):
        if word not in STOP_WORDS and word not in cue:
            stems.setdefault(_stem(word))
            if len(stems) >= MAX_STEMS:
                break
    return Signature(list(dict.fromkeys(claim.subject_ids)), " ".join(sorted(stems)))
