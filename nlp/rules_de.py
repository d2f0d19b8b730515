"""German cues of a text's kind, for ``nlp.rules`` (the German urgent rules are gone: see
its docstring)."""

from __future__ import annotations

from nlp.rule_types import Rule

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
