"""Personal data out of buyer lines: phones, ID cards, e-mails, bank cards, street addresses.

A :class:`Redactor` replaces each finding with a short label from ``redaction.yml``.
Matching runs on each character's NFKC form (full-width ``１３８`` and ``＠`` count), but
findings are offsets into the original line, and text outside them is never changed. Every
kind is searched for even when not redacted, so a number is read as one thing only.

What each kind catches, and what it deliberately leaves alone:

- phone: mobiles (1[3-9] + 9 digits; +86, 86, 0086 or (+86) before; 3-4-4 groups split by
  a space or dash); landlines with an area code (010/02x + 8 digits, 0[3-9]xx + 7-8, the
  code maybe in brackets, an extension after -, 转, 分机, ext). Not: digits inside a longer
  run of digits or glued to letters (order ids, SF/YT tracking numbers, item ids),
  landlines without an area code, 400/800/955xx service numbers, a mobile right after an
  order label (订单号13812345678 is read as an order id by the NLU).
- id_card: 18 digits (6-8-4 groups allowed) with a real province code, a real birth date
  not in the future and the ISO 7064 MOD 11-2 check digit; 15-digit IDs (before 1999)
  with a real province and birth date, unless an order or tracking word comes just before.
- email: ASCII local@domain.tld (qq.com, 163.com, foxmail.com …). Not: QQ/WeChat accounts.
- bank_card: 16-19 digits, or 4-4-4-4(-1..3) groups, passing Luhn, and either grouped, or
  after a card word (卡, 银行, 账号 …), or starting like a card (62, 60, 9, 4, 51-55, 35)
  with no order or tracking word just before (Taobao order numbers have 18-19 digits too).
- address: the detailed part of a street address (road and number, building, unit,
  room); what it catches and leaves alone is described in
  :mod:`bot.transcripts.address_rules`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import yaml

from bot.errors import SettingsError
from bot.settings import REDACTABLE_KINDS, Settings
from bot.transcripts.address_rules import REGIONS_PATH as REGIONS_PATH
from bot.transcripts.address_rules import address_spans, region_names

LABELS_PATH = Path(__file__).with_name("redaction.yml")


@dataclass(frozen=True)
class Finding:
    """Personal data of ``kind`` at ``text[start:end]`` of the original text."""

    kind: str
    start: int
    end: int


class _Candidate(NamedTuple):
    kind: str
    priority: int
    start: int
    end: int


# --- normalisation ------------------------------------------------------------------------

# Characters NFKC may change: all but ASCII, CJK ideographs and common CJK punctuation.
_MAY_CHANGE = re.compile(
    r"[^\x00-\x7f\u4e00-\u9fff\u3001-\u3003\u3008-\u3011\u2018\u2019\u201c\u201d]"
)


@lru_cache(maxsize=4096)
def _nfkc(char: str) -> str:
    return unicodedata.normalize("NFKC", char)


def normalised(text: str) -> tuple[str, list[int] | None]:
    """``text`` with each character in NFKC and, when the length changed, a map back.

    The map gives the original index of every normalised character ("…" becomes "...",
    three characters that map to one); without it, offsets are the same in both.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    normal = _MAY_CHANGE.sub(lambda found: _nfkc(found[0]), text)
    if len(normal) == len(text):
        return normal, None  # full-width forms: one character for one
    origin: list[int] = []
    last = 0
    for found in _MAY_CHANGE.finditer(text):
        origin.extend(range(last, found.start()))
        origin.extend([found.start()] * len(_nfkc(found[0])))
        last = found.end()
    origin.extend(range(last, len(text)))
    return normal, origin


# --- shared pieces ------------------------------------------------------------------------

_B = r"(?<![0-9A-Za-z])"  # not inside a longer run of digits or letters
_E = r"(?![0-9A-Za-z])"
_SEP = r"[ \-]?"  # one space or dash between digit groups
_LONG_NUMBER = re.compile(r"\d(?:[ ()\-]{0,2}\d){9}", re.ASCII)  # phones, IDs, cards
_ANY_DIGIT = re.compile(r"\d", re.ASCII)
_NOT_DIGIT = re.compile(r"[^0-9Xx]")
_ORDER_WORDS = r"(?:订单|单号|编号|运单|快递|物流|商品|货号|包裹)"
_ORDER_NEARBY = re.compile(_ORDER_WORDS)
_ORDER_RIGHT_BEFORE = re.compile(_ORDER_WORDS + r"[号码]*\s*(?:是|为)?\s*:?\s*$")
_CARD_NEARBY = re.compile(r"卡|银行|账号|帐号|账户|帐户|开户|收款")
_LOOK_BACK = 10  # characters before a number searched for a label


def _before(normal: str, start: int) -> str:
    return normal[max(0, start - _LOOK_BACK) : start]


# --- phone --------------------------------------------------------------------------------

_MOBILE = rf"(?:(?:\+|00)?86{_SEP}|\(\+?86\)\s?)?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}"
_LANDLINE = (  # Beijing 010 and 02x codes have 8-digit numbers; 0[3-9]xx codes 7 or 8
    rf"(?:\(0(?:10|2\d)\)\s?|0(?:10|2\d){_SEP})[1-9]\d{{3}}{_SEP}\d{{4}}"
    rf"|(?:\(0[3-9]\d\d\)\s?|0[3-9]\d\d{_SEP})[1-9]\d{{2,3}}{_SEP}\d{{4}}"
)
_EXTENSION = r"(?:\s?(?:-|转|分机|ext\.?|x)\s?\d{1,5})?"
_PHONE_RE = re.compile(
    rf"(?=[0-9+(]){_B}(?:(?P<mobile>{_MOBILE})|(?:{_LANDLINE}){_EXTENSION}){_E}", re.ASCII
)


def _phone(found: re.Match[str], normal: str) -> bool:
    return not (found["mobile"] and _ORDER_RIGHT_BEFORE.search(_before(normal, found.start())))


# --- resident identity card ---------------------------------------------------------------

_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID18_RE = re.compile(
    rf"(?=[1-8]){_B}[1-8]\d{{5}}{_SEP}(?P<birth>(?:18|19|20)\d\d{_DAY}){_SEP}\d{{3}}[0-9Xx]{_E}",
    re.ASCII,
)
_ID15_RE = re.compile(rf"(?=[1-8]){_B}[1-8]\d{{5}}(?P<birth>\d\d{_DAY})\d{{3}}{_E}", re.ASCII)
# Provinces (11 Beijing … 65 Xinjiang), 71 Taiwan, 81-83 residence permits of HK/Macao/TW.
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # ISO 7064 MOD 11-2: check character by weighted sum mod 11


def id_check_character(first_17: str) -> str:
    """The check character (0-9 or X) of an 18-digit ID from its first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first_17, _ID_WEIGHTS, strict=True)) % 11]


def _real_place_and_birth(province: str, birth: str) -> bool:
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        return False  # 0230, 1931 …
    return int(province) in _PROVINCES and born <= date.today()


def _resident_id(found: re.Match[str], normal: str) -> bool:
    chars = _NOT_DIGIT.sub("", found[0]).upper()
    return _real_place_and_birth(chars[:2], found["birth"]) and (
        id_check_character(chars[:17]) == chars[17]
    )


def _old_resident_id(found: re.Match[str], normal: str) -> bool:
    return _real_place_and_birth(found[0][:2], "19" + found["birth"]) and not (
        _ORDER_NEARBY.search(_before(normal, found.start()))
    )


# --- e-mail -------------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?=[A-Za-z0-9])(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])",
    re.ASCII,
)


def _always(found: re.Match[str], normal: str) -> bool:
    return True


# --- bank card ----------------------------------------------------------------------------

_CARD_RE = re.compile(
    rf"(?=\d){_B}(?:(?P<grouped>\d{{4}}(?P<sep>[ \-])\d{{4}}(?P=sep)\d{{4}}(?P=sep)\d{{4}}"
    rf"(?:(?P=sep)\d{{1,3}})?)|\d{{16,19}}){_E}",
    re.ASCII,
)
# UnionPay 62, domestic 60 and 9 (old), Visa 4, Mastercard 51-55, JCB 35.
_CARD_PREFIXES = ("62", "60", "9", "4", "51", "52", "53", "54", "55", "35")


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn (mod 10) check of card numbers."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _bank_card(found: re.Match[str], normal: str) -> bool:
    digits = _NOT_DIGIT.sub("", found[0])
    if not luhn_valid(digits):
        return False
    if found["grouped"]:
        return True
    before = _before(normal, found.start())
    if _CARD_NEARBY.search(before):
        return True
    return digits.startswith(_CARD_PREFIXES) and not _ORDER_NEARBY.search(before)


# --- the redactor -------------------------------------------------------------------------


class _Rule(NamedTuple):
    kind: str
    priority: int  # where two findings overlap, the higher wins
    pattern: re.Pattern[str]
    accept: Callable[[re.Match[str], str], bool]


_EMAIL_RULES = (_Rule("email", 50, _EMAIL_RE, _always),)
_NUMBER_RULES = (
    _Rule("id_card", 40, _ID18_RE, _resident_id),
    _Rule("id_card", 40, _ID15_RE, _old_resident_id),
    _Rule("bank_card", 30, _CARD_RE, _bank_card),
    _Rule("phone", 20, _PHONE_RE, _phone),
)
_ADDRESS_PRIORITY = 10


class Redactor:
    """Finds personal data of the chosen kinds in a line and replaces it with labels."""

    def __init__(self, kinds: Iterable[str], labels: Mapping[str, str] | None = None) -> None:
        """Redact ``kinds`` (of REDACTABLE_KINDS) with ``labels`` (default: redaction.yml).

        Raises:
            SettingsError: an unknown kind, or a kind without a label (or one with digits).
        """
        self.kinds = tuple(kinds)
        unknown = sorted(set(self.kinds) - set(REDACTABLE_KINDS))
        if unknown:
            raise SettingsError(f"unknown kinds of personal data: {', '.join(unknown)}")
        self._labels = dict(default_labels() if labels is None else labels)
        missing = [kind for kind in self.kinds if not _good_label(self._labels.get(kind))]
        if missing:
            raise SettingsError(f"no redaction label (without digits) for: {', '.join(missing)}")
        self._enabled = frozenset(self.kinds)
        self._regions = region_names()

    @classmethod
    def from_settings(cls, settings: Settings) -> Redactor:
        """The redactor of ``settings.redact_kinds`` with the labels of redaction.yml."""
        return cls(settings.redact_kinds, default_labels())

    def findings(self, text: str) -> list[Finding]:
        """The personal data in ``text`` of the enabled kinds: non-overlapping, in order."""
        normal, origin = normalised(text)
        chosen: list[_Candidate] = []
        for candidate in sorted(self._candidates(normal), key=lambda c: (-c.priority, c.start)):
            if all(candidate.end <= c.start or c.end <= candidate.start for c in chosen):
                chosen.append(candidate)
        chosen.sort(key=lambda c: c.start)
        return [
            Finding(c.kind, *_original_span(c.start, c.end, origin))
            for c in chosen
            if c.kind in self._enabled
        ]

    def redact(self, text: str) -> str:
        """``text`` with every finding replaced by its kind's label."""
        pieces: list[str] = []
        last = 0
        for finding in self.findings(text):
            pieces += (text[last : finding.start], self._labels[finding.kind])
            last = finding.end
        return "".join(pieces) + text[last:] if pieces else text

    def _candidates(self, normal: str) -> list[_Candidate]:
        rules = (_EMAIL_RULES if "@" in normal else ()) + (
            _NUMBER_RULES if _LONG_NUMBER.search(normal) else ()
        )
        found = [
            _Candidate(rule.kind, rule.priority, *match.span())
            for rule in rules
            for match in rule.pattern.finditer(normal)
            if rule.accept(match, normal)
        ]
        found += [
            _Candidate("address", _ADDRESS_PRIORITY, start, end)
            for start, end in address_spans(normal, self._regions)
        ]
        return found


def _original_span(start: int, end: int, origin: list[int] | None) -> tuple[int, int]:
    return (start, end) if origin is None else (origin[start], origin[end - 1] + 1)


def load_labels(path: Path = LABELS_PATH) -> dict[str, str]:
    """Read and check the labels file: one non-empty label without digits per kind.

    Raises:
        SettingsError: the file is missing, is not YAML, or lacks or adds a kind.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise SettingsError(f"cannot read redaction labels from {path}: {err}") from err
    if not isinstance(raw, dict):
        raise SettingsError(f"{path} must map kinds of personal data to labels")
    bad = [kind for kind in REDACTABLE_KINDS if not _good_label(raw.get(kind))]
    if bad:
        raise SettingsError(f"{path} lacks non-empty labels without digits for: {', '.join(bad)}")
    unknown = sorted(set(raw) - set(REDACTABLE_KINDS))
    if unknown:
        raise SettingsError(f"{path} has unknown kinds: {', '.join(map(str, unknown))}")
    return {kind: raw[kind].strip() for kind in REDACTABLE_KINDS}


def _good_label(label: object) -> bool:
    return isinstance(label, str) and bool(label.strip()) and not _ANY_DIGIT.search(label)


@cache
def default_labels() -> Mapping[str, str]:
    """The labels of redaction.yml, read once (read-only)."""
    return MappingProxyType(load_labels())
