"""German rules: urgent dangers, their vetoes, and the cues of a text's kind (see ``nlp.rules``).

Phrases are matched on spaCy's German lookup lemmas of lower-cased text.
"""

from __future__ import annotations

from nlp.rule_types import Near, Rule

_DE_FALL = ("gestürzt", "stürzen", "gefallen", "fallen", "umgestürzt", "umgekippt",
            "umgefallen", "abgebrochen", "liegt auf", "liegen auf", "kracht", "gekracht")

DE_URGENT: dict[str, list[Rule]] = {
    "gas_leak": [("gasgeruch", "gasleck", "gasaustritt", "nach gas", "kohlenmonoxid",
                  "gas riecht", "riecht stark nach gas"),
                 Near(("gas", "gasleitung"), ("zischt", "zischen", "austritt", "strömt",
                                              "beschädigt", "getroffen", "angebohrt"), gap=6)],
    "live_wire": [
        Near(("kabel", "stromkabel", "leitung", "stromleitung", "oberleitung", "drähte"),
             ("frei", "freiliegend", "herunterhängen", "hängen", "lose", "funken", "brennen",
              "abgerissen", "am boden", "auf der straße", "in der pfütze"), gap=5),
        Near(("stromkasten", "verteilerkasten", "schaltkasten", "trafo", "umspannwerk",
              "sicherungskasten"), ("offen", "funken", "raucht", "rauch", "brennt", "knallt",
                                    "summt", "kabel"), gap=8),
        ("stromschlag",),
        Near(("kabel", "stromkabel", "leitung"), ("knistert", "knistern", "liegt auf dem",
                                                  "liegt auf der"), gap=6),
        Near(("wasser",), ("lampe", "deckenlampe", "steckdose", "sicherungskasten",
                           "lichtschalter", "licht flackert"), gap=8),
    ],
    "fire": [("feuer", "brand", "brennt", "flammen", "rauch", "qualm")],
    "flooding_home": [
        Near(("überschwemmung", "überschwemmt", "überflutet", "wasser", "hochwasser",
              "abwasser"), ("keller", "wohnung", "haus", "häuser", "garage", "erdgeschoss",
                            "wohnzimmer", "schlafzimmer", "küche", "flur"), gap=8),
        ("über die ufer",),
    ],
    "burst_main": [("wasserrohrbruch", "rohrbruch"),
                   Near(("wasser",), ("sprudelt", "schießt", "spritzt"), gap=4)],
    "open_manhole": [
        Near(("kanaldeckel", "gullydeckel", "gully", "schacht", "schachtdeckel"),
             ("fehlen", "fehlt", "offen", "weg", "gestohlen"), gap=4),
    ],
    "dangerous_hole": [
        Near(("loch", "grube", "baugrube", "graben", "krater"),
             ("tief", "ungesichert", "nicht abgesperrt", "nicht gesichert", "ohne absperrung",
              "ohne zaun", "offen", "hineingefallen", "reingefallen", "nicht mehr abgesperrt",
              "nicht mehr gesichert", "keine absperrung", "absperrung fehlt",
              "zaun umgeweht", "zaun ist umgefallen"), gap=10),
    ],
    "collapse": [("eingestürzt", "einsturz", "einsturzgefahr", "erdloch", "bröckelt",
                  "stürzt ein"),
                 Near(("straße", "fahrbahn", "gehweg", "bürgersteig", "boden", "decke"),
                      ("eingebrochen", "abgesackt", "abgesunken"), gap=4),
                 Near(("geländer", "brüstung"), ("weggebrochen", "abgebrochen", "fehlt",
                                                 "abgerissen", "kaputt", "weg"), gap=6),
                 ("meter runter", "meter tief runter"),
                 Near(("brocken", "betonbrocken", "ziegel", "steine", "putz", "teile"),
                      (*_DE_FALL, "herunter", "runter"), gap=6)],
    "fallen_tree": [
        Near(("baum", "bäume", "ast", "äste"),
             (*_DE_FALL, "blockiert", "droht", "neigt sich", "kippt", "gespalten",
              "hält nur noch", "bricht"), gap=10),
    ],
    "ice": [Near(("glatteis", "blitzeis", "eis", "vereist", "eisglätte", "glätte"),
                 ("gestürzt", "ausgerutscht", "hingefallen", "verletzt", "blutet", "sturz",
                  "stürze", "am boden", "kommt nicht hoch"), gap=10)],
    "injury": [("verletzt", "verletzte", "eingeklemmt", "bewusstlos", "blutet", "notarzt",
                "krankenwagen", "im aufzug fest", "steckt im aufzug", "stecken im aufzug",
                "aufzug stecken geblieben", "im fahrstuhl fest", "steckt im fahrstuhl"),
               Near(("aufzug", "fahrstuhl", "lift"), ("steckt", "stecken", "feststecken",
                                                      "eingesperrt", "eingeschlossen"), gap=10),
               Near(("hund", "hunde", "kampfhund"), ("beißt", "gebissen", "beißen", "greift",
                                                      "angegriffen", "fällt an"), gap=6)],
    "glass_playground": [Near(("glasscherben", "scherben", "spritzen", "nadeln"),
                              ("spielplatz", "sandkasten", "rutsche", "schaukel"), gap=8)],
    "traffic_signal_out": [Near(("ampel", "ampeln"), ("ausgefallen", "aus", "dunkel",
                                                      "funktioniert nicht"), gap=8)],
    # German joins words: the compounds a resident would write are listed whole
    "compound_danger": [
        ("kaminbrand", "zimmerbrand", "wohnungsbrand", "dachstuhlbrand", "kellerbrand",
         "mülltonnenbrand", "containerbrand", "autobrand", "fahrzeugbrand", "waldbrand",
         "flächenbrand", "böschungsbrand", "brandgeruch", "hangrutsch", "erdrutsch",
         "felssturz", "steinschlag", "murenabgang", "hitzschlag", "kohlenmonoxidmelder",
         "co-melder", "rauchentwicklung", "explosion", "verpuffung"),
        Near(("gasflasche", "gasleitung", "gasrohr", "gaszähler", "gasherd", "gastherme"),
             ("zischt", "zischen", "riecht", "undicht", "leck", "strömt", "beschädigt"),
             gap=6),
        Near(("strommast", "mast", "laternenmast", "lichtmast", "laterne", "kran",
              "baukran", "gerüst", "schild", "werbetafel", "dach", "vordach"),
             ("schief", "umgeknickt", "umgestürzt", "kippt", "schwankt", "wackelt",
              "hängt nur noch", "an einer schraube", "droht", "umzufallen", "neigt sich",
              "schwingt", "lose", "locker"), gap=8),
        ("hängt nur noch an", "nur noch an einer schraube", "droht herunterzufallen",
         "droht umzustürzen", "droht einzustürzen", "droht abzustürzen",
         "schornsteinbrand", "funken fliegen", "funkenflug"),
        Near(("leitung", "leitungen", "kabel", "stromleitung", "stromleitungen"),
             ("sehr tief", "ganz tief", "tief", "bis zum boden", "auf dem boden"), gap=4),
    ],
    "people_in_danger": [
        ("liegt am boden", "liegt auf dem boden", "kommt nicht hoch", "kommt nicht mehr hoch",
         "bewegt sich nicht", "reagiert nicht", "atmet nicht", "hilferufe", "um hilfe",
         "eingeschlossen", "eingesperrt", "kommt nicht raus", "kommen nicht raus",
         "zusammengebrochen", "kollabiert", "ohnmächtig", "bewusstlos", "dünnes eis",
         "dünnen eis", "eis knackt", "im eis eingebrochen"),
        Near(("schwindelig", "übel", "kopfschmerzen", "atemnot", "keine luft", "husten"),
             ("gas", "rauch", "dämpfe", "abgase", "geruch", "melder", "piept", "qualm"),
             gap=10),
        Near(("auto", "wagen", "fahrzeug", "bus"), ("steckt fest", "hängt über",
                                                    "im wasser", "treibt", "ufermauer",
                                                    "brückengeländer", "abgrund"), gap=8),
    ],
    "animals": [
        Near(("bienenschwarm", "bienen", "wespen", "hornissen", "wespennest", "wespenschwarm",
              "hornissenschwarm", "schwarm", "hornissennest"),
             ("greift", "greifen", "angegriffen", "stechen", "gestochen", "attackieren",
              "sticht", "stiche", "greift an", "greifen an"), gap=8),
        Near(("schlange", "giftschlange"), ("klassenzimmer", "schule", "kindergarten",
                                            "wohnung", "spielplatz"), gap=8),
        Near(("bulle", "stier", "kuh", "pferd", "hund"), ("ausgebrochen", "rennt auf",
                                                          "greift", "jagt"), gap=8),
    ],
    "spill": [Near(("diesel", "öl", "benzin", "chemikalie", "chemikalien", "säure"),
                   ("ausgelaufen", "ausläuft", "läuft aus", "verschüttet", "rutschen",
                    "auf der fahrbahn", "auf der straße", "im bach", "im fluss"), gap=6)],
    "crack_growing": [Near(("riss", "risse"), ("breiter", "größer", "wächst", "wachsen",
                                               "verbreitert", "vergrößert"), gap=10),
                      Near(("stücke", "mauerstücke", "putzstücke", "fassadenteile",
                            "mauerteile", "putz-", "putz", "brocken"),
                           ("gefallen", "heruntergefallen", "herabgefallen", "abgefallen",
                            "fallen herunter", "auf den gehweg"), gap=8)],
    "danger_words": [("lebensgefahr", "lebensgefährlich", "notfall", "sofort kommen",
                      "schnell kommen")],
}

DE_SPAN_EXCEPTIONS: tuple[str, ...] = (
    "feuerwehr", "feuerwache", "feuerlöscher", "brandschutz", "rauchmelder", "rauchverbot",
    "gasrechnung", "gaspreis", "tankstelle", "wasserrechnung", "wasserzähler",
    "postfach brennt", "postfach", "brennt mir unter den nägeln",
)

# A danger that is over ("vor zwei Jahren hat es gebrannt", "danke für die schnelle Hilfe").
DE_SENTENCE_EXCEPTIONS: list[Rule] = [
    ("vor ein paar jahren", "vor jahren", "vor zwei jahren", "letztes jahr", "letzten jahr",
     "letzte woche", "letzten woche", "letzten monat", "letzter monat", "damals",
     "danke für", "vielen dank für", "wurde repariert", "wurde behoben", "ist behoben", "behoben",
     "wieder in ordnung", "funktioniert wieder", "keine gefahr", "kein notfall",
     "ist repariert", "wieder frei", "wieder offen", "ausstellung", "museum",
     "geschichte", "historisch", "jahrestag", "gedenken", "haha", "hahaha", "lol",
     "niemand verletzt", "niemand wurde verletzt"),
]

# A general question ("wie melde ich Gasgeruch?") is no report, unless the danger is now.
DE_HYPOTHETICAL: list[Rule] = [
    ("wie melde ich", "wo melde ich", "an wen wende ich mich", "wen rufe ich an",
     "welche nummer", "was tun wenn", "was mache ich wenn", "falls", "wenn ich gas",
     "wer ist zuständig", "könnte irgendwann", "irgendwann"),
]
DE_IMMEDIATE: list[Rule] = [
    ("jetzt", "gerade", "sofort", "schnell", "im moment", "hilfe", "dringend"),
]


DE_CUES: dict[str, list[Rule]] = {
    "cue_modal": [("sollte", "sollten", "müsste", "müssten", "könnte", "könnten", "muss")],
    "cue_would_be": [("wäre schön", "wäre toll", "wäre gut", "wäre sinnvoll", "wäre super",
                      "wäre besser", "wären schön", "wünschenswert", "wäre hilfreich")],
    "cue_suggest": [("vorschlag", "vorschlagen", "idee", "anregung", "empfehle", "empfehlen",
                     "schlage vor")],
    "cue_why_not": [("warum nicht", "wieso nicht", "warum kein", "warum keine")],
    "cue_wish": [("wünsche", "wunsch", "ich wünsche", "wir wünschen", "wünschen")],
    "cue_improve": [("verbessern", "verbesserung", "einrichten", "neue", "neuer", "neues",
                     "zusätzlich", "ausbauen", "ausbau", "freigeben", "öffnen", "bauen",
                     "schaffen", "anlegen")],
    "cue_please": [("bitte",)],
    "cue_question": [("?", "^wann", "^wo", "^wie", "^was", "^wer", "^warum", "^welche",
                      "^gibt es", "^ist", "^sind", "^kann", "^können")],
    "cue_praise": [("danke", "vielen dank", "dankeschön", "toll", "super", "lob", "klasse",
                    "gut gemacht")],
    "cue_fault": [("kaputt", "defekt", "marode", "schlecht", "gefährlich", "schaden",
                   "beschädigt", "loch", "schlagloch", "dreck", "verschmutzt", "mangel",
                   "funktioniert nicht", "seit")],
}
