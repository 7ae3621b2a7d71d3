"""Synthetic news-like text for the benchmarks: seeded, so every run measures the same corpus."""

from __future__ import annotations

import random

PEOPLE = [
    "Foreign Minister Ana Costa",
    "President Emmanuel Macron",
    "Lloyd Austin",
    "General Piotr Nowak",
    "Prime Minister Keir Starmer",
    "spokesman Dmitry Peskov",
    "analyst Maria Lindqvist",
]
PLACES = [
    "Russia",
    "Ukraine",
    "North Korea",
    "China",
    "Poland",
    "Iran",
    "the United States",
    "NATO",
    "Moscow",
    "Kyiv",
    "Beijing",
    "the European Union",
    "Pyongyang",
    "Turkey",
    "Estonia",
]
DEMONYMS = ["Russian", "Ukrainian", "North Korean", "Chinese", "Polish", "Iranian", "American", "Estonian"]
UNITS = ["soldiers", "troops", "drones", "tanks", "officers", "civilians", "military sites", "people"]
QUALIFIERS = ["", "up to ", "at least ", "about ", "more than ", "around "]
NUMBERS = ["3,000", "12,000", "500", "two", "five", "1.5 million", "40", "10,000-12,000"]
DATES = [
    "on October 23",
    "on Tuesday",
    "in June 2024",
    "last week",
    "on February 24, 2022",
    "since early August",
]
VERBS = ["said", "confirmed", "denied", "warned", "estimated", "reported", "has not confirmed", "disputed"]
FILLER = [
    "The situation remains tense along the front line.",
    "Talks are expected to resume.",
    "Markets reacted calmly to the news.",
    "Observers expect further escalation in the coming weeks.",
]


def sentence(rng: random.Random) -> str:
    kind = rng.random()
    subject = rng.choice(PEOPLE + PLACES)
    figure = f"{rng.choice(QUALIFIERS)}{rng.choice(NUMBERS)} {rng.choice(DEMONYMS)} {rng.choice(UNITS)}"
    if kind < 0.45:
        return f"{subject} {rng.choice(VERBS)} {rng.choice(DATES)} that {figure} had arrived in {rng.choice(PLACES)}."
    if kind < 0.7:
        return f"“{figure.capitalize()} are ready to move,” {rng.choice(PEOPLE)} said {rng.choice(DATES)}."
    if kind < 0.85:
        return f"According to {rng.choice(DEMONYMS)} intelligence, {figure} were seen near the border."
    return rng.choice(FILLER)


def article(rng: random.Random, sentences: int = 25) -> str:
    paragraphs = []
    for _ in range(max(1, sentences // 5)):
        paragraphs.append(" ".join(sentence(rng) for _ in range(5)))
    return "\n".join(paragraphs)


def corpus(megabytes: float, seed: int = 7) -> list[str]:
    """Articles adding up to at least `megabytes` of UTF-8 text."""
    rng = random.Random(seed)
    articles, size = [], 0
    while size < megabytes * 1_000_000:
        text = article(rng)
        articles.append(text)
        size += len(text.encode())
    return articles
