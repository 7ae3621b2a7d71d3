"""Regenerate the countries of claimscope_rules/data/gazetteer.json from the `countryinfo` package.

Run by hand when the country data should be refreshed (`pip install countryinfo` first);
the service only reads the JSON, and the gazetteer's other entries (organisations, people) are
kept. Overrides below add the forms newsrooms use that the source lacks ("U.S.", "Britain",
"the Kremlin") and drop capitals that are ordinary words or common names, which would otherwise
turn "Victoria said" into a country.
"""

from __future__ import annotations

import json
import pathlib
import re

import countryinfo
from countryinfo import CountryInfo  # noqa: F401  (the package's data folder is read below)

DATA = pathlib.Path(countryinfo.__file__).parent / "data"
OUT = pathlib.Path(__file__).resolve().parents[1] / "claimscope_rules" / "data" / "gazetteer.json"

AMBIGUOUS_CAPITALS = {
    "Victoria",
    "Male",
    "Kingston",
    "Hamilton",
    "Georgetown",
    "Jamestown",
    "Plymouth",
    "Douglas",
    "Stanley",
    "Saint Helier",
    "Saint Peter Port",
    "Castries",
    "Roseau",
    "Basseterre",
    "Avarua",
    "Adamstown",
    "Alofi",
    "Kingstown",
    "Marigot",
    "Gustavia",
    "Philipsburg",
    "Oranjestad",
    "Willemstad",
    "Road Town",
    "The Valley",
    "Flying Fish Cove",
    "West Island",
    "King Edward Point",
    "Kralendijk",
    "Charlotte Amalie",
    "Cockburn Town",
    "George Town",
    "Brades",
    "Nuuk",
    "Hagåtña",
    "Saipan",
    "Mata-Utu",
    "Nouméa",
    "Papeetē",
    "Tórshavn",
    "Gibraltar",
    "Monaco",
    "Singapore",
    "Luxembourg",
    "Kuwait City",
    "Djibouti",
    "Vatican City",
    "San Marino",
    "Andorra la Vella",
    "Panama City",
    "Guatemala City",
    "Mexico City",
    "Belize City",
    "Santiago",
    "San José",
    "Lima",
    "Praia",
    "Apia",
    "Victoria City",
    "Washington D.C.",
}
OVERRIDES = {
    "United States": {
        "aliases": ["U.S.", "US", "USA", "U.S.A.", "America", "United States of America"],
        "metonyms": ["Washington", "White House"],
    },
    "United Kingdom": {
        "aliases": ["UK", "U.K.", "Britain", "Great Britain"],
        "demonyms": ["Briton"],
        "metonyms": ["Downing Street", "Whitehall"],
    },
    "Russia": {"metonyms": ["Kremlin"]},
    "China": {"metonyms": ["Zhongnanhai"]},
    "Ukraine": {"aliases": ["Ukrayina"], "metonyms": ["Kiev"]},
    "South Korea": {"aliases": ["Republic of Korea", "ROK"]},
    "North Korea": {"aliases": ["DPRK", "Democratic People's Republic of Korea"]},
    "Israel": {"metonyms": ["Jerusalem"]},
    "Netherlands": {"metonyms": ["The Hague"]},
    "Vatican City": {"aliases": ["Vatican", "Holy See"]},
    "Czechia": {"aliases": ["Czech Republic"]},
    "Myanmar": {"aliases": ["Burma"]},
    "Türkiye": {"aliases": ["Turkey"]},
    "Turkey": {"aliases": ["Türkiye"]},
    "Saudi Arabia": {"demonyms": ["Saudi"]},
    "United Arab Emirates": {"aliases": ["UAE", "U.A.E.", "the Emirates"]},
    "Ivory Coast": {"aliases": ["Côte d'Ivoire", "Cote d'Ivoire"]},
    "Democratic Republic of the Congo": {"aliases": ["DRC", "Democratic Republic of Congo"]},
    "Philippines": {"demonyms": ["Philippine"]},
}


# A demonym or capital several entries share means the one country newsrooms mean by it;
# shared forms missing here mean none of them ("Channel Islander").
SHARED_FORM_OWNERS = {
    "American": "United States",
    "Chinese": "China",
    "French": "France",
    "Indian": "India",
    "Norwegian": "Norway",
    "Dominican": "Dominican Republic",
    "Congolese": "Democratic Republic of the Congo",
    "Belgrade": "Serbia",
}


def dedupe_forms(entries: list[dict]) -> None:
    """Keep each demonym and metonym on one entry only (else "Indian" could be any of them)."""
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for kind in ("demonyms", "metonyms"):
            for form in entry[kind]:
                owners.setdefault(form, set()).add(entry["name"])
    for entry in entries:
        for kind in ("demonyms", "metonyms"):
            entry[kind] = [
                f for f in entry[kind] if len(owners[f]) == 1 or SHARED_FORM_OWNERS.get(f) == entry["name"]
            ]


def latin_name(form: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z .'-]+", form)) and "," not in form


def main() -> None:
    entries = []
    for path in sorted(DATA.glob("*.json")):
        info = json.loads(path.read_text())
        name = info.get("name")
        if not name or not info.get("demonym"):
            continue  # territories without a demonym are rarely actors in the news
        aliases = [a for a in info.get("altSpellings") or [] if latin_name(a) and a != name and len(a) > 3]
        capital = info.get("capital") or ""
        capital = capital[0] if isinstance(capital, list) and capital else capital or ""
        metonyms = [capital] if capital and capital not in AMBIGUOUS_CAPITALS and latin_name(capital) else []
        extra = OVERRIDES.get(name, {})
        entries.append(
            {
                "name": name,
                "type": "country",
                "aliases": sorted(set(aliases + extra.get("aliases", []))),
                "demonyms": [info["demonym"], *extra.get("demonyms", [])],
                "metonyms": metonyms + extra.get("metonyms", []),
            }
        )
    dedupe_forms(entries)
    others = [e for e in json.loads(OUT.read_text(encoding="utf-8")) if e["type"] != "country"]
    OUT.write_text(json.dumps(entries + others, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(entries)} countries to {OUT}")


if __name__ == "__main__":
    main()
