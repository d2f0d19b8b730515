"""Rules for spaCy's PhraseMatcher: urgent dangers and the cues of a text's kind.

A rule is a list of *phrases* ("carbon monoxide") or a *pair* of phrase groups that must
occur near each other in one sentence (``Near(("gas",), ("leak", "smell"), gap=4)``).
Phrases are matched on lookup lemmas of lower-cased text, so "leaking", "leaks" and
"leaked" all match "leak". A phrase starting with ``^`` must open a sentence.

Urgent rules favour recall (a missed gas leak is much worse than a false alarm); span
exceptions veto a match they overlap ("fire hydrant"), sentence exceptions veto every
match in their sentence (a danger that is over: "thanks for fixing the gas leak").
"""

from __future__ import annotations

from nlp.rule_types import Near, Rule
from nlp.rules_de import (
    DE_CUES,
    DE_HYPOTHETICAL,
    DE_IMMEDIATE,
    DE_SENTENCE_EXCEPTIONS,
    DE_SPAN_EXCEPTIONS,
    DE_URGENT,
)

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
_HOME = ("house", "home", "basement", "cellar", "flat", "apartment", "bedroom", "kitchen",
         "garage", "ground floor", "shop", "shops", "living room", "houses", "homes",
         "room", "utility room", "conservatory", "hallway", "lounge")
_STRUCTURE = ("wall", "building", "bridge", "balcony", "roof", "ceiling", "stair", "stairs",
              "staircase", "structure", "scaffolding", "footbridge", "hoarding", "canopy",
              "spire", "chimney", "railing", "tower", "shelter", "signboard",
              "billboard", "pole", "lamp post", "lamppost", "electric pole", "crane",
              "lamp column", "light column", "street light", "streetlight", "light pole",
              "lamp standard", "mast", "sea wall", "seawall", "river wall", "flood wall",
              "retaining wall", "embankment", "levee", "dike", "dyke", "dam", "bus shelter",
              "bus stop roof", "awning", "sign", "gantry", "facade", "façade")
_UNSTABLE = ("collapse", "collapsed", "collapsing", "cave", "caved", "give way", "gave way",
             "sag", "sagging", "tilt", "tilting", "tilted",
             "crumble", "crumbling", "bulge", "bulging", "lean", "leaning", "come away",
             "coming away", "pull away", "pulling away", "come down", "came down",
             "hanging off", "swing", "swinging", "sway", "swaying", "crack in half",
             "cracked in half", "topple", "toppling", "about to fall", "going to fall",
             "wobble", "wobbling", "shake", "shaking", "breach", "breached", "chunk missing",
             "section missing", "hanging by", "held by one", "giving way")
_FALLING_BITS = ("stone", "stones", "brick", "bricks", "glass", "debris", "plaster", "masonry",
                 "panel", "panels", "tile", "tiles", "slate", "slates", "piece", "pieces",
                 "shard", "shards", "chunk", "chunks", "concrete", "board", "boards", "plank",
                 "planks", "bits", "gutter", "guttering", "facade", "cladding")

_TREES = ("tree", "branch", "branches", "limb", "bough", "trunk", "oak", "pine", "beech",
          "elm", "willow", "birch", "palm", "eucalyptus", "banyan", "neem", "sycamore",
          "poplar", "chestnut", "plane tree", "conifer", "gum tree")
# animals that attack (with an attack word) and wild ones that are a danger wherever they turn up
_ANIMALS = ("bee", "bees", "wasp", "wasps", "hornet", "hornets", "swarm", "bull", "cow",
            "cattle", "buffalo", "horse", "monkey", "monkeys", "baboon", "baboons",
            "boar", "wild boar", "black bear", "brown bear", "grizzly", "elephant",
            "crocodile", "alligator", "snake", "leopard", "tiger", "lion", "hyena", "goose",
            "geese", "swan", "coyote", "wolf", "wolves", "jackal", "camel", "ostrich",
            "magpie", "kangaroo", "moose", "elk", "stag")
_WILD_ANIMALS = ("cobra", "python", "viper", "krait", "rattlesnake", "rattler", "adder",
                 "mamba", "venomous snake", "poisonous snake", "crocodile", "alligator",
                 "leopard", "tiger", "lion", "black bear", "brown bear", "grizzly",
                 "wild boar", "scorpion", "hyena", "black widow", "funnel web",
                 "box jellyfish", "snake", "baboon", "baboons", "elephant", "elephants",
                 "wild elephant", "hippo", "rhino", "bison", "wild dogs", "hyenas")
_PERSON = ("man", "woman", "person", "someone", "somebody", "child", "kid", "boy", "girl",
           "baby", "toddler", "old man", "old woman", "old lady", "lady", "guy", "he", "she",
           "worker")
_PEOPLE = (*_PERSON, "student", "pupil", "passenger", "patient", "neighbour", "neighbor")
_INDOORS = ("inside", "in the house", "in our house", "in my house", "in the school",
            "classroom", "class", "school", "playground", "kitchen", "bedroom", "toilet",
            "bathroom", "living room", "in the room", "office", "shop", "in the bus",
            "flat", "apartment", "nursery", "creche", "hospital", "ward", "under the bed",
            "under the benches", "loose", "escaped", "got in", "came in", "entered",
            "broke into", "broken into", "break into")
_RAILS = ("railing", "railings", "handrail", "handrails", "parapet", "guard rail",
          "guardrail", "balustrade")

EN_URGENT: dict[str, list[Rule]] = {
    "gas_leak": [
        Near(("gas", "gases"), ("leak", "leakage", "smell", "odour", "odor", "escape",
                                "escaping", "hiss", "hissing", "whiff", "stink", "reek")),
        ("carbon monoxide", "co alarm", "co detector", "gas main burst", "smell gas",
         "smelt gas", "smelled gas"),
    ],
    "live_wire": [
        Near(_WIRES, _WIRE_DANGER, gap=4),
        ("electric shock", "electrocute", "electrocuted", "electrocution", "live wire",
         "it's live", "it is live", "still live",
         "live cable", "exposed wire", "exposed wiring", "short circuit", "got a shock",
         "get a shock"),
        Near(("spark", "sparks", "sparking"), ("pole", "box", "light", "lamp", "meter",
                                               "socket", "post", "streetlight"), gap=4),
    ],
    "fire": [
        ("on fire", "catch fire", "caught fire", "set fire", "flames", "burning building",
         "burning house", "burning car", "house fire", "car fire", "bin fire", "grass fire",
         "bush fire", "brush fire", "wildfire", "bushfire", "forest fire", "embers",
         "fire spread", "blazing fire", "in flames", "ablaze",
         "fire is spreading", "smell of burning"),
        Near(("burning", "alight"), ("shack", "shacks", "hut", "huts", "house", "houses",
                                     "home", "homes", "building", "flat", "flats", "block",
                                     "car", "bus", "lorry", "truck", "shop", "shed", "barn",
                                     "warehouse", "factory", "settlement", "forest"), gap=3),
        Near(("battery", "batteries", "e-scooter", "scooter", "e-bike", "ebike", "charger",
              "charging", "power bank", "laptop"),
             ("smoking", "smoke", "popping", "swelling", "swollen", "hissing", "sparking",
              "melting", "burning", "flames"), gap=8),
        Near(("fire",), ("in", "at", "behind", "inside", "burn", "burning", "spread",
                         "spreading", "break out", "broke out", "start", "started"), gap=1),
        Near(("smoke",), ("roof", "window", "building", "flat", "hall", "room", "floor",
                          "inside", "come out", "coming out", "come from", "coming from",
                          "pour", "pouring", "billow", "billowing", "everywhere", "corridor",
                          "come up", "coming up", "rise", "rising",
                          "substation", "transformer", "line", "wire", "cable"), gap=4),
    ],
    "flooding_home": [
        Near(("flood", "flooding", "flooded", "floodwater", "flood water", "inundate",
              "inundated", "submerged"), _HOME, gap=6),
        Near(("water", "sewage", "sewer", "flood", "floodwater"),
             ("come in", "come into", "go into", "pour in", "pour into", "pour through",
              "come through", "come up through", "rush in", "enter", "seep in", "back up",
              "backing up", "under the door", "under the front door", "under the doors",
              "under the back door", "under the front doors", "into our", "into my",
              "inside our", "inside my", "inside the house"), gap=6),
        ("flash flood", "flash flooding", "sewage back up", "knee deep", "waist deep",
         "toward the houses", "towards the houses", "toward houses", "towards houses",
         "overtopping", "burst its banks", "burst their banks",
         "chest deep", "rising fast", "water rise"),
    ],
    "burst_main": [
        Near(("burst", "broken", "gush", "gushing", "fountain", "spew", "spewing"),
             ("main", "mains", "water main", "pipe", "pipeline"), gap=3),
        ("water gushing", "gushing water", "washed out the road", "washing away"),
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
    "dangerous_hole": [
        Near(("hole", "trench", "pit", "crater", "excavation", "opening", "sinkhole"),
             ("deep", "massive", "huge", "giant", "metre", "meter", "feet deep", "swallow",
              "uncovered", "no cover", "no barrier", "no barriers", "no fence", "no tape",
              "fall in", "fell in", "fall into", "fell into", "drive into", "left open",
              "unfenced", "unguarded"), gap=4),
        ("sinkhole", "sink hole", "cave in", "caved in", "ground open up", "ground opened up",
         "road collapse", "road collapsed", "road has collapsed"),
    ],
    "collapse": [
        ("danger of collapse", "dangerous structure", "about to collapse", "about to fall",
         "going to collapse", "could collapse any", "may collapse", "structural damage",
         "getting wider", "got wider", "put your hand in", "put my hand in"),
        Near(_UNSTABLE, _STRUCTURE, gap=6),
        Near(_FALLING_BITS, ("fall", "falling", "fell", "fallen", "drop", "dropping",
                             "come down", "coming down", "loose", "slide", "sliding", "slip",
                             "slipping", "come off", "coming off", "flying off", "fly off",
                             "blowing off", "blown off", "shedding", "landing on the pavement",
                             "landing on the road", "landing on cars", "landing on people",
                             "landing in the car park"), gap=6),
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
    "road_obstruction": [
        ("across the road", "across the carriageway", "across both lanes", "shed its load",
         "shed load", "blocking the road", "blocking both lanes", "lying in the road",
         "lanes blocked", "lanes are blocked", "road is blocked", "road blocked",
         "debris on the road", "oil on the road", "diesel on the road"),
    ],
    "injury": [
        ("trapped", "injured", "injury", "bleeding", "unconscious", "drowning", "ambulance",
         "stuck in the lift", "stuck in lift", "stuck in an elevator", "stuck in the elevator",
         "hit by a car", "run over", "heart attack", "someone fell", "somebody fell",
         "child fell", "kid fell",
         "boy fell", "girl fell", "man fell", "woman fell", "person fell", "dog fell",
         "fell in", "fell into", "fallen into", "someone is hurt", "someone got hurt",
         "people are hurt", "people hurt", "people injured", "get killed", "be killed",
         "nearly fell", "almost fell",
         "someone will die", "someone could die", "could kill", "will kill", "kill someone",
         "not been seen", "hasn't been seen", "haven't seen", "no answer at the door",
         "cut her hand", "cut his hand", "cut their hand", "cut her foot", "cut his foot",
         "cut herself", "cut himself", "cut themselves"),
        Near(("dog", "dogs"), ("attack", "attacking", "bite", "bit", "biting", "maul"), gap=3),
        Near(("accident", "crash", "crashing", "collision", "crashed", "pile up"),
             ("just happen", "just happened", "right now", "just now", "already", "now"),
             gap=4),
    ],
    "chemical": [
        Near(("chemical", "chemicals", "acid", "toxic", "ammonia", "chlorine", "tanker",
              "fuel", "petrol", "diesel", "oil"),
             ("spill", "spillage", "spilled", "spilt", "leak", "leaking", "overturn",
              "overturned", "spread", "spreading", "pour", "pouring", "all over"), gap=3),
        Near(("fumes", "fume", "smell", "gas", "smoke", "stink", "stench", "odour", "odor"),
             ("dizzy", "faint", "fainting", "fainted", "vomit", "vomiting", "can't breathe",
              "eyes stinging", "eyes are stinging", "stinging eyes", "eyes burning",
              "eyes are burning",
              "burning eyes", "can't stop coughing", "cannot stop coughing",
              "cannot breathe", "can not breathe", "pass out", "passed out", "passing out",
              "collapsed"), gap=12),
        ("toxic fumes", "chemical smell", "ammonia", "chlorine gas", "asbestos dumped",
         "acid smell", "smell of acid", "dead fish", "fish dying", "people coughing",
         "everyone coughing"),
        Near(("bleach", "chemical", "chemicals", "oil", "paint", "drum", "drums", "barrel",
              "barrels"), ("stream", "river", "canal", "lake", "pond", "brook"), gap=6),
    ],
    "traffic_signal_out": [
        Near(("traffic light", "traffic lights", "traffic signal", "signal", "signals",
              "stoplight", "stop light", "junction", "intersection", "crossroads",
              "roundabout", "crossing lights", "pedestrian lights"),
             ("out", "dead", "off", "down", "blank", "fail", "failed", "not work",
              "not working", "stop working", "stopped working", "flashing amber",
              "green both ways", "green for both", "both directions"), gap=6),
    ],
    "fall_from_height": [
        Near(("railing missing", "railing is missing", "railings missing", "missing railing",
              "missing railings", "hole in the railing", "gap in the railing",
              "railing broken", "broken railing", "railing has gone", "plank missing",
              "missing plank", "barrier missing", "missing barrier", "parapet missing"),
             ("bridge", "footbridge", "balcony", "stair", "stairs", "staircase", "river",
              "canal", "overpass", "railway", "platform", "ledge", "roof"), gap=12),
        Near(_RAILS, ("missing", "gone", "ripped off", "torn off", "broken off", "fallen off",
                      "come off", "snapped", "hole in", "gap in"), gap=6),
        ("metre drop", "meter drop", "foot drop", "feet drop", "sheer drop",
         "straight down to", "could fall through", "fall through the gap", "fall through it",
         "fall through the hole", "could fall off the", "fall into the river",
         "fall into the canal"),
    ],
    "unguarded_site": [
        Near(("pit", "construction pit", "building site", "excavation", "trench", "hole",
              "dig", "roadworks", "works"),
             ("not fenced", "isnt fenced", "no longer fenced", "fence blew over",
              "fence blown over", "fence has blown over", "fence is down", "fence fell",
              "barrier blew", "barriers blew", "barriers have gone", "barrier has gone",
              "wide open", "stumble", "stumbled", "trip into", "tripped into"), gap=12),
    ],
    "electrical_box": [
        Near(("substation", "sub station", "transformer", "junction box", "electric box",
              "electrical box", "electricity box", "fuse box", "meter box", "power box",
              "distribution box", "feeder pillar", "electric cabinet", "switch box"),
             ("smoke", "smoking", "bang", "bangs", "banging", "explosion", "explode",
              "exploded", "spark", "sparks", "sparking", "fire", "burning", "flames",
              "humming loudly", "buzzing loudly", "wide open", "door open", "door is open",
              "left open", "cables inside", "wires inside", "wires showing",
              "cables showing"), gap=10),
        Near(("box", "cabinet", "panel", "door", "cover"),
             ("cables inside", "wires inside", "cables showing", "wires showing",
              "exposed cables", "live wires inside"), gap=10),
        Near(("water", "leak", "leaking", "dripping", "drip", "flooding"),
             ("light fitting", "light fittings", "light switch", "plug socket", "socket",
              "fuse box", "fuse board", "electrics", "wiring", "consumer unit"), gap=10),
    ],
    "ice_falls": [
        Near(("ice", "icy", "black ice", "sheet of ice", "frozen"),
             ("slip", "slipped", "slipping", "fell", "fallen", "fall over", "broke",
              "injured", "hurt", "hospital", "bleeding"), gap=16),
        Near(("on the ice", "on the frozen", "onto the ice", "thin ice"),
             ("crack", "cracking", "kids", "children", "child", "boy", "girl", "dog",
              "fell through", "fall through", "through the ice"), gap=10),
    ],
    "playground_sharps": [
        Near(("glass", "broken bottle", "broken bottles", "smashed bottle", "smashed bottles",
              "needle", "needles", "syringe", "syringes", "shards", "razor"),
             ("playground", "play area", "sandpit", "sand pit", "slide", "swings", "toddler",
              "toddlers", "children playing", "kids playing", "little ones"), gap=10),
    ],
    "gas_damage": [
        Near(("gas pipe", "gas main", "gas line", "gas meter", "gas mains", "gas pipeline",
              "gas pipes", "gas lines", "gas cylinder", "gas bottle", "gas tank"),
             ("hit", "damage", "damaged", "broken", "cut", "burst", "hissing", "hiss",
              "struck", "crack", "cracked", "rupture", "ruptured", "snapped", "dig up",
              "dug up", "digger", "excavator", "leak", "leaking"), gap=8),
    ],
    "asbestos": [
        Near(("asbestos",), ("dust", "blow", "blowing", "expose", "exposed", "broken",
                             "rip", "ripping", "smash", "smashed", "everywhere", "no cover",
                             "no covers", "school", "playground", "dumped", "fly-tipped"),
             gap=10),
    ],
    "dog_attack": [
        Near(("dog", "dogs", "pit bull", "pitbull", "rottweiler", "alsatian", "mastiff"),
             ("attack", "attacking", "bite", "bit", "bitten", "biting", "maul", "mauled",
              "went for", "lunging"), gap=10),
    ],
    "tree_about_to_fall": [
        Near(_TREES,
             ("leaning more", "lean more", "will come down", "come down on", "going to fall",
              "about to fall", "could fall on", "might fall on", "hanging by", "split in two",
              "split down the middle", "creaking in the wind", "roots are lifting",
              "roots lifting"), gap=12),
    ],
    "animal_attack": [
        Near(_ANIMALS, ("attack", "attacking", "attacked", "chase", "chasing", "chased",
                        "sting", "stinging", "stung", "bite", "biting", "bit", "bitten",
                        "charging at", "charged at", "maul", "mauled", "trample",
                        "trampled", "went for", "going for"), gap=12),
        Near(_WILD_ANIMALS, _INDOORS, gap=8),
    ],
    "person_in_danger": [
        Near((*_PERSON, "elderly", "pensioner", "cyclist", "driver"),
             ("on the ground", "not move", "not moving", "isn't moving", "is not moving",
              "can't get up", "cannot get up", "can not get up", "couldn't get up",
              "not responding", "unresponsive", "not breathing", "collapsed", "passed out",
              "fainted", "covered in", "locked in", "locked inside", "shut in", "shut inside",
              "stuck inside", "can't get out", "cannot get out", "can not get out",
              "couldn't get out", "no way out", "swept away", "washed away",
              "being swept", "struggling in the water", "screaming for help",
              "shouting for help", "crying for help", "calling for help"), gap=6),
        ("voice inside", "crying inside", "screaming inside", "banging from inside",
         "knocking from inside", "children screaming", "kids screaming", "people screaming",
         "heard a child", "heard a baby", "heard someone", "won't open and",
         "collapsed in the heat", "heat stroke", "heatstroke", "hypothermia",
         "overdose", "isn't breathing", "is not breathing", "stopped breathing",
         "having a seizure", "seizure",
         "suicide", "jump off", "threatening to jump", "going to jump"),
    ],
    "sea_surge": [
        Near(("wave", "waves", "sea", "tide", "surf", "swell"),
             ("wash through", "washing through", "wash over", "washing over", "crash over",
              "crashing over", "pour over", "pouring over", "onto the walkway",
              "onto the promenade", "onto the road", "onto the path", "through the gap",
              "over the wall", "over the top"), gap=6),
    ],
    "medical": [
        Near(_PEOPLE, ("choke", "choking", "having a fit", "fitting", "turning blue",
                       "turned blue", "no pulse", "not breathing", "isn't breathing",
                       "stopped breathing", "unresponsive", "overdosed", "od'd"), gap=6),
        ("doing cpr", "giving cpr", "cardiac arrest", "anaphylaxis", "anaphylactic",
         "allergic reaction", "losing a lot of blood", "bleeding heavily", "heatstroke",
         "heat stroke", "hypothermia"),
    ],
    "self_harm": [
        ("end it all", "kill himself", "kill herself", "kill myself", "kill themselves",
         "take his own life", "take her own life", "take my own life", "suicidal", "suicide",
         "wrong side of the railing", "wrong side of the barrier", "threatening to jump",
         "going to jump", "about to jump", "wants to jump", "on the ledge"),
    ],
    "weapon": [
        Near(("knife", "knives", "gun", "guns", "machete", "machetes", "blade", "pistol",
              "rifle", "firearm", "weapon", "weapons", "axe", "crowbar", "bat"),
             ("man", "men", "guy", "guys", "someone", "somebody", "person", "boy", "boys",
              "youth", "youths", "gang", "waving", "wave", "pull", "pulled", "threaten",
              "threatening", "armed", "carry", "carrying", "with a", "with knife",
              "pointing", "chasing", "swinging", "brandishing"), gap=3),
        ("stabbing", "stabbed", "been shot", "got shot", "shots fired", "gunshot", "gunshots",
         "gunfire", "opened fire",
         "armed man", "armed men", "armed robbery", "being beaten", "beating him",
         "beating her", "kicking him", "kicking her", "help help", "stop stop"),
    ],
    "suspicious_object": [
        Near(("bag", "package", "parcel", "suitcase", "box", "backpack", "rucksack",
              "device", "canister", "container", "drum", "cylinder"),
             ("unattended", "abandoned", "suspicious", "ran off", "run off", "left behind",
              "radiation", "radioactive", "wires sticking", "ticking", "leaking"), gap=6),
        Near(("shell", "bomb", "grenade", "mine", "ordnance", "explosive", "explosives"),
             ("old", "rusty", "found", "hitting", "hit it", "digging", "dug up", "unearthed"),
             gap=6),
        ("unexploded", "old bomb", "a bomb", "bomb threat", "grenade", "landmine",
         "radiation sign", "radiation symbol", "radioactive", "hazmat", "live ammunition",
         "mortar shell", "artillery shell"),
    ],
    "mass_illness": [
        Near(("children", "kids", "pupils", "students", "people", "residents", "families",
              "workers", "patients", "guests", "everyone", "dozens", "many", "half the",
              "whole class", "several"),
             ("vomiting", "diarrhoea", "diarrhea", "food poisoning", "poisoned",
              "rushed to hospital", "taken to hospital", "taken to the clinic", "fell ill",
              "collapsing", "fainting", "sick after"), gap=16),
        ("food poisoning", "cholera", "water smells of petrol",
         "water smells of diesel", "water smells of fuel", "brown water and everyone"),
    ],
    "water_rescue": [
        Near(("man", "woman", "person", "someone", "somebody", "child", "kid", "boy", "girl",
              "toddler", "baby", "swimmer", "fisherman", "dog"),
             ("in the river", "in river", "in the water", "in water", "in the sea", "in sea",
              "in the lake", "in the canal", "in the harbour", "overboard", "pulled from",
              "pulled out of", "struggling in the water", "drown", "drowning", "went under",
              "can't swim", "cannot swim", "can not swim", "out of their depth"), gap=3),
        ("capsized", "capsize", "overboard", "man overboard", "sinking boat", "boat sinking",
         "boat is sinking"),
        Near(("shark", "sharks", "croc", "crocs", "crocodile", "alligator", "gator",
              "jellyfish"), ("swimming", "swimmer", "swimmers", "kids", "children",
                             "people", "beach", "in the water", "floodwater"), gap=14),
    ],
    "missing_person": [
        Near(("lost", "gone missing", "went missing", "wandered off", "can't find",
              "cannot find"),
             ("child", "kid", "boy", "girl", "toddler", "son", "daughter", "grandmother",
              "grandfather", "grandma", "grandpa", "granny", "dad", "mum", "mom", "father",
              "mother", "uncle", "aunt", "elderly", "old man", "old woman", "old lady",
              "dementia", "alzheimer"), gap=3),
        ("missing child", "missing kid", "missing boy", "missing girl", "missing toddler",
         "missing person", "has dementia", "walked out of the house", "wandered off",
         "hasn't opened her door", "hasn't opened his door", "not answering her door",
         "not answering his door", "calling help", "calling for help"),
    ],
    "vulnerable_without_power": [
        Near(("power cut", "power is out", "power out", "power's out", "no power",
              "outage", "power failure", "blackout", "electricity off", "no electricity",
              "generator failed", "generator has failed", "generator died",
              "generator is down", "generator broke"),
             ("hospital", "icu", "ventilator", "oxygen", "dialysis", "care home",
              "nursing home", "life support", "incubator", "insulin", "medical equipment"),
             gap=20),
        Near(("no heating", "heating off", "heating is off", "heating has been off",
              "heating broken", "heating failed", "heating not working", "boiler broken",
              "boiler has broken", "no heat", "pipes frozen", "pipes are frozen"),
             ("baby", "newborn", "infant", "elderly", "below zero", "minus", "sick",
              "pensioner", "disabled", "oxygen"), gap=20),
    ],
    "crowd_and_transport": [
        ("crowd crush", "being crushed", "people crushed", "stampede", "crush at the",
         "wrong-way driver", "wrong way driver", "drunk driver", "weaving across",
         "weaving all over",
         "swerving all over", "jack-knifed", "jackknifed", "pile-up", "piling into",
         "brakes failed", "brakes have failed", "runaway", "zero visibility", "ramming",
         "rammed", "driving at people", "drove at people", "driving into people",
         "ploughed into", "plowed into"),
        Near(("motorway", "highway", "freeway", "dual carriageway", "bypass", "expressway"),
             ("wrong way", "wrong side", "wrong direction"), gap=10),
        Near(("ferry", "boat", "grandstand", "stage", "platform", "balcony", "footbridge",
              "fairground ride", "big wheel", "ferris wheel"),
             ("overloaded", "listing", "sway", "sways", "swaying", "bolts missing",
              "missing bolts"), gap=8),
        Near(("lorry", "truck", "tanker", "bus", "car", "van", "vehicle", "trailer",
              "coach", "minibus"), ("on its side", "overturned", "flipped", "upside down",
                                    "on its roof", "stalled in"), gap=6),
        Near(("level crossing", "railway crossing", "rail crossing", "crossing barrier",
              "crossing barriers"), ("stuck", "up", "not coming down", "broken", "no lights",
                                     "not flashing", "not working"), gap=8),
        Near(("rail", "rails", "track", "tracks", "railway line", "rail line", "train line"),
             ("bent", "buckled", "buckle", "kids on", "children on", "playing on",
              "playing chicken", "train due", "train is due", "train coming"), gap=8),
        Near(("underpass", "tunnel", "subway", "car park", "basement"),
             ("filling with water", "fill with water", "filling up with water", "under water",
              "underwater", "water rising", "submerged"), gap=8),
        Near(("dust storm", "sandstorm", "fog", "visibility"),
             ("pile up", "piling", "crash", "crashing", "can't see", "cannot see"), gap=10),
    ],
    "falls_and_shafts": [
        Near(("fell", "fall", "fallen", "falling"),
             ("off the scaffold", "off the scaffolding", "off the roof", "off a ladder",
              "off the ladder", "from the roof", "from the scaffold", "from the scaffolding",
              "from the balcony", "from a height", "down the shaft", "into the pit",
              "into the shaft"), gap=3),
        Near(("lift", "elevator"), ("empty shaft", "open shaft", "into the shaft",
                                    "down the shaft"), gap=8),
        Near(("earthquake", "aftershock", "tremor", "quake"),
             ("crack", "cracks", "cracked", "collapsed", "trapped", "damaged", "leaning"),
             gap=10),
    ],
    "animal_disease": [("rabid", "foaming at the mouth", "frothing at the mouth")],
    "danger_words": [
        ("danger to life", "life threatening", "life-threatening", "an emergency",
         "risk to life", "someone will die", "call 911", "call 999", "call 112"),
    ],
}

_NOT_A_FIRE = ("hydrant", "station", "safety", "brigade", "department", "drill", "service",
               "fighter", "exit", "extinguisher", "door", "doors", "pit", "work", "risk",
               "hazard", "alarm test", "cracker", "escape")
EN_SPAN_EXCEPTIONS: tuple[str, ...] = (
    *(f"fire {w}" for w in _NOT_A_FIRE),
    "gas bill", "gas station", "gas price", "gas company", "gas cooker", "flood of",
    "sewer gas", "drain gas", "water connection", "water supply", "water bill", "water meter",
    "water truck", "water tanker", "sewage treatment", "hit by the price", "wishing well",
    "well done", "well maintained", "as well", "well lit", "give way sign", "smoke alarm",
    "smoking weed", "people smoking", "smoke detector", "cigarette smoke", "broken glass",
    "killing me", "kill me", "killing us", "kills me", "died laughing",
    "drowning in paperwork", "drowning in work", "drowning in debt", "drowning in bills",
    "inbox is on fire", "inbox on fire", "on fire today", "on fire lol",
    "death trap", "speed trap", "tourist trap", "mouse trap", "rat trap", "trap door",
    "great fire", "co alarm battery", "co alarm batteries", "co detector battery",
    "alarm battery", "snake in the mural", "snake plant", "pet snake", "pet python", "pet shop",
    "pet store", "zoo", "snakes and ladders",
    "bee friendly", "bee-friendly", "bee hotel", "bees and butterflies", "save the bees",
    "loan shark", "on the ground floor", "asbestos removal", "shell petrol",
    "shell station", "shell garage", "sick of", "sick and tired", "sick to death",
    "makes me sick", "water gun", "nail gun", "glue gun", "staple gun", "starting gun",
    "knife sharpening", "knife crime", "bomb squad", "photo bomb", "the bomb", "da bomb",
    "bath bomb", "seed bomb", "seed bombs", "run off", "runoff", "stop stop sign",
    "cricket bat", "baseball bat", "bat box", "bat boxes", "bats", "wrong way round",
    "wrong way around", "runaway success", "lost property", "lost and found",
    "lost my", "lost our", "missing bin", "fever pitch", "cabin fever",
)

# A sentence matching one of these speaks of a danger that is over or prevented
# ("thanks for fixing", "before someone falls in").
EN_SENTENCE_EXCEPTIONS: list[Rule] = [
    Near(("thank", "thanks"), ("fix", "fixing", "repair", "repairing", "sort", "sorting",
                               "deal", "dealing", "handle", "handling", "respond",
                               "responding", "clear", "clearing", "remove", "removing",
                               "quick", "fast", "prompt", "swift", "come", "came"), gap=6),
    Near(("be", "get", "got", "have"), ("fix", "fixed", "repair", "repaired", "resolve",
                                        "resolved", "sort", "sorted", "filled", "patched",
                                        "made safe", "fenced off", "secured"), gap=1),
    ("last week", "last month", "last year", "last winter", "last summer", "year ago",
     "years ago", "month ago", "months ago", "talk", "lesson", "course", "training course",
     "training session", "training day",
     "workshop", "demonstration", "drill", "leaflet", "campaign", "awareness", "open day",
     "insurance", "thank you to", "thanks to", "big thanks", "huge thanks", "great job",
     "good job", "quick response", "well done", "hats off", "grateful to", "whoever fixed",
     "before someone", "before somebody", "before anyone", "so people don't", "so nobody",
     "so no one", "so that people", "not an emergency", "nobody injured", "no one injured",
     "nobody hurt", "no one hurt", "not in immediate danger", "not a problem anymore",
     "not a problem any more", "no problem anymore", "not dangerous anymore",
     "not leaking anymore", "not there anymore", "not an issue anymore", "fine now",
     "gone today", "eventually", "every morning", "every evening", "every time",
     "every year", "back on now", "back on", "working again", "working now",
     "every winter", "haha", "hahaha", "lol", "lmao", "open again", "did well",
     "great work", "good work", "last monday", "last tuesday", "last wednesday",
     "last thursday",
     "last friday", "last saturday", "last sunday", "last weekend", "last spring",
     "last autumn", "last fall", "great response", "nice job", "history",
     "historic", "historical", "anniversary", "news story",
     "in the news", "on the news", "news report", "newspaper", "article", "documentary",
     "another country", "another city", "video game", "computer game", "board game",
     "fun fact", "movie", "tv show", "tv series", "novel", "mural", "oil painting",
     "painting of",
     "sculpture", "statue", "ignore my", "disregard my", "false alarm", "it was just a",
     "it was only a", "turned out to be", "came down on her own", "came down on his own",
     "came down on its own", "all good", "all fine", "all sorted",
     "panic over", "nevermind", "never mind", "put it out", "was put out", "were put out",
     "extinguished", "^suggestion", "^idea", "^proposal"),
]

# A sentence asking what to do in general ("who do I call if I smell gas?") is no report of
# a danger, unless the text says it is happening now.
EN_HYPOTHETICAL: list[Rule] = [
    ("what should i do", "what should people do", "what should we do if", "what to do if",
     "what do you do if", "who do i call", "who do i ring", "who should i call",
     "who should i ring", "what number", "how do i report", "proper way to report",
     "procedure", "apply for", "if i smell", "if i find", "if i see", "if you smell",
     "if you see", "if you ever", "if i ever", "if ever", "in case of", "does the council",
     "is the council responsible", "who is responsible", "may get", "might get", "can get",
     "likely to", "may give", "can kill", "can cause", "may cause", "leading cause",
     "prone to", "risk of", "chance of", "in the rainy season", "during rain",
     "back in", "used to", "ever going to", "next year", "next month", "next spring",
     "next summer", "next winter", "is there a rule", "are there rules", "is there a list",
     "is there a register", "how often should", "how often do", "free alarms",
     "regularly", "in the long run", "long term", "will neighbours be told",
     "will residents be told", "is it true", "is that true", "is it allowed",
     "am i allowed", "are we allowed", "allowed to keep", "are going to be",
     "is going to be", "plan to", "plans to", "planning to", "one day"),
]
EN_IMMEDIATE: list[Rule] = [
    ("right now", "now", "at the moment", "currently", "tonight", "as we speak", "this minute",
     "really strong", "getting worse", "help"),
]

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
    "cue_wish": [("wish", "hope that", "hope you", "hope the", "hope we", "would like",
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

_URGENT = {"en": EN_URGENT, "de": DE_URGENT}
_CUES = {"en": EN_CUES, "de": DE_CUES}
_SPAN_EXCEPTIONS = {"en": EN_SPAN_EXCEPTIONS, "de": DE_SPAN_EXCEPTIONS}
_SENTENCE_EXCEPTIONS = {"en": EN_SENTENCE_EXCEPTIONS, "de": DE_SENTENCE_EXCEPTIONS}
_HYPOTHETICAL = {"en": EN_HYPOTHETICAL, "de": DE_HYPOTHETICAL}
_IMMEDIATE = {"en": EN_IMMEDIATE, "de": DE_IMMEDIATE}

CUE_NAMES: tuple[str, ...] = tuple(EN_CUES)


def urgent_rules(lang: str) -> dict[str, list[Rule]]:
    """Return the urgent-danger rules for ``lang`` (English where there are none)."""
    return _URGENT.get(lang, EN_URGENT)


def urgent_span_exceptions(lang: str) -> tuple[str, ...]:
    """Return phrases that veto an urgent match they overlap ("fire hydrant")."""
    return _SPAN_EXCEPTIONS.get(lang, ())


def urgent_sentence_exceptions(lang: str) -> list[Rule]:
    """Return rules that veto every urgent match in their sentence (a danger now past)."""
    return _SENTENCE_EXCEPTIONS.get(lang, [])


def urgent_hypothetical(lang: str) -> list[Rule]:
    """Return rules for general questions that veto their sentence unless it is urgent now."""
    return _HYPOTHETICAL.get(lang, [])


def urgent_immediate(lang: str) -> list[Rule]:
    """Return rules saying a danger is happening now (they lift the hypothetical veto)."""
    return _IMMEDIATE.get(lang, [])


def cue_rules(lang: str) -> dict[str, list[Rule]]:
    """Return the kind/innovation cue rules for ``lang`` (English where there are none)."""
    return _CUES.get(lang, EN_CUES)
