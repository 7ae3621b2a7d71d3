"""Figure conflicts: the claims of one story give different numbers for the same unit.

Units are compared singular and case-folded ("Soldiers" = "soldier"). Two values
disagree when they differ by more than TOLERANCE of the larger one, so "about 12,000" and
"12,000" agree while "at least 3,000" and "up to 12,000" do not: qualifiers are shown, not
reconciled, because a reader wants to see both numbers and who gave them.
"""

from __future__ import annotations

from collections.abc import Iterable

from claimscope.stories.models import ConflictingFigure, FigureConflict, TimelineEntry

TOLERANCE = 0.1
MAX_LISTED = 50  # figures listed per unit


def unit_key(unit: str) -> str:
    word = " ".join(unit.casefold().split())
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def conflicts(entries: Iterable[TimelineEntry]) -> list[FigureConflict]:
    by_unit: dict[str, dict[tuple, ConflictingFigure]] = {}
    for entry in entries:
        for figure in entry.figures:
            if not figure.unit:
                continue
            listed = by_unit.setdefault(unit_key(figure.unit), {})
            seen = (figure.value, figure.value_max, figure.qualifier, entry.document_id)
            if seen not in listed and len(listed) < MAX_LISTED:
                listed[seen] = ConflictingFigure(
                    value=figure.value,
                    value_max=figure.value_max,
                    qualifier=figure.qualifier,
                    text=figure.text,
                    claim_id=entry.claim_id,
                    document_id=entry.document_id,
                    source=entry.source,
                )
    found = []
    for unit, listed in sorted(by_unit.items()):
        figures = sorted(listed.values(), key=lambda f: (f.value, f.claim_id))
        # a range agrees with any value inside it: compare the highest low end with the lowest high end
        highest_low = max(f.value for f in figures)
        lowest_high = min(f.value if f.value_max is None else f.value_max for f in figures)
        if highest_low - lowest_high > TOLERANCE * max(abs(highest_low), abs(lowest_high)):
            found.append(FigureConflict(unit=unit, tolerance=TOLERANCE, figures=figures))
    return found
