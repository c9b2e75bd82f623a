"""Japanese tokens with sudachipy: one Dictionary per process, input split below its byte limit."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

MAX_BYTES = 40_000  # one tokenize call takes at most ~49 KB of UTF-8
CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")
# A noun made of a verb's 連用形 (見守り, 支え合い, 取り組み) also answers to the verb (見守る):
_I_TO_U = str.maketrans("いきぎしちにびみり", "うくぐすつぬぶむる")


@dataclass(frozen=True)
class Token:
    surface: str
    normalized_form: str
    dictionary_form: str
    pos: str

    @property
    def content(self) -> bool:
        return self.pos in CONTENT_POS and not self.normalized_form.isdigit()

    def keys(self) -> set[str]:
        """Forms a search or a theme keyword may meet this token by."""
        keys = {self.normalized_form, self.dictionary_form, self.surface}
        if self.pos == "名詞" and len(self.surface) >= 2 and self.surface[-1] in "いきぎしちにびみり":
            keys.add(self.surface[:-1] + self.surface[-1].translate(_I_TO_U))
        return {k for k in keys if k}


@lru_cache(maxsize=1)
def _dictionary():
    from sudachipy import Dictionary

    return Dictionary()  # built once per process: loading it is the expensive part


_local = threading.local()


def _tokenizer():
    """A tokenizer per thread (a Tokenizer is not thread-safe); all share the one Dictionary."""
    if not hasattr(_local, "tokenizer"):
        from sudachipy import SplitMode

        _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return _local.tokenizer


def chunks(text: str, limit: int = MAX_BYTES) -> list[str]:
    """Pieces of `text` under `limit` bytes, cut after a sentence end where possible."""
    if len(text.encode("utf-8")) <= limit:
        return [text]
    out, cur = [], ""
    for piece in re.split(r"(?<=[。\n])", text):
        while len(piece.encode("utf-8")) > limit:  # a sentence longer than the limit: cut it
            if cur:
                out.append(cur)
                cur = ""
            cut = limit // 4  # a character takes at most 4 bytes
            out.append(piece[:cut])
            piece = piece[cut:]
        if len((cur + piece).encode("utf-8")) > limit:
            out.append(cur)
            cur = piece
        else:
            cur += piece
    if cur:
        out.append(cur)
    return [c for c in out if c]


def tokenize(text: str) -> list[Token]:
    tok = _tokenizer()
    out = []
    for piece in chunks(text):
        for m in tok.tokenize(piece):
            s = m.surface()
            if not s.strip():
                continue
            out.append(Token(s, m.normalized_form(), m.dictionary_form(), m.part_of_speech()[0]))
    return out
