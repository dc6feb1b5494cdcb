"""Bilingual text, used by descriptions, titles and explanations."""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["LANGS", "Lang", "Text"]

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")


@attrs.frozen
class Text:
    """A text in English and Chinese. ``str(text)`` is the English one."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"en": self.en, "zh": self.zh}

    def __str__(self) -> str:
        return self.en
