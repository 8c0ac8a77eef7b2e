"""Chinese text: segmentation with a domain dictionary, and TF-IDF keyword extraction.

The loaders, the mutations and search all segment through one `Segmenter`, so a term that
is a keyword in the data is one token everywhere.

Examples
--------
>>> seg = Segmenter(["碳酸钙表面改性"])
>>> seg.tokens("重质碳酸钙表面改性技术的节能改造")
['重质', '碳酸钙表面改性', '节能', '改造']
>>> [term for term, _ in seg.keywords("纳米碳酸钙表面改性，提高白度和分散性", k=3)]
['碳酸钙表面改性', '分散性', '白度']
"""

from __future__ import annotations

import logging
import re
import statistics
import threading
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

import jieba

__all__ = ["Segmenter", "normalise_term"]

jieba.setLogLevel(logging.WARNING)

# Words too general to describe a technology: never keywords, never search terms.
STOPWORDS = frozenset(
    """
    技术 问题 需求 企业 公司 我们 进行 开展 项目 相关 希望 需要 目前 提高 解决 研发
    合作 能够 以及 通过 实现 提供 方面 工作 存在 有关 其中 对于 主要 一种 方法 具有
    利用 包括 采用 基于 已经 进一步 关键 难题 亟需 急需 寻求 寻找 引进 推动 提升 改进
    优化 较低 较高 不足 现有 本 同时 可以 一些 这些 那些 如何 怎样 以上 左右 达到
    目标 成果 专利 研究 应用 服务 支持 帮助
    """.split()
)
_TOKEN = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff.+\-]*$")
_NUMBER = re.compile(r"^[\d.%\-+]+$")


def normalise_term(term: str) -> str:
    """A keyword as stored: trimmed, latin letters lower-cased, CJK kept as is.

    >>> normalise_term("  PLC控制 ")
    'plc控制'
    """
    return term.strip().lower()


@cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's inverse document frequencies of general Chinese, and their median."""
    text = files("jieba").joinpath("analyse", "idf.txt").read_text("utf-8")
    idf = {word: float(value) for word, value in (line.split(" ") for line in text.splitlines())}
    return idf, statistics.median(idf.values())


class Segmenter:
    """jieba with a domain dictionary; thread-safe."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        self._lock = threading.Lock()
        self.domain: set[str] = set()
        self.add_terms(terms)

    def add_terms(self, terms: Iterable[str]) -> None:
        """Keep these terms whole when segmenting, and prefer them as keywords."""
        with self._lock:
            for raw in terms:
                term = normalise_term(raw)
                if len(term) >= 2 and term not in self.domain:
                    self.domain.add(term)
                    self._tokenizer.add_word(
                        term, freq=max(2000, self._tokenizer.suggest_freq(term))
                    )

    def tokens(self, text: str) -> list[str]:
        """Content tokens of a text: no punctuation, numbers, single characters or stopwords."""
        with self._lock:
            raw = self._tokenizer.lcut(text.lower(), HMM=True)
        return [
            t
            for t in (w.strip() for w in raw)
            if (len(t) >= 2 or t in self.domain)
            and t not in STOPWORDS
            and _TOKEN.match(t)
            and not _NUMBER.match(t)
        ]

    def keywords(self, text: str, k: int = 8) -> list[tuple[str, float]]:
        """The `k` strongest terms by TF-IDF (domain terms weigh double), weights scaled to 1.

        Ties break by first appearance, so the result is deterministic.
        """
        tokens = self.tokens(text)
        if not tokens:
            return []
        idf, median = _idf()
        counts = Counter(tokens)
        first = {t: i for i, t in reversed(list(enumerate(tokens)))}
        scores = {
            t: n * idf.get(t, median) * (2.0 if t in self.domain else 1.0)
            for t, n in counts.items()
        }
        ranked = sorted(scores, key=lambda t: (-scores[t], first[t]))[:k]
        top = scores[ranked[0]]
        weighted = ((t, round(scores[t] / top, 4)) for t in ranked)
        return [(t, w) for t, w in weighted if w > 0]  # a long text's faintest terms round to 0
