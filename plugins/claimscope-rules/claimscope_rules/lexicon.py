"""The rules' vocabulary in one place: named word sets, and the claim-status cues as rows.

Every pattern of the rule modules is built from these sets, and every status cue's keyword
prefilter is derived from the cue's own phrases (:func:`prefilter_words`), so a cue can never be
defined without the words that let it fire.

Adding a rule is a row plus a test case: add a phrase to a set or a :class:`Cue` row here, and
a sentence you wrote yourself to the matching test module (see the package README).
"""

from __future__ import annotations

import re
import re._constants as _sre
import re._parser as _sre_parse
from collections.abc import Iterable
from dataclasses import dataclass, field

from claimscope.models import ClaimStatus, Qualifier


def alternation(forms: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so "Prime Minister" wins over "Prime")."""
    return "|".join(re.escape(w) for w in sorted(set(forms), key=lambda w: (-len(w), w)))


def words(text: str) -> list[str]:
    """The words of a space-separated list: the sets below stay readable as prose."""
    return text.split()


# --- Speech and attribution -------------------------------------------------------------------

# Verbs that attribute words to a speaker, as the quotes rules read them (present and past).
SPEECH_VERBS = words(
    "said says say told tells added adds wrote writes warned warns noted notes stated states argued "
    "argues explained insisted declared announced asked replied posted tweeted stressed emphasized "
    "emphasised urged acknowledged admitted claimed continued concluded remarked recalled commented "
    "called describes described"
)
# Verbs after a capitalised name that show it is a person or organisation speaking ("Costa said").
NAME_CUE_VERBS = words(
    "said says told added wrote warned noted stated argued claimed denied confirmed insisted explained "
    "announced acknowledged admitted declared tweeted posted asserted suggested estimated believes "
    "believed thinks emphasized emphasised stressed urged called accused dismissed rejected reported"
)
# Nouns for what someone said: "Costa’s warning that “…”".
SPEECH_NOUNS = words(
    "warning statement remark remarks words message comment comments call plea claim assertion promise pledge view"
)
# Verbs that put words in someone's mouth without a speech verb: "dismissed the reports as “…”".
CHARACTERIZE_VERBS = words(
    "dismissed rejected denied confirmed branded labeled labelled termed described accused vowed "
    "pledged promised condemned"
)
PARTICIPLES = words("saying adding calling describing warning noting arguing insisting writing telling")
PRONOUNS = {"he", "she", "they", "i", "we", "it"}
# "Ukrainian officials said": the head stands for the actor it modifies.
STANDS_FOR = {
    "officials",
    "authorities",
    "government",
    "military",
    "forces",
    "army",
    "leadership",
    "administration",
}
# "the minister said" stands for the person last named; "the ministry said" does not.
PERSON_ROLES = set(
    words(
        "president minister premier chancellor spokesman spokeswoman spokesperson leader official "
        "secretary general commander ambassador envoy senator governor mayor king queen prince pope "
        "chief director chairman chairwoman analyst diplomat"
    )
)

# --- Names, titles, organisations -------------------------------------------------------------

# Titles before a name; kept as a person's role, never part of the name (regex fragments).
TITLES = (
    "President|Vice President|Prime Minister|Deputy Prime Minister|Foreign Minister|Defen[cs]e Minister|"
    "Interior Minister|Finance Minister|Minister of [A-Z]\\w+(?: Affairs)?|[A-Z][a-z]+ Minister|Minister|"
    "Secretary-General|"
    "Secretary General|Secretary of State|Secretary of Defen[cs]e|Defen[cs]e Secretary|Foreign Secretary|"
    "Home Secretary|Secretary|Chancellor|Senator|Sen\\.|Rep\\.|Representative|Congressman|Congresswoman|"
    "Lt\\. Gen\\.|Maj\\. Gen\\.|Gen\\.|General|Admiral|Adm\\.|Col\\.|Colonel|Ambassador|Commander|"
    "Chief of Staff|Chief|Director|Governor|Mayor|King|Queen|Prince|Pope|Dr\\.|Mr\\.|Mrs\\.|Ms\\.|Professor|"
    "Prof\\.|Premier|Speaker|CEO|Chairman|Chairwoman|Spokesman|Spokeswoman|Spokesperson|Envoy|Leader|"
    "spokesman|spokeswoman|spokesperson|analyst|researcher|expert|official|envoy|leader|commander|"
    "premier|chairman|chairwoman|ambassador|minister|president|director|professor|journalist|reporter"
)
# Joined or separate particles inside names: "Omar Hassan al-Mahdi", "Ursula von der Leyen".
PARTICLES = {"de", "da", "van", "von", "der", "den", "bin", "al", "el", "le", "la", "di", "du", "dos", "del"}
JOINED_PARTICLES = ("al", "el", "ad", "as", "ash", "ibn", "bin", "abu")
# Capitalised words that begin sentences or clauses but never a person's name.
NOT_NAMES = set(
    words(
        "The A An In On At For But And Or However While When If As This That These Those It He She They "
        "We I His Her Their Our Meanwhile Also According After Before Since Despite Although Citing "
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
        "July August September October November December Western Eastern Northern Southern Related "
        "Sources Reports Report News"
    )
)
# The last word of a name that makes it an organisation ("the Wall Street Journal reported").
ORGANIZATION_WORDS = set(
    words(
        "journal times post news agency ministry council institute university group company bank party "
        "committee commission service office network association foundation forces army command "
        "department center centre court tribunal parliament assembly guard corporation inc ltd press "
        "herald tribune"
    )
)
# Capitalised head words that end an organisation's name ("the Atlantic Council").
ORGANIZATION_HEADS = words(
    "Forces Force Organization Organisation Agency Ministry Council Committee Commission Institute "
    "University Party Front Movement Fund Programme Program Office Directorate Corps Brigade Army Bank "
    "Union Association Foundation Corporation Court Authority Department Service Centre Center Tribunal "
    "Alliance Coalition Federation League Network Group Administration Guard Police Navy"
)
# Two-word names that every government has ("the Foreign Ministry", "Armed Forces"): without
# their country they would merge different actors across documents.
GENERIC_MODIFIERS = set(
    words(
        "Foreign Defence Defense Interior Justice Finance Health Armed Air Supreme Central Security "
        "Constitutional National General Economy Energy Education Emergency Emergencies Agriculture "
        "Culture Intelligence Naval Border State Special Ground Land Space Federal Military Presidential"
    )
)
# Words that, with GENERIC_MODIFIERS, name an institution every country has ("Ministry of
# Internal Affairs", "Armed Forces"): such an institution is its country's, one id per country.
GENERIC_INSTITUTION_WORDS = {
    "Ministry", "Department", "Forces", "Force", "Army", "Navy", "Police", "Guard", "Court", "Office",
    "Service", "Council", "Committee", "Commission", "Agency", "Affairs", "Internal", "Home", "Defence",
    "Defense", "Trade", "Transport", "Environment", "Labour", "Labor", "Information", "Communications",
}  # fmt: skip
NAME_CONNECTORS = {"of", "for", "on", "and", "the", "de", "du", "des", "la", "le"}

# --- Numbers and units ------------------------------------------------------------------------

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "dozen": 12,
}  # fmt: skip
SCALES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12,
}  # fmt: skip
# Qualifier words before a number, and the qualifier they mean.
QUALIFIERS: dict[str, Qualifier] = {
    "up to": "up to", "as many as": "up to", "could reach": "up to", "could rise to": "up to",
    "may reach": "up to", "at least": "at least", "no fewer than": "at least",
    "a minimum of": "at least", "about": "about", "around": "about", "approximately": "about",
    "roughly": "about", "some": "about", "nearly": "about", "almost": "about",
    "an estimated": "about", "estimated": "about", "more than": "more than", "over": "more than",
    "upwards of": "more than", "less than": "less than", "fewer than": "less than",
    "under": "less than", "exactly": "exactly",
}  # fmt: skip
# Words that end a unit: function words, auxiliaries, conjunctions.
UNIT_STOPS = set(
    words(
        "of in on at to from with and or who that which have has had were was are is be been will "
        "would could should may might each per a an the as for by into near since including than but "
        "not being there this these those their its his her our they it he she we you so if when while "
        "after before during across along more most over under about around out up down off all both "
        # adverbs: "about 100 elsewhere" counts nothing named after it
        "elsewhere here ago apiece overall altogether respectively alone already again too also now "
        "then today yesterday tomorrow nationwide worldwide abroad"
    )
)
# Adjectives commonly standing between a number and what it counts.
UNIT_ADJECTIVES = {
    "new",
    "additional",
    "other",
    "extra",
    "further",
    "more",
    "several",
    "many",
    "few",
    "such",
    "own",
}
# What a bare number most often counts in the news, to recover "could reach 12,000" from "troop ...".
COUNT_NOUNS = set(
    words(
        "troop troops soldier soldiers people civilians refugees casualties deaths fighters personnel "
        "workers residents migrants prisoners hostages victims"
    )
)
IRREGULAR_PLURALS = {"people", "personnel", "police", "children", "men", "women", "staff", "cattle"}
# Suffixes of adjectives standing before a counted noun: "four regional parties" counts parties,
# "40 trade unions" counts trade unions.
ADJECTIVE_SUFFIXES = ("al", "ic", "ive", "ous", "ful", "less", "ian", "ern", "ish", "ese")
# A verb whose bare number counts people: "the sinking killed 31".
CASUALTY_VERBS = set(words("killed killing kill kills injured injuring wounded wounding"))
# Nouns whose number counts something else: "the death toll rose to 412" counts deaths.
TALLY_NOUNS = {"toll": "deaths"}
# Units of time in compound adjectives that state a figure: "a 52-year-old", "a six-month strike".
TIME_UNITS = words("year month week day hour minute decade")

# --- Sentences --------------------------------------------------------------------------------

# Words after which a period does not end a sentence: titles, month abbreviations, initials.
ABBREVIATIONS = set(
    words(
        "mr mrs ms dr prof gen lt col maj capt adm sgt rep sen gov st jr sr no vs etc inc corp co ltd "
        "jan feb mar apr jun jul aug sep sept oct nov dec approx"
    )
)

# --- Keyword prefilters, derived from the patterns themselves ----------------------------------

_FORMS_LIMIT = 64


def prefilter_words(pattern: re.Pattern) -> set[str]:
    """Lower-cased strings one of which every match of `pattern` contains: the prefilter a
    sentence must pass before the pattern is tried. Raises ValueError for a pattern without
    such words (a cue must name something)."""
    found = _needles(_sre_parse.parse(pattern.pattern, pattern.flags))
    if not found:
        raise ValueError(f"no literal word in every match of {pattern.pattern!r}")
    # a keyword holding another is implied by it: "not confirmed" by "confirmed"
    return {n for n in found if not any(o != n and o in n for o in found)}


def _forms(items) -> set[str] | None:
    """Every string a parsed sequence can match, when there are few; None otherwise."""
    out = {""}
    options: set[str] | None
    for op, av in items:
        if op is _sre.LITERAL:
            options = {chr(av)}
        elif op is _sre.AT:
            options = {""}
        elif op is _sre.SUBPATTERN:
            options = _forms(av[-1])
        elif op is _sre.BRANCH:
            options = set()
            for branch in av[1]:
                sub = _forms(branch)
                if sub is None:
                    return None
                options |= sub
        elif op is _sre.IN and all(o is _sre.LITERAL for o, _ in av):
            options = {chr(v) for _, v in av}
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[1] <= 1:
            options = _forms(av[2])
            if options is not None and av[0] == 0:
                options = options | {""}
        else:
            return None
        if options is None:
            return None
        out = {a + b for a in out for b in options}
        if len(out) > _FORMS_LIMIT:
            return None
    return out


def _needles(items) -> set[str] | None:
    """The most selective set of strings one of which every match of `items` contains."""
    best: set[str] | None = None

    def consider(candidate: set[str] | None) -> None:
        nonlocal best
        if (
            candidate
            and all(any(c.isalnum() for c in s) for s in candidate)  # a keyword holds a word
            and (best is None or min(map(len, candidate)) > min(map(len, best)))
        ):
            best = candidate

    run: list = []

    def close() -> None:
        consider(_forms(run))  # the whole run, when it has few forms; else its parts
        literal = ""
        for op, av in [*run, (None, None)]:
            if op is _sre.LITERAL:
                literal += chr(av)
                continue
            consider({literal} if literal else None)
            literal = ""
            if op is not None:
                consider(_forms([(op, av)]))
        run.clear()

    for op, av in items:
        if _forms([(op, av)]) is not None:
            run.append((op, av))
            continue
        close()
        if op is _sre.SUBPATTERN:
            consider(_needles(av[-1]))
        elif op is _sre.BRANCH:
            union: set[str] | None = set()
            for branch in av[1]:
                sub = _needles(branch)
                union = None if not sub or union is None else union | sub
            consider(union)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_needles(av[2]))
    close()
    return {s.lower() for s in best} if best else None


# --- Claim status -----------------------------------------------------------------------------

_VERIFY = r"(?:confirm|verify)"
# What a report is called when it is rejected: "dismissed the reports as false".
DISMISSED_AS = (
    r"(?:false|fabricat\w*|baseless|groundless|untrue|lies|a lie|nonsense|a hoax|hoax|propaganda|fake)"
)
ACCUSATIONS = r"(?:accusations?|allegations?|charges?|reports?|claims?|rumou?rs)"
NOT_SENDING = (
    r"(?:is|was|are|were|has|have) [“\"‘']?not "
    r"(?:providing|sending|supplying|involved|deploying|sent|supplied)"
)


@dataclass(frozen=True)
class Cue:
    """One status rule: phrases (regex fragments, matched case-insensitively between word
    boundaries) that give a sentence's claim `status`. `scope` says where they count:

    - "sentence": outside direct quotation, in the claim's own sentence;
    - "quoted": also inside the quotation a sentence reports ("said the reports were “false”"),
      and only over a bare "reported";
    - "hedge": only on a bare statement that does not speculate ("would", "could").

    Rows are tried in order: the first that matches sets the status. The keyword prefilter is
    derived from the phrases (a sentence holding none of the keywords skips the row).
    """

    status: ClaimStatus
    phrases: tuple[str, ...]
    scope: str = "sentence"
    pattern: re.Pattern = field(init=False, compare=False, repr=False)
    keywords: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        pattern = re.compile(r"\b(?:" + "|".join(self.phrases) + r")\b", re.I)
        object.__setattr__(self, "pattern", pattern)
        object.__setattr__(self, "keywords", frozenset(prefilter_words(pattern)))


STATUS_CUES = (
    Cue(
        "unconfirmed",
        (
            rf"(?:could|can|cannot|can't|could not|did|does|do|would|will) not (?:be )?(?:independently )?(?:{_VERIFY}|verified|confirmed)",
            rf"(?:cannot|can't|couldn't|didn't|doesn't|won't|wouldn't) (?:be )?(?:independently )?(?:{_VERIFY}|verified|confirmed)",
            rf"(?:declined|refused|unable|not able|been unable) to (?:independently )?{_VERIFY}",
            r"(?:has|have|had) not (?:yet )?(?:been )?(?:independently )?(?:confirmed|verified)",
            rf"(?:has|have|had) yet to (?:be )?(?:independently )?(?:{_VERIFY}|confirmed|verified)",
            r"yet to be (?:independently )?(?:confirmed|verified)",
            r"not (?:yet )?(?:been )?(?:independently )?(?:confirmed|verified)",
            r"neither\b.{0,60}?\bnor\b.{0,60}?\b(?:confirmed|verified)",
            r"no (?:independent )?confirmation",
            r"without (?:independent )?(?:confirmation|verification)",
            r"no confirmed reports?",
            r"unconfirmed",
            r"unverified",
            r"(?<=, )if (?:true|confirmed)(?=,)",
            r"could not independently",
        ),
    ),
    Cue(
        "denied",
        (
            r"denied|denies|deny|denying|dismissed|dismisses|refuted|refutes",
            rf"(?:rejected|rejects|rejecting) (?:the |these |those |such |what (?:it|they|he|she) called )?"
            rf"(?:\w+ ){{0,2}}{ACCUSATIONS}(?![^.]{{0,40}}\bas {DISMISSED_AS})",
            r"rejected what (?:it|they|he|she) (?:called|described as)",
            NOT_SENDING,
        ),
    ),
    Cue(
        "disputed",
        (
            r"disputed|disputes|contested|contests|questioned|questions whether|cast doubt|casts doubt|challenged",
            r"contradicted|contradicts|rebutted|rebuts",
            rf"rejected[^.]{{0,40}}\bas {DISMISSED_AS}",
        ),
    ),
    Cue(
        "confirmed",
        (
            r"(?<![Ii]f )(?:confirmed|confirms|confirm|verified|verifies|corroborated|corroborates|corroborating|"
            r"confirming|acknowledged|acknowledges)",
        ),
    ),
    Cue(
        "reported",
        (
            r"said|says|stated|told|reported|reportedly|reports (?:indicate|suggest|say|said|show)",
            r"reports had (?:already )?indicated|reports? (?:from|by) [^.]{0,60}? that|according to",
            r"warned|warns|(?:has|have) warned|estimated|estimates|believes?|believed|suggested|suggests",
            r"indicated|indicates|claimed|claims that|announced|revealed|assessed|assesses",
            r"accused|accuses|wrote|writes|posted",
        ),
    ),
    # a hedge sets the status of a bare statement when it qualifies a thing ("has received ...
    # and potentially nuclear technology"), not a consequence the sentence speculates about
    # ("would ..., potentially allowing it ...")
    Cue("unconfirmed", (r"potentially\b(?!\s+\w+(?:ing|ed)\b)", r"allegedly", r"purportedly"), scope="hedge"),
    # reported words that deny may sit in the quote: 'X said the reports were “fabrications”'
    Cue(
        "denied",
        (
            rf"{ACCUSATIONS} (?:was|were|is|are) [“\"‘']?{DISMISSED_AS}",
            rf"[“\"‘']?{NOT_SENDING}",
            r"[“\"‘']?(?:denied|denies|deny)",
        ),
        scope="quoted",
    ),
)
# What a later sentence calls an earlier report it qualifies: "These reports could not be verified."
REPORT_NOUNS = words(
    "report reports claim claims allegation allegations account accounts figure figures estimate "
    "estimates number numbers information footage video assessment toll"
)
# Words in a hedged sentence that make it speculation rather than a hedged statement.
SPECULATION = re.compile(r"\b(?:would|could|might|may)\b", re.I)
