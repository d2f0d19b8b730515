"""Word lists per language: SMS abbreviations and the function words kept in the 'form' view.

The form view keeps the words that say *what a text does* (asks, proposes, thanks, reports)
and masks the words that say *what it is about*, so the kind and innovation heads learn
phrasing that carries over to other cities' topics. Languages without a list here still
work: they get spaCy's stop words and no abbreviations.
"""

from __future__ import annotations

from functools import lru_cache

_ABBREVIATIONS: dict[str, dict[str, str]] = {
    "en": {
        "pls": "please", "plz": "please", "plse": "please", "pleas": "please", "pl": "please",
        "u": "you", "ur": "your", "r": "are", "y": "why", "n": "and", "nd": "and",
        "thx": "thanks", "thnx": "thanks", "thnks": "thanks", "tnx": "thanks", "ty": "thank you",
        "tq": "thank you", "thanku": "thank you", "thankyou": "thank you",
        "govt": "government", "gov": "government", "dept": "department",
        "b4": "before", "2day": "today", "2moro": "tomorrow", "tmrw": "tomorrow",
        "tmr": "tomorrow", "2nite": "tonight", "nite": "night", "bcoz": "because",
        "bcz": "because", "coz": "because", "cuz": "because", "cos": "because",
        "wat": "what", "wht": "what", "wen": "when", "whn": "when", "hw": "how",
        "abt": "about", "msg": "message", "ppl": "people", "frm": "from", "wid": "with",
        "w/": "with", "w/o": "without", "dnt": "don't", "dont": "don't", "cant": "can't",
        "cnt": "can't", "wont": "won't", "isnt": "isn't", "doesnt": "doesn't", "didnt": "didn't",
        "im": "i'm", "ive": "i've", "nt": "not", "nw": "now", "rd": "road", "st": "street",
        "ave": "avenue", "nr": "near", "opp": "opposite", "bldg": "building", "apt": "apartment",
        "lite": "light", "lites": "light", "wrking": "work", "wrkng": "work",
        "nothng": "nothing", "sm1": "someone", "some1": "someone", "any1": "anyone",
        "gr8": "great", "tho": "though", "thru": "through", "yr": "year", "yrs": "years",
        "hrs": "hours", "hr": "hour", "mins": "minutes", "wk": "week", "wks": "weeks",
        "asap": "as soon as possible", "pothole's": "potholes", "idk": "i don't know",
        "bt": "but", "cud": "could", "shud": "should", "wud": "would", "r8": "right",
    },
    "de": {
        "bzw": "beziehungsweise", "z.b.": "zum beispiel", "zb": "zum beispiel",
        "lg": "liebe grüße", "vg": "viele grüße", "mfg": "mit freundlichen grüßen",
        "str": "straße", "str.": "straße", "ca": "circa", "ggf": "gegebenenfalls",
        "bitte!": "bitte", "danke!": "danke", "pls": "bitte", "plz": "bitte", "thx": "danke",
        "usw": "und so weiter", "evtl": "eventuell",
    },
}

# Words that carry a text's form (asking, proposing, thanking, complaining) rather than its
# topic. Added to spaCy's stop words for the form view.
_FORM_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """
        ? ! please thank thanks grateful appreciate appreciated kudos congratulation
        congratulations great good excellent amazing wonderful brilliant fantastic
        awesome love lovely nice happy impressed job work well fast quick quickly prompt
        finally suggest suggestion propose proposal recommend recommendation idea ideas
        request consider wish hope like want love maybe perhaps instead better improve
        improvement new more additional extra another add install introduce create build
        provide make allow offer plant start set put organise organize implement extend
        expand convert replace upgrade encourage let need should could would must ought
        shall why how when where what who which whom whose is are can do does did will
        may might not no never nobody still again yet already broken damaged dirty
        terrible awful horrible bad worse worst fed up complaint complain problem issue
        since day week month year days weeks months years ago daily everyday every
        always sick tired
        disgusting useless fix fixed repair repaired clean cleaned resolved solved
        sorted done help info information know tell update contact apply find open close
        hours cost pay get emergency urgent urgently immediately danger dangerous unsafe
        risk hazard
        """.split()
    ),
    "de": frozenset(
        """
        ? ! bitte danke vielen dank dankeschön toll super gut prima klasse lob loben
        vorschlag vorschlagen vorschläge idee ideen anregung wunsch wünschen wünsche
        sollte sollten könnte könnten würde würden wäre wären müsste müssten schön
        sinnvoll besser verbessern verbesserung neu neue neuer neues mehr zusätzlich
        einrichten bauen schaffen anlegen errichten einführen aufstellen öffnen
        freigeben warum wieso weshalb wann wo wie was wer welche welcher ist sind kann
        können gibt nicht kein keine nie niemand immer noch wieder schon kaputt defekt
        schlecht gefährlich gefahr marode beschädigt schmutzig dreckig mangel problem
        seit tagen wochen monaten jahren ständig täglich reparieren repariert beheben
        notfall dringend sofort
        """.split()
    ),
}


# German function words the English form view also keeps: the bundled model is English, yet
# a city's citizens write in more than one language, and a German proposal ("Man sollte hier
# einen Radweg anlegen") reads as one only if its function words survive the masking.
# Curated, not spaCy's German stop list: that one holds English topic words ("bin", "war").
_GERMAN_FUNCTION = frozenset(
    """
    der die das den dem des ein eine einen einem einer eines ich du er sie es wir ihr man
    mich mir uns euch sich und oder aber denn wenn dass weil ob als auch nur sehr hier dort
    diese dieser dieses diesen jede jeder jedes alle viele nichts zu zum zur im auf aus bei
    mit nach von vor für über unter durch gegen ohne bis wird werden wurde wurden haben
    hatte hätte muss müssen soll sollen wollen möchte möchten darf dürfen geben sein
    endlich leider eigentlich vielleicht dringend
    """.split()
)


def abbreviations(lang: str) -> dict[str, str]:
    """Return the SMS/chat abbreviation table for ``lang`` (empty when there is none)."""
    return _ABBREVIATIONS.get(lang, {})


@lru_cache(maxsize=16)
def form_words(lang: str) -> frozenset[str]:
    """Return the words kept in the form view: spaCy's stop words plus the cue words."""
    from spacy.util import get_lang_class

    try:
        stop_words = frozenset(get_lang_class(lang).Defaults.stop_words)
    except ImportError:
        stop_words = frozenset()
    words = stop_words | _FORM_WORDS.get(lang, frozenset())
    if lang == "en":
        words |= _FORM_WORDS["de"] | _GERMAN_FUNCTION
    return words
