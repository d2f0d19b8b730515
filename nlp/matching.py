"""Compile ``nlp.rules`` into one spaCy PhraseMatcher and evaluate rules on its matches.

All phrase groups of all rule sets share one PhraseMatcher (a hash trie over lemmas, fast
even with thousands of phrases); ``Near`` pairs are then checked on the matched spans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from nlp.normalize import normalise, spelling_variants
from nlp.rules import Near, Rule

Span = tuple[int, int]


class RuleBook:
    """Named rule sets (``"urgent"``, ``"cue"`` ...) compiled for one spaCy pipeline."""

    def __init__(
        self,
        nlp: Language,
        rule_sets: Mapping[str, Mapping[str, list[Rule]]],
        use_lemmas: bool = True,
    ) -> None:
        self._attr = "LEMMA" if use_lemmas else "LOWER"
        self._matcher = PhraseMatcher(nlp.vocab, attr=self._attr)
        self._strings = nlp.vocab.strings
        self._keys: dict[int, tuple[str, str, int, str]] = {}  # match id -> decoded key
        self._rules: dict[str, dict[str, list[Rule]]] = {
            name: dict(rules) for name, rules in rule_sets.items()
        }
        groups: dict[str, list[str]] = defaultdict(list)
        for set_name, rules in self._rules.items():
            for rule_name, alternatives in rules.items():
                for i, alt in enumerate(alternatives):
                    if isinstance(alt, Near):
                        groups[self._key(set_name, rule_name, i, "a")].extend(alt.a)
                        groups[self._key(set_name, rule_name, i, "b")].extend(alt.b)
                    else:
                        for phrase in alt:
                            role = "^" if phrase.startswith("^") else "p"
                            groups[self._key(set_name, rule_name, i, role)].append(
                                phrase.lstrip("^")
                            )
        lang = str(nlp.lang)
        for key, phrases in groups.items():
            texts = list(dict.fromkeys(variant for p in phrases
                                       for variant in spelling_variants(normalise(p, lang),
                                                                        lang)))
            docs = list(nlp.pipe(texts)) if self._attr == "LEMMA" else [
                nlp.make_doc(t) for t in texts
            ]
            self._matcher.add(key, docs)

    @staticmethod
    def _key(set_name: str, rule: str, alt: int, role: str) -> str:
        return f"{set_name}\x1f{rule}\x1f{alt}\x1f{role}"

    def find(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Every phrase of every rule found in ``doc``: ``(match id, start, end)``.

        One call may cover many texts joined in one Doc; ``holds`` then takes each text's
        share, its positions made relative to the text's first token.
        """
        return self._matcher(doc)

    def holds(self, phrases: Iterable[tuple[int, int, int]],
              sentence_ids: list[int]) -> dict[str, dict[str, list[Span]]]:
        """Return ``{set: {rule: [spans]}}`` for every rule that holds, given the phrases
        ``find`` found in one text.

        ``sentence_ids`` gives each token's sentence number (a ``^`` phrase must open one,
        and both halves of a ``Near`` pair must share one).
        """
        found: dict[tuple[str, str, int, str], list[Span]] = defaultdict(list)
        keys = self._keys
        for match_id, start, end in phrases:
            key = keys.get(match_id)
            if key is None:
                set_name, rule, alt_text, role = self._strings[match_id].split("\x1f")
                key = keys[match_id] = (set_name, rule, int(alt_text), role)
            if key[3] == "^" and start > 0 and sentence_ids[start - 1] == sentence_ids[start]:
                continue
            found[key].append((start, end))
        result: dict[str, dict[str, list[Span]]] = defaultdict(dict)
        for (set_name, rule, alt, role), spans in found.items():
            if role in "p^":
                result[set_name].setdefault(rule, []).extend(spans)
            elif role == "a":
                near = self._rules[set_name][rule][alt]
                assert isinstance(near, Near)
                pairs = _near_spans(sentence_ids, spans,
                                    found.get((set_name, rule, alt, "b"), []), near.gap)
                if pairs:
                    result[set_name].setdefault(rule, []).extend(pairs)
        return result


def _near_spans(
    sentence_ids: list[int], a_spans: Iterable[Span], b_spans: list[Span], gap: int
) -> list[Span]:
    spans: list[Span] = []
    for a_start, a_end in a_spans:
        for b_start, b_end in b_spans:
            if a_start < b_end and b_start < a_end:
                continue  # the same words cannot be both halves
            distance = b_start - a_end if b_start >= a_end else a_start - b_end
            if distance > gap:
                continue
            start, end = min(a_start, b_start), max(a_end, b_end)
            if sentence_ids[start] == sentence_ids[end - 1]:
                spans.append((start, end))
    return spans
