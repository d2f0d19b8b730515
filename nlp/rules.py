"""Rules for spaCy's PhraseMatcher: four danger phrases the urgency model weighs, and the
cues of a text's kind.

A rule is a list of *phrases* ("open manhole") or a *pair* of phrase groups that must
occur near each other in one sentence (``Near(("manhole",), ("open", "missing"), gap=5)``).
Phrases are matched on lookup lemmas of lower-cased text, so "sparking", "sparks" and
"sparked" all match "spark". A phrase starting with ``^`` must open a sentence.

No rule decides anything: each urgent rule is one feature of the urgency head
(``urg_<rule>`` in ``nlp.prep.Prepared.tags``), weighed by training on real labelled texts.
The rules written from the team's own sets (37 English, 26 German, with exceptions for
past, fixed, hypothetical and harmless uses) were measured on the real development split
(``python bench/urgency_dev.py --rules``): how often each fires, its precision, the urgent
texts it alone catches, and the model's out-of-fold figures without it. Only these four
made the model measurably worse when taken out (ROC AUC down by 0.0008 or more, four times
the spread of rules that changed nothing); the rest, the exceptions (no gain measured
when their features were taken out) and every German rule (no German text in the real set
is urgent, so a German rule can only raise false alarms: 7 of its 8 matches there were
not even borderline) are gone. ``git log -- nlp/rules.py`` has them.
"""

from __future__ import annotations

from nlp.rule_types import Near, Rule
from nlp.rules_de import DE_CUES

__all__ = ["CUE_NAMES", "EN_CUES", "EN_URGENT", "Near", "Rule", "cue_rules", "urgent_rules"]

_WIRES = ("wire", "wiring", "cable", "power line", "powerline", "electric line", "electrics",
          "transformer", "electric pole", "junction box", "overhead line")
# "Wires hanging" alone is mostly cable TV clutter; a wire that is live, sparking, down or
# lying where people walk is the danger.
_WIRE_DANGER = ("live", "expose", "exposed", "fall", "fell", "fallen", "snap", "snapped",
                "spark", "sparking", "bare", "down", "burn", "burning", "explode", "exploded",
                "smoke", "smoking", "on the ground", "on the road", "short circuit", "lie",
                "lying", "fizz", "fizzing", "buzz", "buzzing", "in the water", "shock",
                "head height")
_TREES = ("tree", "branch", "branches", "limb", "bough", "trunk", "oak", "pine", "beech",
          "elm", "willow", "birch", "palm", "eucalyptus", "banyan", "neem", "sycamore",
          "poplar", "chestnut", "plane tree", "conifer", "gum tree")

EN_URGENT: dict[str, list[Rule]] = {
    "live_wire": [
        Near(_WIRES, _WIRE_DANGER, gap=4),
        ("electric shock", "electrocute", "electrocuted", "electrocution", "live wire",
         "it's live", "it is live", "still live",
         "live cable", "exposed wire", "exposed wiring", "short circuit", "got a shock",
         "get a shock"),
        Near(("spark", "sparks", "sparking"), ("pole", "box", "light", "lamp", "meter",
                                               "socket", "post", "streetlight"), gap=4),
    ],
    "open_manhole": [
        Near(("manhole", "man hole", "drain cover", "sewer cover", "manhole cover",
              "drain lid", "chamber cover", "storm drain", "inspection cover", "well"),
             ("open", "miss", "missing", "uncovered", "uncover", "steal", "stolen", "remove",
              "removed", "gone", "no cover", "not covered", "without", "blow", "blown",
              "blown off", "lift", "lifted", "displace", "displaced"), gap=5),
        ("open manhole", "uncovered manhole", "missing manhole"),
        Near(("drain", "gully", "culvert", "sewer"),
             ("no cover", "without cover", "without a cover", "cover missing",
              "cover is missing", "cover gone", "lid missing", "no lid"), gap=3),
    ],
    "fallen_tree": [
        Near(_TREES,
             ("fall", "fell", "fallen", "uproot", "uprooted", "crash", "crashed", "snap",
              "snapped", "topple", "toppled", "collapse", "collapsed", "come down",
              "came down", "split", "creak", "creaking", "lying on", "lie on", "rest on",
              "resting on", "on top of", "on the roof", "on a car", "on the car",
              "across the road"), gap=4),
        ("tree down", "trees down", "branch down", "tree is down"),
    ],
    "traffic_signal_out": [
        Near(("traffic light", "traffic lights", "traffic signal", "signal", "signals",
              "stoplight", "stop light", "junction", "intersection", "crossroads",
              "roundabout", "crossing lights", "pedestrian lights"),
             ("out", "dead", "off", "down", "blank", "fail", "failed", "not work",
              "not working", "stop working", "stopped working", "flashing amber",
              "green both ways", "green for both", "both directions"), gap=6),
        Near(("traffic light", "traffic lights", "traffic signal", "traffic signals", "signal",
              "signals", "stoplight", "stoplights", "stop light", "stop lights"),
             ("dark", "gone dark", "went dark", "all dark", "blacked out"), gap=6),
        Near(("walk signal", "walk sign", "walk light", "pedestrian signal", "pedestrian light",
              "pedestrian lights", "green man", "crossing light", "crosswalk signal"),
             ("cars have green", "cars also have green", "cars have a green",
              "traffic has green", "while cars", "same time as the cars",
              "same time as cars", "green for cars", "both green"), gap=10),
    ],
}

EN_CUES: dict[str, list[Rule]] = {
    "cue_modal": [("should", "could", "ought to", "must", "shall", "need to", "needs to",
                   "need a", "need more", "need new", "need some")],
    "cue_would_be": [tuple(f"{w} be {adj}" for w in ("would", "will", "'d") for adj in (
        "nice", "great", "good", "better", "helpful", "useful", "awesome", "wonderful",
        "lovely", "cool", "ideal", "fantastic", "brilliant", "beneficial", "amazing",
        "excellent", "smart", "sensible", "so much better", "really nice", "really good",
        "really helpful", "a good idea", "a great idea", "great if", "nice if"))],
    "cue_suggest": [("suggest", "suggestion", "propose", "proposal", "recommend",
                     "recommendation", "idea", "advise", "request", "urge", "petition",
                     "consider", "it would", "it'd")],
    "cue_why_not": [("why not", "why don't", "why can't", "how about", "what about",
                     "what if", "is it possible to", "would it be possible")],
    "cue_wish": [("wish", "hope that", "hope you", "hope the", "hope we", "i hope", "would like",
                  "'d like", "would love", "'d love", "would prefer", "love to see",
                  "like to see", "want to see", "want to have", "there should", "there could",
                  "there must", "there need", "let us", "let 's", "we need", "we want")],
    "cue_improve": [("improve", "improvement", "upgrade", "instead", "alternative",
                     "encourage", "introduce", "install", "establish", "extend", "expand",
                     "convert", "implement", "initiative", "programme", "program", "more",
                     "new", "additional", "extra", "better", "dedicated", "free", "add",
                     "create", "build", "provide", "plant", "set up", "organise", "organize",
                     "start a", "allow")],
    "cue_please": [("please", "kindly", "request you", "requesting")],
    # "If the council opened the pool on Sundays, it could keep kids off the street"
    "cue_conditional": [Near(("if the", "if we", "if they", "if you", "if our", "if only",
                              "if there", "if more", "if it"),
                             ("could", "would", "will", "might", "'d"), gap=12)],
    "cue_propose_question": [("^could we", "^could you", "^could the", "^could there",
                              "^can we", "^can you", "^can the", "^can there", "^would it be",
                              "^is it possible", "^how about", "^what about", "^why not",
                              "^why don't", "^any chance", "^would you consider",
                              "^has the council considered", "^have you considered",
                              "^shouldn't", "^should we", "^should the", "^wouldn't it")],
    "cue_imperative": [tuple(f"^{verb}" for verb in (
        "add", "make", "try", "ask", "avoid", "consider", "allow", "provide", "include", "use",
        "let", "give", "put", "get", "go", "book", "bring", "check", "remember", "don't",
        "do not", "never", "always", "be sure", "stay", "choose", "pick", "support", "enable",
        "install", "update", "implement", "create", "build", "plant", "open", "extend",
        "reduce", "increase", "lower", "improve", "introduce", "hire", "start", "stop", "ban",
        "keep", "remove", "replace", "offer", "turn", "switch", "set up", "paint", "have",
        "establish", "designate", "convert", "expand", "fund", "organize", "organise",
        "host", "hold", "encourage", "require", "display", "show", "publish", "post",
        "label", "mark", "move", "place", "schedule", "run", "bring back", "look", "visit",
        "pay", "request", "skip", "take", "order", "join", "grab", "head"))],
    "cue_advice": [("you might want", "you may want", "might want to", "may want to",
                    "you should", "make sure", "be sure to", "don't forget", "do not forget",
                    "i recommend", "i'd recommend", "worth", "it's worth", "is worth",
                    "should be able", "would help", "it would help", "ability to",
                    "option to", "should support", "should have", "hopefully", "better if",
                    "prefer if", "nice to have", "nice if", "good if", "great if",
                    "i'd suggest", "suggest you", "my advice", "tip:", "pro tip")],
    "cue_question": [("?", "^when", "^where", "^what", "^who", "^why", "^how", "^which",
                      "^is", "^are", "^can", "^do", "^does", "^did", "^will", "^may", "^has",
                      "^have", "^am", "^was", "^were", "^could", "^would", "^be", "i wonder",
                      "wondering", "want to know", "like to know", "need to know", "to find out",
                      "any update", "any news", "any information", "let me know",
                      "let us know", "tell me", "can you tell", "inform me")],
    "cue_praise": [("thank", "thanks", "grateful", "appreciate", "kudos", "congratulation",
                    "congratulations", "impressed", "bravo", "cheers", "well do",
                    "well done", "shout out", "keep it up", "keep up the good work",
                    "love the", "love your", "enjoy the", "so happy", "so pleased",
                    "very happy", "very pleased", "really happy", "so glad",
                    *(f"{a} {b}" for a in ("great", "good", "excellent", "amazing", "fantastic",
                                           "brilliant", "wonderful", "superb", "awesome",
                                           "lovely", "outstanding", "quick", "fast", "prompt")
                      for b in ("job", "work", "service", "effort", "response", "team", "staff",
                                "action")))],
    "cue_fault": [("not work", "not working", "stop working", "not function", "not clear",
                   "not collect", "not clean", "not fix", "not repair", "never fix",
                   "not respond", "no response", "no action", "no one", "nobody",
                   "broken", "break", "damage", "damaged", "overflow", "overflowing", "leak",
                   "leaking", "block", "blocked", "clog", "clogged", "dirty", "smell", "stink",
                   "dump", "dumped", "pothole", "filthy", "flicker", "noisy", "terrible",
                   "awful", "horrible", "disgusting", "useless", "fed up", "complaint",
                   "complain", "problem", "still", "again", "for day", "for week",
                   "for month", "for year", "since", "every day", "every night")],
}

_URGENT: dict[str, dict[str, list[Rule]]] = {"en": EN_URGENT}
_CUES = {"en": EN_CUES, "de": DE_CUES}

CUE_NAMES: tuple[str, ...] = tuple(EN_CUES)


def urgent_rules(lang: str) -> dict[str, list[Rule]]:
    """Return the urgent-danger rules for ``lang`` (none but English's)."""
    return _URGENT.get(lang, {})


def cue_rules(lang: str) -> dict[str, list[Rule]]:
    """Return the kind/innovation cue rules for ``lang`` (English where there are none).

    English ones also hold the German cues, as the English form view keeps German function
    words (``nlp.lexicon``): one model reads the form of a proposal in both.
    """
    if lang == "en":
        return {name: EN_CUES.get(name, []) + DE_CUES.get(name, [])
                for name in dict.fromkeys([*EN_CUES, *DE_CUES])}
    return _CUES.get(lang, EN_CUES)
