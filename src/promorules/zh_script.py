"""Pipeline stage 6 (rendering for people): one Chinese script per rendered text.

A ruleset's Chinese text is written as its source document was: 1688's and AliExpress's
documents are in Traditional characters, the explanation's own labels and the calendar's
holiday names in Simplified ones. A Chinese explanation is rendered in one script:

- ``"zh"`` and ``"zh-Hans"``: Simplified (what the platforms' users read), OpenCC ``t2s``;
- ``"zh-Hant"``: Traditional, OpenCC ``s2t``.

The conversion is OpenCC's (the ``opencc`` package, imported on first use only, so
``import promorules`` and English explanations never load it). Each distinct run of
non-ASCII text is converted once and remembered: the runs of an explanation are its
labels, descriptions, citations and list items, a small set that repeats from one result to
the next; and each distinct line is converted once too, so a line seen before (most of an
explanation) costs one look-up. ASCII text (rule ids, fact names, numbers) is never a part of
a Chinese word, so it passes through as it is. Both caches are bounded.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from .errors import PromorulesError

__all__ = ["EXPLAIN_LANGS", "convert", "fold", "fold_value", "in_script", "resolve_lang"]

# the values of ``lang`` accepted by explanations (Result.explain, the CLI's --lang)
EXPLAIN_LANGS: tuple[str, ...] = ("en", "zh", "zh-Hans", "zh-Hant")

# lang -> (the language of the texts to read, the OpenCC configuration to render them with)
_LANGS: dict[str, tuple[str, str | None]] = {
    "en": ("en", None),
    "zh": ("zh", "t2s"),
    "zh-Hans": ("zh", "t2s"),
    "zh-Hant": ("zh", "s2t"),
}

# runs of non-ASCII text; lone surrogates (which a JSON string can carry) are left as they
# are: they are not text OpenCC can read
_NON_ASCII = re.compile(r"[^\x00-\x7f\ud800-\udfff]+")


def resolve_lang(lang: str) -> tuple[str, str | None]:
    """``lang`` as (``"en"`` or ``"zh"``, the OpenCC configuration of its script or None).

    Raises PromorulesError PR010, listing the accepted values, for any other ``lang``.
    """
    try:
        return _LANGS[lang]
    except (KeyError, TypeError):
        accepted = ", ".join(repr(v) for v in EXPLAIN_LANGS)
        raise PromorulesError(f"unsupported language {lang!r}; use one of {accepted}",
                              code="PR010") from None


@functools.cache
def _converter(config: str) -> Callable[[str], str]:
    try:
        import opencc
    except ImportError:  # a broken install: opencc is a dependency of promorules
        raise PromorulesError("Chinese explanations need the opencc package (a dependency "
                              "of promorules): pip install opencc", code="PR010") from None
    convert: Callable[[str], str] = opencc.OpenCC(config).convert
    return convert


@functools.lru_cache(maxsize=8192)
def convert(text: str, config: str) -> str:
    """``text`` converted with the OpenCC configuration ``config`` (``"t2s"``, ``"s2t"``),
    once per distinct text."""
    return _converter(config)(text)


def in_script(text: str, config: str | None) -> str:
    """``text`` with every run of non-ASCII characters converted by ``config`` (None: as it
    is)."""
    if config is None or text.isascii():
        return text
    line = _line_converter(config)
    return "\n".join([line(t) if not t.isascii() else t for t in text.split("\n")])


@functools.cache
def _line_converter(config: str) -> Callable[[str], str]:
    def repl(match: re.Match[str]) -> str:
        return convert(match.group(), config)

    @functools.lru_cache(maxsize=8192)
    def line(text: str) -> str:
        return _NON_ASCII.sub(repl, text)

    return line


# -- matching text whatever its script and width (``match: chinese``) ------------------------


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """``text`` in one form for script- and width-insensitive matching: NFKC (full-width
    letters, digits and punctuation become half-width) then OpenCC ``t2s`` (Traditional
    becomes Simplified), so ``女裝``, ``女装`` and ``臺灣``, ``台灣``, ``台湾`` each fold to
    one text. Once per distinct text; ASCII text is returned as it is."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda m: convert(m.group(), "t2s"), text)  # surrogates as they are


def fold_value(value: Any) -> Any:
    """A fact value folded for matching: a string by :func:`fold`, a list or tuple item by
    item (strings only); anything else (None: a missing fact) as it is."""
    if value.__class__ is str:
        return fold(value)
    if isinstance(value, str):  # a str subclass: folded as the plain text it holds
        return fold(str(value))
    if isinstance(value, (tuple, list)):
        return tuple(fold(str(v)) if isinstance(v, str) else v for v in value)
    return value
