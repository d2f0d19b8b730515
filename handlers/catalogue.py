"""Every text a citizen reads, in one place: ``render(key, lang, **fields)``.

``MESSAGES`` maps a language code to its templates; a language may leave keys out and
falls back to English, so a new language can start small. Templates are ``str.format``
strings whose fields are listed in ``FIELDS``. Each one, filled with realistic values,
fits two GSM-7 SMS segments (306 characters); English is plain ASCII. Every message about
a report names its reference. Staff free text (``staff_reply``, the note in
``status_changed_note``) is not trimmed here: ``handlers.staff_actions`` refuses text that
would not fit an SMS citizen's two segments rather than cut it.

To add a language: add ``MESSAGES[code]``, ``STATUS_LABELS[code]``, ``AREA_LABELS[code]``
and ``LANGUAGE_NAMES[code]``; ``tests/handlers/test_catalogue.py`` checks the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.gsm7 import fits_sms, gsm7_segments, is_gsm7, to_gsm7

__all__ = [
    "AREA_LABELS", "DEFAULT_LANGUAGE", "FIELDS", "LANGUAGE_NAMES", "MESSAGES", "STATUS_LABELS",
    "area_label", "fits_sms", "gsm7_segments", "is_gsm7", "language_list", "render",
    "render_my", "status_label", "supported_language", "to_gsm7",
]  # fmt: skip

DEFAULT_LANGUAGE = "en"
MAX_SEGMENTS = 2

FIELDS: dict[str, tuple[str, ...]] = {
    "welcome": (),
    "help": (),
    "filed": ("reference", "area"),
    "filed_review": ("reference", "area"),
    "urgent": ("reference", "emergency"),
    "attached": ("reference",),
    "need_words": ("reference",),
    "status": ("reference", "area", "status", "updated"),
    "status_none": (),
    "status_unknown": (),
    "my": ("references",),
    "my_item": ("reference", "status"),
    "my_more": ("count",),
    "my_none": (),
    "forget_confirm": ("minutes",),
    "forgotten": (),
    "forget_cancelled": (),
    "stopped": (),
    "started": (),
    "lang_set": ("language", "languages"),
    "lang_unknown": ("languages",),
    "too_long": ("limit",),
    "empty": (),
    "flood": ("reference",),
    "status_changed": ("reference", "status"),
    "status_changed_note": ("reference", "status", "note"),
    "staff_reply": ("reference", "text"),
    "not_text": (),
    "resolved_ask": ("reference",),
    "resolved_ask_note": ("reference", "note"),
    "fixed_thanks": ("reference",),
    "reopened": ("reference",),
}
"""The fields each template uses; every language's template uses exactly these."""

EN = {
    "welcome": (
        "Welcome to CivicVoice. Tell us about a problem or an idea for your area in a few "
        "words, e.g. 'Pothole outside 12 High St'. We reply with a reference. Send HELP "
        "for the commands."
    ),
    "help": (
        "Describe a problem or idea in a few words and we file it. STATUS <ref>: where a "
        "report stands. MY: your open reports. LANG <code>: language. FORGET: erase your "
        "data. STOP: no more messages."
    ),
    "filed": (
        "Thank you. Your report is filed as {reference} and sent to the {area} team. "
        "Send STATUS {reference} to follow it."
    ),
    "filed_review": (
        "Thank you. Your report is filed as {reference}. A person will check where it goes "
        "(it looks like {area}). Send STATUS {reference} to follow it."
    ),
    "urgent": (
        "If anyone is in danger call {emergency} now and keep away. Your report {reference} "
        "is marked urgent and staff have been alerted."
    ),
    "attached": "Added to your report {reference}. Thank you.",
    "need_words": (
        "Thanks, we filed your photo or location as {reference}. Please reply with a few "
        "words: what is the problem?"
    ),
    "status": "Report {reference} ({area}): {status}. Last update {updated}.",
    "status_none": "You have no reports yet. Send a few words about a problem to file one.",
    "status_unknown": (
        "We found no report of yours with that reference. References look like CV-7K3P2. "
        "Send MY to list your open reports."
    ),
    "my": "Your open reports: {references}. Send STATUS and a reference for details.",
    "my_item": "{reference} ({status})",
    "my_more": "and {count} more",
    "my_none": "You have no open reports. Send a few words about a problem to file one.",
    "forget_confirm": (
        "This erases your messages and your identity here; your reports stay only as "
        "anonymous counts. Reply FORGET YES within {minutes} min to confirm, or FORGET NO "
        "to keep them."
    ),
    "forgotten": (
        "Done: your messages and identity are erased and only anonymous counts remain. "
        "Write to us again any time."
    ),
    "forget_cancelled": "Nothing was erased. To erase your data, send FORGET, then FORGET YES.",
    "stopped": (
        "You will get no more messages from CivicVoice. Your reports are kept. Send START "
        "to get replies again."
    ),
    "started": "Welcome back: you will get replies and updates again. Send HELP for commands.",
    "lang_set": "Replies are now in {language}. Send LANG and a code to change it ({languages}).",
    "lang_unknown": "Sorry, that language is not available. Send LANG and one of: {languages}.",
    "too_long": (
        "Sorry, that message is too long (over {limit} characters), so it was not filed. "
        "Please send a shorter one."
    ),
    "empty": "Your message was empty. Describe the problem or idea in a few words, or send HELP.",
    "flood": (
        "You sent many messages quickly. We kept them with your report {reference}. Please "
        "wait a minute before sending more."
    ),
    "status_changed": "Update on your report {reference}: {status}.",
    "status_changed_note": "Update on your report {reference}: {status}. Note from staff: {note}",
    "staff_reply": "About your report {reference}: {text}",
    "not_text": (
        "Sorry, I can only read text, photos and locations. Please describe the problem in "
        "words."
    ),
    "resolved_ask": "Your report {reference} is resolved. Is it fixed? Reply 1 yes, 2 no",
    "resolved_ask_note": (
        "Your report {reference} is resolved. Note from staff: {note}\n"
        "Is it fixed? Reply 1 yes, 2 no"
    ),
    "fixed_thanks": "Thank you for telling us that {reference} is fixed.",
    "reopened": "Sorry it is not fixed. We reopened {reference} and told the staff.",
}

DE = {
    "welcome": (
        "Willkommen bei CivicVoice. Beschreiben Sie ein Problem oder eine Idee in wenigen "
        "Worten, z.B. 'Schlagloch vor Hauptstr. 12'. Sie erhalten eine Nummer. HELP zeigt "
        "die Befehle."
    ),
    "help": (
        "Beschreiben Sie ein Problem oder eine Idee in wenigen Worten. STATUS <Nr>: Stand "
        "einer Meldung. MY: Ihre offenen Meldungen. LANG <Code>: Sprache. FORGET: Daten "
        "löschen. STOP: keine Nachrichten."
    ),
    "filed": (
        "Danke. Ihre Meldung hat die Nummer {reference} und geht an das Team {area}. Mit "
        "STATUS {reference} verfolgen Sie sie."
    ),
    "filed_review": (
        "Danke. Ihre Meldung hat die Nummer {reference}. Eine Person prüft, wohin sie "
        "gehört (vermutlich {area}). Mit STATUS {reference} verfolgen Sie sie."
    ),
    "urgent": (
        "Wenn jemand in Gefahr ist, rufen Sie sofort {emergency} an und halten Sie Abstand. "
        "Ihre Meldung {reference} ist dringend markiert, das Personal ist alarmiert."
    ),
    "attached": "Zu Ihrer Meldung {reference} hinzugefügt. Danke.",
    "need_words": (
        "Danke, Ihr Foto oder Standort ist als {reference} gespeichert. Bitte antworten Sie "
        "mit ein paar Worten: Was ist das Problem?"
    ),
    "status": "Meldung {reference} ({area}): {status}. Letzte Änderung {updated}.",
    "status_none": (
        "Sie haben noch keine Meldungen. Beschreiben Sie ein Problem in wenigen Worten."
    ),
    "status_unknown": (
        "Wir finden keine Meldung von Ihnen mit dieser Nummer. Nummern sehen so aus: "
        "CV-7K3P2. MY listet Ihre offenen Meldungen."
    ),
    "my": "Ihre offenen Meldungen: {references}. STATUS und eine Nummer zeigt Details.",
    "my_item": "{reference} ({status})",
    "my_more": "und {count} weitere",
    "my_none": "Sie haben keine offenen Meldungen.",
    "forget_confirm": (
        "Damit löschen wir Ihre Nachrichten und Ihre Identität; Ihre Meldungen bleiben nur "
        "als anonyme Zahlen. Antworten Sie binnen {minutes} Min. mit FORGET YES, oder mit "
        "FORGET NO zum Abbrechen."
    ),
    "forgotten": (
        "Erledigt: Ihre Nachrichten und Ihre Identität sind gelöscht, nur anonyme Zahlen "
        "bleiben. Sie können uns jederzeit neu schreiben."
    ),
    "forget_cancelled": "Nichts wurde gelöscht. Zum Löschen senden Sie FORGET, dann FORGET YES.",
    "stopped": (
        "Sie erhalten keine Nachrichten mehr von CivicVoice. Ihre Meldungen bleiben "
        "erhalten. Mit START erhalten Sie wieder Antworten."
    ),
    "started": (
        "Willkommen zurück: Sie erhalten wieder Antworten und Neuigkeiten. HELP zeigt die "
        "Befehle."
    ),
    "lang_set": (
        "Antworten kommen jetzt auf {language}. LANG und ein Code ändert das ({languages})."
    ),
    "lang_unknown": (
        "Diese Sprache gibt es leider nicht. Senden Sie LANG und eines von: {languages}."
    ),
    "too_long": (
        "Diese Nachricht ist leider zu lang (über {limit} Zeichen) und wurde nicht erfasst. "
        "Bitte senden Sie eine kürzere."
    ),
    "empty": "Ihre Nachricht war leer. Beschreiben Sie das Problem in wenigen Worten, oder HELP.",
    "flood": (
        "Sie haben viele Nachrichten schnell gesendet. Wir haben sie zu Ihrer Meldung "
        "{reference} gelegt. Bitte warten Sie eine Minute."
    ),
    "status_changed": "Neuigkeit zu Ihrer Meldung {reference}: {status}.",
    "status_changed_note": "Neuigkeit zu Ihrer Meldung {reference}: {status}. Hinweis: {note}",
    "staff_reply": "Zu Ihrer Meldung {reference}: {text}",
    "not_text": (
        "Ich kann leider nur Text, Fotos und Standorte lesen. Bitte beschreiben Sie das "
        "Problem in Worten."
    ),
    "resolved_ask": (
        "Ihre Meldung {reference} ist erledigt. Ist es behoben? Antworten Sie 1 ja, 2 nein"
    ),
    "resolved_ask_note": (
        "Ihre Meldung {reference} ist erledigt. Hinweis: {note}\n"
        "Ist es behoben? Antworten Sie 1 ja, 2 nein"
    ),
    "fixed_thanks": "Danke für Ihre Rückmeldung: {reference} ist behoben.",
    "reopened": (
        "Das tut uns leid. Wir haben {reference} wieder geöffnet und das Team informiert."
    ),
}

MESSAGES: dict[str, dict[str, str]] = {"en": EN, "de": DE}

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}
_LANGUAGE_ALIASES = {"english": "en", "englisch": "en", "german": "de", "deutsch": "de"}

STATUS_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "new": "received", "acknowledged": "seen by staff", "in_progress": "being worked on",
        "resolved": "resolved", "closed": "closed", "duplicate": "merged with another report",
        "rejected": "not taken forward",
    },
    "de": {
        "new": "eingegangen", "acknowledged": "gesichtet", "in_progress": "in Bearbeitung",
        "resolved": "erledigt", "closed": "geschlossen",
        "duplicate": "mit einer anderen Meldung zusammengelegt",
        "rejected": "nicht weiterverfolgt",
    },
}  # fmt: skip

AREA_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "roads": "roads and pavements", "street_lighting": "street lighting",
        "waste": "waste and litter", "water_drainage": "water and drains",
        "parks_trees": "parks and trees", "traffic_parking": "traffic and parking",
        "public_transport": "public transport", "noise_nuisance": "noise and nuisance",
        "graffiti_vandalism": "graffiti and vandalism", "housing": "public housing",
        "public_safety": "public safety", "environment_health": "environmental health",
        "other": "general enquiries",
    },
    "de": {
        "roads": "Straßen und Gehwege", "street_lighting": "Straßenbeleuchtung",
        "waste": "Abfall und Müll", "water_drainage": "Wasser und Abwasser",
        "parks_trees": "Parks und Bäume", "traffic_parking": "Verkehr und Parken",
        "public_transport": "Nahverkehr", "noise_nuisance": "Lärm und Belästigung",
        "graffiti_vandalism": "Graffiti und Vandalismus", "housing": "Wohnen",
        "public_safety": "öffentliche Sicherheit", "environment_health": "Umwelt und Gesundheit",
        "other": "allgemeine Anliegen",
    },
}  # fmt: skip


def _lang(lang: str | None) -> str:
    return supported_language(lang or "") or DEFAULT_LANGUAGE


def supported_language(code: str) -> str | None:
    """Return the catalogue's code for ``code`` (``"DE"``, ``"de-AT"``, ``"german"``), or None."""
    value = code.strip().lower().replace("_", "-")
    value = _LANGUAGE_ALIASES.get(value, value.split("-", 1)[0])
    return value if value in MESSAGES else None


def language_list() -> str:
    """Return the language codes replies exist in, e.g. ``"de, en"``."""
    return ", ".join(sorted(MESSAGES))


def render(key: str, lang: str | None = None, **fields: object) -> str:
    """Return the text for ``key`` in ``lang`` (English where missing), filled with ``fields``.

    Raises ``KeyError`` for an unknown key or a missing field: both are bugs.
    """
    template = MESSAGES[_lang(lang)].get(key) or EN[key]
    return template.format_map(fields)


def area_label(code: str, lang: str | None = None) -> str:
    """Return a service area in plain words (``street_lighting`` -> ``street lighting``)."""
    for language in (_lang(lang), DEFAULT_LANGUAGE):
        label = AREA_LABELS.get(language, {}).get(code)
        if label:
            return label
    return code.replace("_", " ").strip() or code


def status_label(status: str, lang: str | None = None) -> str:
    """Return a feedback status in plain words (``in_progress`` -> ``being worked on``)."""
    for language in (_lang(lang), DEFAULT_LANGUAGE):
        label = STATUS_LABELS.get(language, {}).get(str(status))
        if label:
            return label
    return str(status).replace("_", " ")


def render_my(entries: Sequence[tuple[str, str]], lang: str | None = None) -> str:
    """Return the ``my`` message listing as many ``(reference, status)`` as fit two segments.

    Entries come best first; those that do not fit are counted as "and N more".
    """
    if not entries:
        return render("my_none", lang)
    items = [render("my_item", lang, reference=ref, status=status_label(st, lang))
             for ref, st in entries]
    for shown in range(len(items), 0, -1):
        listed = ", ".join(items[:shown])
        if shown < len(items):
            listed += " " + render("my_more", lang, count=len(items) - shown)
        text = render("my", lang, references=listed)
        if gsm7_segments(text) <= MAX_SEGMENTS:
            return text
    return render("my", lang, references=render("my_more", lang, count=len(items)))
