"""Broad word classes of danger, for the urgency model to generalise beyond its examples.

The urgent rules (``nlp.rules``) name specific dangers ("gas" near "smell"). A city's next
emergency may be one nobody wrote a rule or an example for, in words the model never saw
("the scaffold is teetering over the bus queue"). These classes tag a text with what any
danger report tends to hold: harm to people or property, a hazardous state, haste, and
people exposed to it. The tags join the form view (``sig_harm`` ...), so the urgency head
learns how much each class weighs from the labelled examples, and a new word of a known
class carries that weight. They are signals for the model, never urgent by themselves.

Each entry is one word, looked up by its lemma for every token (no phrase matching: it
costs nothing per text). "!" counts as haste; repeated marks are one "!" after
normalisation.
"""

from __future__ import annotations

EN_SIGNALS: dict[str, tuple[str, ...]] = {
    # what happens to people or property
    "harm": (
        "die", "dying", "dead", "death", "kill", "killed", "hurt", "injure", "injured",
        "injury", "wound", "wounded", "bleed", "bleeding", "blood", "burn", "burnt", "burned",
        "scald", "scalded", "drown", "drowning", "crush", "crushed", "choke", "choking",
        "suffocate", "suffocating", "poison", "poisoned", "poisoning", "electrocute",
        "electrocuted", "shock", "explode", "exploded", "explosion", "blast", "collapse",
        "collapsed", "trap", "trapped", "unconscious", "faint", "fainted",
        "scream", "screaming", "panic", "casualty", "fatal", "victim",
        "ambulance", "paramedic", "hospital", "rescue", "evacuate", "evacuated", "evacuation",
        "firefighter", "police", "swallow",
        "struck",
        "bite", "bitten", "sting", "stung", "attack",
        "attacked", "maul", "seizure", "stroke", "breathing", "breathe",
        "cough", "coughing", "vomit", "vomiting", "dizzy", "sick", "allergic",
    ),
    # a state of things that can do harm
    "hazard": (
        "danger", "dangerous", "hazard", "hazardous", "risk", "unsafe", "deadly", "lethal",
        "toxic", "fume", "fumes", "smoke", "smoking", "smoulder", "smouldering", "flame",
        "flames", "fire", "blaze", "spark", "sparking", "flood", "flooding", "leak", "leaking",
        "gas", "live", "exposed", "falling", "collapse", "crack", "cracking", "sinking",
        "unstable", "loose", "hanging", "dangle", "dangling", "lean", "leaning", "teeter",
        "teetering", "precarious", "sway", "swaying", "jagged", "slippery", "icy", "ice",
        "boiling", "scalding", "overheat", "overheating", "melt", "melting", "rising",
        "overflow", "surge", "gush", "gushing", "burst", "rupture", "hiss", "hissing",
        "sizzle", "crackle", "crackling", "buzz", "buzzing", "venomous", "poisonous",
        "rabid", "aggressive", "wild", "chemical", "acid", "asbestos", "wire", "cable",
        "voltage", "current", "electric", "electricity", "sewage", "sinkhole", "landslide",
        "mudslide", "rockfall", "avalanche", "storm", "lightning", "tornado", "cyclone",
        "hurricane", "earthquake", "tremor", "tsunami", "wildfire", "heatwave", "explosive",
        "ammunition", "bomb", "weapon", "gun", "knife", "needle", "syringe", "glass",
        "shard", "rubble", "debris", "unlit", "unfenced",
        "open", "uncovered", "missing", "swarm", "snake", "stray",
    ),
    # it is happening now and will not wait
    "hurry": (
        "now", "immediately", "urgent", "urgently",
        "hurry", "quick", "quickly", "fast", "help",
        "spreading",
        "emergency",
        "sos", "!",
        "still", "keep", "keeps", "minutes", "tonight",
    ),
    # who or what is exposed
    "exposed": (
        "child", "children", "kid", "kids", "baby", "babies", "toddler", "toddlers",
        "school", "pupil", "pupils", "student", "students", "elderly",
        "pensioner", "pregnant", "disabled", "wheelchair",
        "people", "person", "crowd", "pedestrian", "pedestrians",
        "cyclist", "cyclists", "driver", "drivers", "traffic", "car", "cars", "bus",
        "resident", "residents", "family", "families", "patient", "patients", "neighbour",
        "neighbor", "everyone", "someone", "somebody", "anyone", "playground", "pavement",
        "sidewalk", "footpath", "house", "houses", "home", "homes", "flat", "flats",
        "building", "market", "queue", "crossing", "road", "street",
    ),
}

DE_SIGNALS: dict[str, tuple[str, ...]] = {
    "harm": (
        "tot", "tote", "sterben", "stirbt", "verletzt", "verletzte", "verletzung", "blutet",
        "blut", "verbrannt", "verbrennung", "ertrinken", "ertrinkt", "erstickt", "vergiftet",
        "vergiftung", "stromschlag", "explodiert", "explosion", "eingeklemmt", "eingestürzt",
        "eingesperrt", "bewusstlos", "ohnmächtig", "schreit", "schreien", "panik", "opfer",
        "krankenwagen", "rettungswagen", "notarzt", "krankenhaus", "feuerwehr", "polizei",
        "evakuiert", "gestürzt", "gebissen", "gestochen", "angegriffen", "atemnot", "husten",
        "schwindelig", "übel", "erbrechen",
    ),
    "hazard": (
        "gefahr", "gefährlich", "lebensgefahr", "lebensgefährlich", "risiko", "unsicher",
        "giftig", "dämpfe", "rauch", "qualm", "flammen", "feuer", "brand", "brennt",
        "funken", "überschwemmung", "hochwasser", "leck", "undicht", "gas", "strom",
        "kabel", "leitung", "fällt", "fallen", "einsturz", "riss", "risse", "locker",
        "lose", "hängt", "wackelt", "schief", "glatt", "glatteis", "eis", "zischt",
        "sprudelt", "chemikalien", "säure", "asbest", "unwetter", "sturm", "blitz",
        "erdrutsch", "steinschlag", "waffe", "messer", "spritzen", "scherben", "ungesichert",
        "offen", "fehlt", "schwarm", "schlange",
    ),
    "hurry": (
        "jetzt", "gerade", "sofort", "dringend", "schnell", "hilfe", "notfall",
        "gleich", "!", "eben",
    ),
    "exposed": (
        "kind", "kinder", "baby", "schule", "schüler", "ältere", "älterer", "senioren",
        "leute", "menschen", "person", "passanten", "fußgänger", "radfahrer", "autofahrer",
        "verkehr", "auto", "autos", "bus", "anwohner", "familie", "familien", "patienten",
        "nachbar", "nachbarn", "jemand", "spielplatz", "gehweg", "bürgersteig", "haus",
        "häuser", "wohnung", "straße",
    ),
}

_SIGNALS = {"en": EN_SIGNALS, "de": DE_SIGNALS}


def signal_rules(lang: str) -> dict[str, tuple[str, ...]]:
    """Return the danger word classes for ``lang`` (English where there are none)."""
    return _SIGNALS.get(lang, EN_SIGNALS)
