"""Check a reply against the etiquette rules and suggest a polite rewrite.

The same checker tests every response template in CI and checks an agent's draft live in
the console. Matching happens on a normalised copy of the text that has exactly the same
length as the original, so every span found there points at the same characters of what
the agent wrote:

- template placeholders such as ``{product}`` become opaque words (``某某某…``), so a slot
  name can never break a rule and a template is judged like the text it produces;
- Traditional characters are read as Simplified, so one rule set serves both scripts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.etiquette.rules import Rule, RuleKind, load_rules
from bot.text.chinese_script import to_simplified, to_traditional

Span = tuple[int, int]

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
# A word character that no rule treats as special (rules.yml may rely on it, e.g. to accept
# "保证{hours}小时内发货" as a promise backed by a value).
_PLACEHOLDER_FILL = "某"
# A sentence with its closing punctuation: rules may look at the punctuation (a question
# is not a refusal), excerpts leave it out.
_SENTENCE = re.compile(r"[^。!?;\uff01\uff1f\uff1b\n…]+[。!?;\uff01\uff1f\uff1b\n…]*")
_EXCERPT_TRIM = "。.!?;…,、~ \t\r\n\uff01\uff1f\uff1b\uff0c\uff5e"
# How many times suggest_fix sweeps the rules: one rule's fix can expose another's.
_FIX_PASSES = 3


@dataclass(frozen=True)
class Violation:
    """One broken rule in a text.

    Attributes:
        rule_id: the rule's id, e.g. ``"E5"``.
        excerpt: the offending part of the text, as written.
        message: a short, polite explanation for the agent.
        suggestion: the whole text with this part rewritten, or advice when no mechanical
            rewrite exists.
        span: where ``excerpt`` sits in the text (start, end), for highlighting.
    """

    rule_id: str
    excerpt: str
    message: str
    suggestion: str
    span: Span = (0, 0)


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class _Prepared:
    """A text and its same-length normalised copy."""

    original: str
    normalised: str
    placeholders: tuple[Span, ...]
    traditional: bool

    @classmethod
    def of(cls, text: str) -> _Prepared:
        placeholders = tuple(m.span() for m in _PLACEHOLDER.finditer(text))
        masked = _PLACEHOLDER.sub(lambda m: _PLACEHOLDER_FILL * len(m.group()), text)
        normalised = _simplify_keeping_length(masked)
        return cls(text, normalised, placeholders, traditional=normalised != masked)

    def touches_placeholder(self, start: int, end: int) -> bool:
        return any(p_start < end and start < p_end for p_start, p_end in self.placeholders)


def _simplify_keeping_length(text: str) -> str:
    simplified = to_simplified(text)
    if len(simplified) == len(text):
        return simplified
    # OpenCC converted a phrase into one of a different length: convert character by
    # character instead, keeping any character whose conversion is not one character.
    return "".join(
        converted if len(converted := to_simplified(char)) == 1 else char for char in text
    )


class EtiquetteChecker:
    """Finds etiquette violations in a reply and proposes a polite rewrite."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        """Build a checker from validated rules (see :func:`bot.etiquette.load_rules`)."""
        self._rules = tuple(rules)
        self._order = {rule.id: n for n, rule in enumerate(self._rules)}

    @classmethod
    def default(cls) -> EtiquetteChecker:
        """A checker for the packaged ``rules.yml``; it reads the file, so callers cache it.

        Raises:
            EtiquetteRulesError: the packaged rules file is malformed.
        """
        return cls(load_rules())

    @classmethod
    def from_file(cls, path: Path) -> EtiquetteChecker:
        """A checker for the rules in ``path``.

        Raises:
            EtiquetteRulesError: the file is missing or malformed.
        """
        return cls(load_rules(path))

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules this checker applies, in file order."""
        return self._rules

    def check(self, text: str, *, first_reply: bool = False) -> list[Violation]:
        """Find every etiquette violation in ``text``.

        Args:
            text: a reply or response template (``{slot}`` placeholders are allowed).
            first_reply: the text is the first reply of a conversation, so it must greet
                the buyer and introduce the assistant (E2).

        Returns:
            The violations in the order they occur in the text; empty for a clean or blank
            text.
        """
        if not text.strip():
            return []
        prepared = _Prepared.of(text)
        violations = [
            self._violation(rule, prepared, span)
            for rule in self._rules
            for span in _hits(rule, prepared, first_reply=first_reply)
        ]
        return sorted(violations, key=lambda v: (v.span[0], self._order[v.rule_id]))

    def suggest_fix(self, text: str) -> str:
        """Rewrite ``text`` with every mechanical fix that makes it better.

        Each rule's rewrite is kept only when the text then has fewer violations and no
        rule has more, so the result is never worse than the input; a clean text comes
        back unchanged. Rules without a mechanical rewrite (e.g. E2) are left to the agent.
        """
        current = text
        counts = self._counts_by_rule(current)
        for _ in range(_FIX_PASSES):
            improved = False
            for rule in self._rules:
                if not counts:
                    return current
                candidate = self._rewrite_rule(rule, current)
                if candidate == current:
                    continue
                candidate_counts = self._counts_by_rule(candidate)
                if _better(candidate_counts, counts):
                    current, counts, improved = candidate, candidate_counts, True
            if not improved:
                break
        return current

    def _counts_by_rule(self, text: str) -> Counter[str]:
        return Counter(violation.rule_id for violation in self.check(text))

    def _violation(self, rule: Rule, prepared: _Prepared, span: Span) -> Violation:
        start, end = span
        edit = _rewrite_edit(rule, prepared, span)
        suggestion = _apply(prepared.original, [edit]) if edit else rule.advice
        return Violation(
            rule_id=rule.id,
            excerpt=prepared.original[start:end],
            message=rule.message,
            suggestion=suggestion,
            span=span,
        )

    @staticmethod
    def _rewrite_rule(rule: Rule, text: str) -> str:
        if not rule.rewrites or not text.strip():
            return text
        prepared = _Prepared.of(text)
        edits = [
            edit
            for span in _hits(rule, prepared, first_reply=False)
            if (edit := _rewrite_edit(rule, prepared, span)) is not None
        ]
        return _apply(text, edits)


def _better(after: Counter[str], before: Counter[str]) -> bool:
    """Fewer violations in all, and none more for any single rule."""
    no_rule_worse = all(after[rule_id] <= before[rule_id] for rule_id in after)
    return no_rule_worse and after.total() < before.total()


def _hits(rule: Rule, prepared: _Prepared, *, first_reply: bool) -> list[Span]:
    """The spans of ``prepared`` that break ``rule``."""
    text = prepared.normalised
    if rule.kind is RuleKind.PHRASE:
        return _phrase_hits(rule, text)
    if rule.kind is RuleKind.SENTENCE_START:
        return _sentence_hits(rule, text)
    if rule.kind is RuleKind.WHOLE_REPLY:
        start, end = _trimmed(text, 0, len(text))
        whole = text[start:end]
        return [(start, end)] if any(p.fullmatch(whole) for p in rule.patterns) else []
    # FIRST_REPLY: only the conversation's first reply must greet and introduce.
    if not first_reply or all(p.search(text) for p in rule.require):
        return []
    first = _SENTENCE.search(text)
    return [_trimmed(text, *first.span())] if first else [(0, len(text))]


def _phrase_hits(rule: Rule, text: str) -> list[Span]:
    allowed = _allowed_spans(rule, text)
    found = [
        match.span()
        for pattern in rule.patterns
        for match in pattern.finditer(text)
        if match.end() > match.start() and not _covered(match.span(), allowed)
    ]
    # Several patterns may match the same words (你们 and 你): keep the earliest, longest.
    found.sort(key=lambda span: (span[0], -span[1]))
    hits: list[Span] = []
    for span in found:
        if not hits or span[0] >= hits[-1][1]:
            hits.append(span)
    return hits


def _sentence_hits(rule: Rule, text: str) -> list[Span]:
    allowed = _allowed_spans(rule, text)
    hits: list[Span] = []
    for sentence_match in _SENTENCE.finditer(text):
        start, end = sentence_match.span()
        start += len(sentence_match.group()) - len(sentence_match.group().lstrip())
        sentence = text[start:end]
        for pattern in rule.patterns:
            match = pattern.search(sentence)
            if match is None:
                continue
            hit = (start + match.start("hit"), start + match.end("hit"))
            if _covered(hit, allowed):
                continue
            rest = sentence[match.end("hit") :]
            if not any(softener.search(rest) for softener in rule.unless):
                hits.append(_trimmed(text, start, end))
            break
    return hits


def _allowed_spans(rule: Rule, text: str) -> list[Span]:
    return [match.span() for pattern in rule.allow for match in pattern.finditer(text)]


def _covered(span: Span, allowed: list[Span]) -> bool:
    return any(a_start <= span[0] and span[1] <= a_end for a_start, a_end in allowed)


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in _EXCERPT_TRIM:
        start += 1
    while end > start and text[end - 1] in _EXCERPT_TRIM:
        end -= 1
    return start, end


def _rewrite_edit(rule: Rule, prepared: _Prepared, span: Span) -> _Edit | None:
    """The first of the rule's rewrites that applies to the excerpt at ``span``, if any."""
    start, end = span
    excerpt = prepared.normalised[start:end]
    for rewrite in rule.rewrites:
        match = rewrite.find.search(excerpt)
        if match is None:
            continue
        edit_start, edit_end = start + match.start(), start + match.end()
        # A placeholder is filled in later by the bot: rewriting it would lose the value.
        if prepared.touches_placeholder(edit_start, edit_end):
            return None
        replacement = match.expand(rewrite.replacement)
        if prepared.traditional:
            replacement = to_traditional(replacement)
        return _Edit(edit_start, edit_end, replacement)
    return None


def _apply(text: str, edits: list[_Edit]) -> str:
    """Apply non-overlapping edits (later ones first, so earlier offsets stay valid)."""
    result = text
    last_start = len(text) + 1
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        if edit.end > last_start:
            continue
        result = result[: edit.start] + edit.replacement + result[edit.end :]
        last_start = edit.start
    return result
