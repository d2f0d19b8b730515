"""Text preparation with spaCy: normalise, tokenise, lemmatise and match rules, in batches.

``Preparer`` is built once per language (it loads lookup tables, under a second) and then
turns texts into ``Prepared`` views with ``nlp.pipe``. The views are plain strings, so the
persisted scikit-learn models never hold spaCy objects.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy
import spacy
from spacy.attrs import IDX, LEMMA, ORTH
from spacy.language import Language
from spacy.lookups import Table, load_lookups
from spacy.tokens import Doc, Token

from nlp.lexicon import abbreviations, form_words
from nlp.matching import RuleBook
from nlp.normalize import normalise
from nlp.rules import cue_rules, urgent_rules

logger = logging.getLogger(__name__)

_ABBREVIATIONS = ("no", "nr", "nos", "st", "rd", "ave", "dr", "mr", "mrs", "ms", "approx", "opp",
                  "nº", "str", "bzw", "ca", "hnr", "tel")  # before a "." that ends no sentence
MAX_CHARS = 5_000  # longer texts are cut for classification (they are stored whole)
JOIN_CHARS = 50_000  # cleaned characters of many texts tokenised as one Doc (see prepare_many)
_MASK = "F_X"


class _TokenView(NamedTuple):
    """One word's share of the views, and what the sentence rules need to know of it."""

    word: str  # content word ("" = none)
    form: str | None  # form token; "" = masked content word; None = nothing
    ends_sentence: bool
    period: bool
    number: bool
    abbreviation: bool  # "no", "st" ...: a full stop after it ends no sentence


@dataclass(frozen=True, slots=True)
class Prepared:
    """One text seen three ways, and the rules it matched.

    ``content``: its topic words (lemmas). ``form``: its function words and cue tags with
    the topic words masked. ``tags``: what the urgency head reads beside the words, each
    urgent rule that matched as a feature (``urg_<rule>``). ``urgent_rules`` names those
    rules (the reasons shown to staff); none of them decides anything alone.
    """

    content: str
    form: str
    cues: frozenset[str]
    urgent_rules: tuple[str, ...]
    tags: str = ""


def _build_nlp(lang: str, pipeline: str | None) -> tuple[Language, bool]:
    """Return the spaCy pipeline and whether it sets lemmas."""
    if pipeline:
        # An operator-installed trained pipeline: keep its tagger/lemmatizer/NER, drop the
        # parser (slow; sentence starts come from the sentencizer below).
        nlp = spacy.load(pipeline, exclude=["parser"])
        has_lemmas = "lemmatizer" in nlp.pipe_names
    else:
        nlp = spacy.blank(lang)
        try:
            _lemma_lookups(lang)
        except (ValueError, OSError, KeyError) as exc:
            # No lookup table for this language: lower-cased words still work.
            logger.warning("no lemma lookups for %r, using lower-case words: %s", lang, exc)
            has_lemmas = False
        else:
            nlp.add_pipe("civicvoice_lookup_lemmas", config={"lang": lang})
            has_lemmas = True
    return nlp, has_lemmas


class _LemmaTable:
    """spacy-lookups-data's lemma table plus SMS shorthand, read by word hash."""

    def __init__(self, nlp: Language, table: Table, shorthand: dict[str, str]) -> None:
        self._strings = nlp.vocab.strings
        self._table = table
        self._shorthand = {self._strings.add(k): v for k, v in shorthand.items()}
        self._cache: dict[int, int] = {}

    def lemma_ids(self, orths: list[int]) -> list[int]:
        get = self._cache.get
        out = [get(orth, -1) for orth in orths]  # nearly every word is cached
        if -1 in out:
            for i, lemma in enumerate(out):
                if lemma == -1:
                    out[i] = self._lemma_of(orths[i])
        return out

    def _lemma_of(self, orth: int) -> int:
        expanded = self._shorthand.get(orth)
        if expanded is not None:  # "r" -> "are" -> lemma "be"
            text = self._table.get(expanded) or expanded
        else:
            text = self._table.get(orth) or self._strings[orth]
        lemma = self._cache[orth] = self._strings.add(text)
        return lemma


@lru_cache(maxsize=8)
def _lemma_lookups(lang: str) -> Table:
    """spacy-lookups-data's lemma table for ``lang`` (keyed by string hash, vocab-free)."""
    return load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")


@Language.factory("civicvoice_lookup_lemmas", default_config={"lang": "en"})
def _make_lookup_lemmas(nlp: Language, name: str, lang: str) -> Callable[[Doc], Doc]:
    table = _LemmaTable(nlp, _lemma_lookups(lang), abbreviations(lang))

    def set_lemmas(doc: Doc) -> Doc:
        orths = doc.to_array(ORTH).tolist()
        lemmas = numpy.asarray(table.lemma_ids(orths), dtype="uint64")
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]
        return doc

    return set_lemmas


class Preparer:
    """Prepare texts of one language for the classifiers."""

    def __init__(self, lang: str = "en", pipeline: str | None = None) -> None:
        self.lang = lang
        self.nlp, self._lemmas = _build_nlp(lang, pipeline)
        self._form_words = form_words(lang)
        self._context_lemmas = bool(pipeline)  # a trained pipeline's lemmas follow context
        self._views_cache: dict[Any, _TokenView] = {}
        self._words_seen: set[str] = set()
        strings = self.nlp.vocab.strings
        self._sentence_ends = {strings.add(p) for p in (".", "!", "?", "\n", "!?", "...", ";")}
        self._period = strings.add(".")
        self._abbreviations = {strings.add(a) for a in _ABBREVIATIONS}
        self._rules = RuleBook(self.nlp, {"urgent": urgent_rules(lang), "cue": cue_rules(lang)},
                               use_lemmas=self._lemmas)

    @property
    def has_ner(self) -> bool:
        """Whether the loaded pipeline recognises person names (a trained pipeline)."""
        return "ner" in self.nlp.pipe_names

    def prepare(self, text: str) -> Prepared:
        """Prepare one text."""
        return self.prepare_many([text])[0]

    def prepare_many(self, texts: Iterable[str], batch_size: int = 512) -> list[Prepared]:
        """Prepare many texts in batches.

        Without a trained pipeline every word's analysis is its own (tokeniser, lookup
        lemmas, phrase rules), so many cleaned texts are joined by a space and analysed as
        one Doc: a Doc per text costs more to make than its words. Cleaned texts hold single
        spaces only, so no token spans two texts, and rules are evaluated per text (a phrase
        across two texts is dropped). A trained pipeline tags words by their neighbours: there
        each text is its own Doc.
        """
        expand = not self._lemmas  # with lemmas, shorthand is expanded by the lookup table
        cleaned = (normalise((t or "")[:MAX_CHARS], self.lang, expand) for t in texts)
        if self._context_lemmas:
            return [self._views(doc, self._token_keys(doc), 0, self._rules.find(doc))
                    for doc in self.nlp.pipe(cleaned, batch_size=batch_size)]
        prepared: list[Prepared] = []
        for group in _groups(cleaned, JOIN_CHARS):
            prepared.extend(self._prepare_joined(group))
        return prepared

    def _prepare_joined(self, texts: list[str]) -> list[Prepared]:
        """Prepare cleaned ``texts`` (single spaces only) as one Doc."""
        self._cache_words(texts)
        doc = self.nlp(" ".join(t for t in texts if t))
        offsets, at = [], 0  # each text's first character in the joined string
        for text in texts:
            offsets.append(at)
            at += len(text) + 1 if text else 0
        first = numpy.searchsorted(doc.to_array(IDX), offsets).tolist()  # its first token
        ends = [*first[1:], len(doc)]
        phrases: list[list[tuple[int, int, int]]] = [[] for _ in texts]
        for match_id, start, end in self._rules.find(doc):
            i = bisect_right(first, start) - 1  # an empty text shares its successor's start
            if end <= ends[i]:
                phrases[i].append((match_id, start - first[i], end - first[i]))
        keys = self._token_keys(doc)
        return [self._views(doc, keys[start:end], start, found)
                for start, end, found in zip(first, ends, phrases, strict=True)]

    def person_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of person names in ``text`` (empty without a trained NER)."""
        if not self.has_ner:
            return []
        doc = self.nlp(text)
        return [(e.start_char, e.end_char) for e in doc.ents if e.label_ in {"PER", "PERSON"}]

    def _token_view(self, token: Token) -> _TokenView:
        """How one word shows in the views (cached per word: see ``_token_keys``)."""
        strings = self.nlp.vocab.strings
        orth = token.orth
        ends, period = orth in self._sentence_ends, orth == self._period
        abbreviation = orth in self._abbreviations
        if token.like_num:
            return _TokenView("NUM", "F_NUM", ends, period, True, abbreviation)
        word = strings[token.lemma if self._lemmas else token.lower].lower()
        if word.isspace():
            return _TokenView("", None, ends, period, False, abbreviation)
        if word in self._form_words:
            form = "F_" + word.replace("'", "").replace(" ", "_")
            return _TokenView("" if token.is_punct else word, form, ends, period, False,
                              abbreviation)
        if token.is_punct:
            return _TokenView("", None, ends, period, False, abbreviation)
        return _TokenView(word, "", ends, period, False, abbreviation)

    def _token_keys(self, doc: Doc) -> list[Any]:
        """One cache key per token. With lookup lemmas (or none) every view of a word
        follows from its exact form, so the key is the ORTH hash: a single numpy read,
        not a Token object per word. A trained pipeline's lemma depends on context, so
        there the key is the (ORTH, LEMMA) pair."""
        if self._context_lemmas:
            return list(zip(doc.to_array(ORTH).tolist(), doc.to_array(LEMMA).tolist(),
                            strict=True))
        return doc.to_array(ORTH).tolist()

    def _cache_words(self, texts: list[str]) -> None:
        """Let spaCy's tokeniser cache every new word first. It caches no word of a Doc
        after the first special case ("don't") in that Doc, so in a long joined Doc a new
        word would stay uncached, and be split by the affix rules each time it comes."""
        seen = self._words_seen
        if len(seen) > 500_000:
            seen.clear()
        new = {word for text in texts for word in text.split(" ") if word not in seen}
        tokenizer = self.nlp.tokenizer
        for word in new:
            tokenizer(word)
        seen.update(new)

    def _views(self, doc: Doc, keys: list[Any], offset: int,
               phrases: list[tuple[int, int, int]]) -> Prepared:
        """The views of the text whose words are ``doc[offset:offset + len(keys)]``
        (``phrases``: what the rule book found there, relative to ``offset``)."""
        content: list[str] = []
        form: list[str] = []
        sentence_ids: list[int] = []
        views: list[_TokenView] = []
        sentence, starts_sentence, has_period = 0, True, False
        cache = self._views_cache
        if len(cache) > 500_000:  # new words (typos) never stop coming: stay bounded
            cache.clear()
        # locals: this loop runs once per token
        get = cache.get
        add_content, add_form, add_sentence = content.append, form.append, sentence_ids.append
        add_view = views.append
        for i, key in enumerate(keys):
            if starts_sentence:
                add_form("F_BOS")
                sentence += 1
            add_sentence(sentence)
            view = get(key)
            if view is None:
                view = cache[key] = self._token_view(doc[offset + i])
            add_view(view)
            word, form_token, starts_sentence, period, _, _ = view
            has_period = has_period or period
            if word:
                add_content(word)
            if form_token:
                add_form(form_token)
            elif form_token is not None and form[-1] != _MASK:
                add_form(_MASK)
        rule_ids = self._rule_sentences(views, sentence_ids) if has_period else sentence_ids
        matched = self._rules.holds(phrases, rule_ids)
        cues = frozenset(matched.get("cue", {}))
        urgent = tuple(matched.get("urgent", {}))
        return Prepared(" ".join(content), " ".join(form + sorted(cues)), cues, urgent,
                        " ".join(f"urg_{name}" for name in urgent))

    @staticmethod
    def _rule_sentences(views: list[_TokenView], sentence_ids: list[int]) -> list[int]:
        """Sentence numbers for the rules: a full stop after an abbreviation ("no. 18",
        "St. Mary's") or before a number does not end a sentence there."""
        ids: list[int] = []
        sentence = 1
        for i, view in enumerate(views):
            if i and views[i - 1].ends_sentence:
                kept = views[i - 1].period and (
                    view.number or (i > 1 and views[i - 2].abbreviation))
                sentence += not kept
            ids.append(sentence)
        return ids

def feature_rows(prepared: Iterable[Prepared]) -> list[tuple[str, str, str]]:
    """The rows every head reads: (content, form, tags) per text."""
    return [(p.content, p.form, p.tags) for p in prepared]


def _groups(texts: Iterable[str], chars: int) -> Iterator[list[str]]:
    """Consecutive texts, in lists of about ``chars`` characters."""
    group: list[str] = []
    size = 0
    for text in texts:
        group.append(text)
        size += len(text) + 1
        if size >= chars:
            yield group
            group, size = [], 0
    if group:
        yield group
