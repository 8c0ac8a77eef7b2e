"""Full-text search over names, titles, descriptions and keywords, for Chinese and latin text.

An inverted index built from the read-only graph view. Text is segmented by the caller's
`tokenize` (the service's `Segmenter.tokens`, as the loaders use), and every CJK word is also
indexed by its character bigrams, so a query for 碳酸钙 finds 重质碳酸钙 and 纳米碳酸钙, which
the domain dictionary keeps whole. A document's score sums, over the query's terms, the term's
inverse document frequency times the weight of the fields it occurs in (names and titles
weigh most, then keywords, then descriptions); exact word matches count double; the sum is
scaled by the square of the share of the query it covers.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("Demand:D1", key="D1", title="重质碳酸钙 表面改性")
>>> g.add_node("Demand:D2", key="D2", title="汽车 冲压")
>>> g.add_node("Expert:E1", key="E1", name="李明")
>>> g.add_node("Keyword:纳米碳酸钙", key="纳米碳酸钙")
>>> _ = g.add_edge("Expert:E1", "Keyword:纳米碳酸钙", "HAS_SKILL")
>>> index = build_index(g, str.split)
>>> [(h.label, h.key) for h in search(index, "碳酸钙", str.split)]
[('Demand', 'D1'), ('Expert', 'E1')]
>>> [h.key for h in search(index, "李明", str.split)]
['E1']
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import networkx as nx

__all__ = ["FIELDS", "KEYWORD_RELS", "SearchHit", "SearchIndex", "build_index", "search"]

Tokenize = Callable[[str], list[str]]

# What is searchable: label -> (property, weight).
FIELDS: Mapping[str, tuple[tuple[str, float], ...]] = {
    "Enterprise": (("name", 3.0),),
    "Expert": (("name", 3.0), ("title", 0.5)),
    "Institution": (("name", 3.0),),
    "Industry": (("name", 3.0), ("code", 3.0)),
    "Subgroup": (("name", 3.0),),
    "City": (("name", 3.0),),
    "County": (("name", 3.0),),
    "Demand": (("title", 3.0), ("description", 1.0)),
    "Achievement": (("title", 3.0), ("description", 1.0)),
    "Training": (("title", 3.0), ("organizer", 1.0)),
}
# Labels whose keywords (relationships to Keyword nodes) are searchable, and their weight.
KEYWORD_RELS: Mapping[str, tuple[str, float]] = {
    "Expert": ("HAS_SKILL", 2.0),
    "Demand": ("MENTIONS", 2.0),
    "Achievement": ("MENTIONS", 2.0),
}
WORD_BONUS = 2.0  # an exact word match counts this much more than a bigram match
MIN_COVERAGE = 0.3  # documents matching less of the query than this are left out

_CJK = re.compile(r"[\u3400-\u9fff]")


def _grams(word: str) -> list[str]:
    if not _CJK.search(word):
        return []
    if len(word) <= 2:
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def _terms(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        out.append("w:" + w)
        out.extend("g:" + g for g in _grams(w))
    return out


@dataclass(frozen=True)
class SearchHit:
    """One result: the node's label and key, its score, and the query words it matched."""

    label: str
    key: str
    score: float
    matched: tuple[str, ...]


@dataclass(frozen=True)
class SearchIndex:
    """Postings per term: parallel arrays of document numbers and weights."""

    docs: tuple[tuple[str, str], ...]  # (label, key) by document number
    postings: Mapping[str, tuple[array[int], array[float]]]

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term (0 when no document has it)."""
        found = self.postings.get(term)
        if found is None:
            return 0.0
        return math.log(1.0 + len(self.docs) / len(found[0]))


def build_index(g: nx.MultiDiGraph, tokenize: Tokenize) -> SearchIndex:
    """Index every searchable node of the graph.

    Parameters
    ----------
    g : networkx.MultiDiGraph
        The store's read-only view: node ids ``Label:key``, edge keys ``TYPE[|...]``.
    tokenize : callable
        Text to content words, e.g. ``Segmenter.tokens``.

    Returns
    -------
    SearchIndex
    """
    docs: list[tuple[str, str]] = []
    weights: dict[str, dict[int, float]] = defaultdict(dict)
    keyword_terms: dict[str, list[str]] = {}  # a few thousand keywords, on millions of edges
    for nid, attrs in g.nodes(data=True):
        label, _, key = nid.partition(":")
        fields = FIELDS.get(label)
        if fields is None:
            continue
        doc = len(docs)
        docs.append((label, key))
        acc: dict[str, float] = defaultdict(float)
        for prop, weight in fields:
            value = attrs.get(prop)
            if isinstance(value, str) and value:
                for term in _terms(tokenize(value)):
                    acc[term] += weight
        rel = KEYWORD_RELS.get(label)
        if rel is not None:
            rel_type, weight = rel
            for other, edges in g._succ[nid].items():
                if other.startswith("Keyword:") and any(
                    k.partition("|")[0] == rel_type for k in edges
                ):
                    terms = keyword_terms.get(other)
                    if terms is None:
                        terms = keyword_terms[other] = _terms(tokenize(other[len("Keyword:") :]))
                    for term in terms:
                        acc[term] += weight
        for term, w in acc.items():
            weights[term][doc] = 1.0 + math.log(w) if w > 1.0 else w
    postings = {
        term: (array("I", per_doc.keys()), array("f", per_doc.values()))
        for term, per_doc in weights.items()
    }
    return SearchIndex(tuple(docs), postings)


def search(
    index: SearchIndex,
    text: str,
    tokenize: Tokenize,
    *,
    first: int = 10,
    labels: Collection[str] | None = None,
) -> list[SearchHit]:
    """The best `first` matches of `text`, best first (ties by label, then key).

    Parameters
    ----------
    index : SearchIndex
        From `build_index`.
    text : str
        The query, segmented by `tokenize` like the documents.
    first : int
        How many hits to return.
    labels : collection of str, optional
        Only nodes of these labels.
    """
    words = list(dict.fromkeys(tokenize(text)))
    if not words or first <= 0:
        return []
    per_word = {w: ["w:" + w] + ["g:" + g for g in _grams(w)] for w in words}
    idf = {t: index.idf(t) for terms in per_word.values() for t in terms}
    total = sum(idf[t] for terms in per_word.values() for t in terms[1:] or terms)
    if total <= 0:
        return []
    scores: dict[int, float] = defaultdict(float)
    covered: dict[int, float] = defaultdict(float)
    hits_of: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for word, terms in per_word.items():
        has_grams = len(terms) > 1
        for t in terms:
            found = index.postings.get(t)
            if found is None:
                continue
            is_word = t.startswith("w:")
            bonus = WORD_BONUS if is_word else 1.0
            counts = not (is_word and has_grams)  # coverage counts grams, or the bare word
            for doc, weight in zip(*found, strict=True):
                scores[doc] += idf[t] * weight * bonus
                if counts:
                    covered[doc] += idf[t]
                    hits_of[doc][word] += 1
    wanted = None if labels is None else set(labels)
    ranked: list[tuple[float, str, str, int]] = []
    for doc, raw in scores.items():
        label, key = index.docs[doc]
        if wanted is not None and label not in wanted:
            continue
        coverage = min(1.0, covered[doc] / total)
        if coverage < MIN_COVERAGE:
            continue
        ranked.append((raw * coverage * coverage, label, key, doc))
    best = heapq.nsmallest(first, ranked, key=lambda r: (-r[0], r[1], r[2]))
    out = []
    for score, label, key, doc in best:
        matched = tuple(w for w, n in hits_of[doc].items() if n >= max(1, len(per_word[w]) - 1))
        out.append(SearchHit(label, key, round(score, 4), matched))
    return out
