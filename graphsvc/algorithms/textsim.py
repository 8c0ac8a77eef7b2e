"""Text similarity for recommendations: a TF-IDF vector space over CJK character bigrams and
latin words, with sparse cosine look-ups whose cost depends on the query, not the corpus.

Character bigrams are the classic term unit of Chinese retrieval: they need no dictionary,
match 碳酸钙 inside 重质碳酸钙, and cost microseconds per text. (The multilingual sentence
encoder that ships on PyPI was measured and not chosen: see docs/recommendations.md.)

Examples
--------
>>> space = build_text_space({"Achievement": ["纳米碳酸钙表面改性", "甘蔗宿根蔗品种更新"]})
>>> q = space.vector("重质碳酸钙 表面改性 技术")
>>> [(i, round(s, 2)) for i, s in space.similar("Achievement", q, 2)]
[(0, 0.79)]
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["SparseVector", "TextSpace", "build_text_space", "terms"]

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
POSTINGS_KEPT = 1000  # per term and label: bounds a look-up's cost (see `_pruned`)
_WORD = re.compile(r"[a-z0-9][a-z0-9.+\-]*[a-z0-9+]|[a-z]{2,}")

SparseVector = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]


def terms(text: str) -> list[str]:
    """Bigrams of each run of CJK characters (a lone character stays whole), and latin words.

    >>> terms("PLC控制的碳酸钙")
    ['控制', '制的', '的碳', '碳酸', '酸钙', 'plc']
    """
    low = text.lower()
    out: list[str] = []
    for run in _CJK_RUN.findall(low):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    out.extend(w for w in _WORD.findall(low) if not w.isdigit())
    return out


@dataclass(frozen=True, eq=False)
class TextSpace:
    """TF-IDF rows per label (L2-normalised) and their transposes for look-ups."""

    vocabulary: Mapping[str, int]
    idf: npt.NDArray[np.float64]
    rows: Mapping[str, sp.csr_matrix]  # label -> documents x terms
    columns: Mapping[str, sp.csr_matrix]  # label -> terms x documents
    tokenize: Callable[[str], Iterable[str]]

    def vector(self, text: str) -> SparseVector:
        """The normalised TF-IDF vector of a text (terms unknown to the corpus are dropped)."""
        counts = Counter(t for t in self.tokenize(text) if t in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        idx = np.fromiter((self.vocabulary[t] for t in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), np.float64, len(counts))
        val = tf * self.idf[idx]
        norm = float(np.sqrt(val @ val))
        order = np.argsort(idx)
        return idx[order], (val / norm if norm > 0 else val)[order]

    def row(self, label: str, i: int) -> SparseVector:
        """A stored document's vector."""
        m = self.rows[label]
        lo, hi = m.indptr[i], m.indptr[i + 1]
        return m.indices[lo:hi].astype(np.int64), m.data[lo:hi].astype(np.float64)

    def scores(self, label: str, q: SparseVector) -> SparseVector:
        """Cosine similarity of `q` with every document of `label` that shares a term:
        (document positions, similarities), unordered."""
        cols = self.columns.get(label)
        idx, val = q
        if cols is None or len(idx) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        starts, ends = cols.indptr[idx], cols.indptr[idx + 1]
        lens = ends - starts
        total = int(lens.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        gather = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
        docs = cols.indices[gather]
        contrib = cols.data[gather] * np.repeat(val, lens)
        uniq, inv = np.unique(docs, return_inverse=True)
        return uniq.astype(np.int64), np.bincount(inv, weights=contrib).astype(np.float64)

    def similar(self, label: str, q: SparseVector, k: int) -> list[tuple[int, float]]:
        """The `k` most similar documents of `label`, best first (ties by position)."""
        docs, sims = self.scores(label, q)
        if len(docs) == 0:
            return []
        order = np.lexsort((docs, -sims))[:k]
        return [(int(docs[i]), float(sims[i])) for i in order if sims[i] > 0]


def build_text_space(
    texts: Mapping[str, Sequence[str]],
    *,
    tokenize: Callable[[str], Iterable[str]] | None = None,
    postings_kept: int = POSTINGS_KEPT,
) -> TextSpace:
    """A TF-IDF space over all the texts given (one vocabulary and IDF for every label).

    Parameters
    ----------
    texts : mapping
        Label -> the texts of its nodes, in table order.
    tokenize : callable, optional
        Text to terms; default `terms`.
    postings_kept : int
        Documents kept per term for look-ups (`_pruned`); the stored rows keep every term.
    """
    tok = tokenize or terms
    vocabulary: dict[str, int] = {}
    per_label: dict[str, tuple[array[int], array[int], array[float]]] = {}
    df: list[int] = []
    n_docs = 0
    for label, docs in texts.items():
        rows, cols, vals = array("q"), array("q"), array("d")  # 8 bytes a posting
        for i, text in enumerate(docs):
            counts = Counter(tok(text))
            for term, c in counts.items():
                j = vocabulary.get(term)
                if j is None:
                    j = vocabulary[term] = len(df)
                    df.append(0)
                df[j] += 1
                rows.append(i)
                cols.append(j)
                vals.append(1.0 + math.log(c))
        n_docs += len(docs)
        per_label[label] = (rows, cols, vals)
    idf = np.log1p(max(n_docs, 1) / np.maximum(np.asarray(df, dtype=np.float64), 1.0))
    matrices: dict[str, sp.csr_matrix] = {}
    transposed: dict[str, sp.csr_matrix] = {}
    for label, (rows, cols, vals) in per_label.items():
        r_idx = np.asarray(rows, dtype=np.int64)
        c_idx = np.asarray(cols, dtype=np.int64)
        v = np.asarray(vals, dtype=np.float64) * (idf[c_idx] if len(c_idx) else 0.0)
        shape = (len(texts[label]), len(df))
        m = sp.csr_matrix((v, (r_idx, c_idx)), shape=shape, dtype=np.float64)
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        m = sp.csr_matrix(sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ m)
        m.sort_indices()
        matrices[label] = m
        transposed[label] = _pruned(m.T.tocsr(), postings_kept)
    return TextSpace(vocabulary, idf, matrices, transposed, tok)


def _pruned(postings: sp.csr_matrix, kept: int) -> sp.csr_matrix:
    """Each term's `kept` heaviest postings (static index pruning): a look-up then costs at
    most `kept` per query term, however large the corpus. Only terms in more than `kept`
    documents lose any, and only documents where they weigh least, which a cosine barely
    notices.

    >>> m = sp.csr_matrix(np.array([[0.1, 0.5, 0.3, 0.0], [0.0, 0.2, 0.0, 0.0]]))
    >>> _pruned(m, 2).toarray().tolist()
    [[0.0, 0.5, 0.3, 0.0], [0.0, 0.2, 0.0, 0.0]]
    """
    lens = np.diff(postings.indptr)
    long = np.flatnonzero(lens > kept)
    if len(long):
        keep = np.ones(len(postings.data), dtype=np.bool_)
        for row in long.tolist():
            lo, hi = postings.indptr[row], postings.indptr[row + 1]
            light = np.argpartition(-postings.data[lo:hi], kept)[kept:]
            keep[lo + light] = False
        postings.data[~keep] = 0.0
        postings.eliminate_zeros()
    postings.sort_indices()
    return postings
