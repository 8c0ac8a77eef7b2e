r"""Row validation against the ontology, with pydantic models built from the declared columns.

One set of rules for files and for mutations: `RowValidator(columns).validate(cells)` returns
the typed values and a list of `(column, reason)` problems.

Examples
--------
>>> from graphsvc.ontology import NODE_FILES
>>> v = RowValidator(NODE_FILES["counties"].columns)
>>> values, problems = v.validate(
...     {"code": " 451121 ", "name": "昭平县", "city_code": "451100", "poverty_county": "是"}
... )
>>> values["code"], values["poverty_county"], problems
('451121', True, [])
>>> for problem in v.validate({"code": "4511", "name": "", "poverty_county": "maybe"})[1]:
...     print(problem)
('code', "must match the pattern ^\\d{6}$, got '4511'")
('name', 'a required value is missing')
('poverty_county', "must be true/false, 1/0, yes/no or 是/否, got 'maybe'")
('city_code', 'a required value is missing')
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from graphsvc.ontology import Prop, PropType

__all__ = ["CHECKS", "FREE_TEXT", "RowValidator", "parse_list", "show", "uscc_check_char"]

# Columns whose text is kept exactly as given (never stripped or normalised).
FREE_TEXT = frozenset({"title", "description"})

_TRUE = frozenset({"true", "1", "yes", "y", "是", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "否", "f"})
_LIST_SPLIT = re.compile(r"[;；]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def parse_list(value: Any) -> list[str]:
    """A `;`/`；` separated cell (or a JSON list) as a list of non-blank, stripped items.

    >>> parse_list(" 碳酸钙；表面改性; ;")
    ['碳酸钙', '表面改性']
    """
    if value is None:
        return []
    items = value if isinstance(value, list) else _LIST_SPLIT.split(str(value))
    return [str(item).strip() for item in items if str(item).strip()]


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100-2015).

    >>> uscc_check_char("91350100M000100Y4")
    '3'
    """
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def _check_uscc(value: str) -> str | None:
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        return f"check character is {value[17]!r}, expected {expected!r}: a mistyped code?"
    return None


CHECKS = {"uscc": _check_uscc}


def show(value: Any, limit: int = 60) -> str:
    """A value for an error message: repr, cut to `limit` characters.

    >>> show("x" * 100, limit=10)
    "'xxxxxxxx…' (100 characters)"
    """
    text = repr(value.strip() if isinstance(value, str) else value)
    if len(text) <= limit:
        return text
    size = f" ({len(value)} characters)" if isinstance(value, str) else ""
    return text[: limit - 1] + "…'" + size


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _strip(value: Any) -> Any:
    value = _blank_to_none(value)
    return value.strip() if isinstance(value, str) else value


def _to_bool(value: Any) -> Any:
    value = _strip(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"must be true/false, 1/0, yes/no or 是/否, got {show(value)}")


def _to_date(value: Any) -> Any:
    value = _strip(value)
    if value is None:
        return None
    text = str(value)
    if not _DATE.match(text):
        raise ValueError(f"must be a date as YYYY-MM-DD, got {show(value)}")
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"is not a real date: {show(value)}") from None


def _to_int(value: Any) -> Any:
    value = _strip(value)
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number, got {show(value)}")
    if isinstance(value, str) and not re.fullmatch(r"[+-]?\d+", value):
        raise ValueError(f"must be a whole number, got {show(value)}")
    return value


def _to_float(value: Any) -> Any:
    value = _strip(value)
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {show(value)}")
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"must be a number, got {show(value)}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"must be a finite number, got {show(value)}")
        return number
    return value


def _to_str(value: Any) -> Any:
    value = _strip(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    raise ValueError(f"must be text, got {type(value).__name__}")


def _free_text(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"must be text, got {type(value).__name__}")
    return value


def _annotation(prop: Prop) -> Any:
    """The pydantic type of a column: converters for the cell conventions, then constraints."""
    bounds: dict[str, Any] = {}
    if prop.minimum is not None:
        bounds["ge"] = prop.minimum
    if prop.maximum is not None:
        bounds["le"] = prop.maximum
    base: Any
    match prop.type:
        case PropType.BOOL:
            base, convert = bool, _to_bool
        case PropType.DATE:
            base, convert = str, _to_date
        case PropType.INT:
            base, convert = Annotated[int, Field(strict=False, **bounds)], _to_int
        case PropType.FLOAT:
            base, convert = Annotated[float, Field(allow_inf_nan=False, **bounds)], _to_float
        case PropType.LIST:
            base, convert = list[str], parse_list
        case PropType.STR:
            base = Literal[prop.choices] if prop.choices else str
            convert = _free_text if prop.name in FREE_TEXT else _to_str
    optional = base if prop.type is PropType.LIST else base | None
    return Annotated[optional, BeforeValidator(convert)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)


def _message(prop: Prop, error: dict[str, Any], value: Any) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    shown = show(value)
    if kind == "literal_error":
        return f"must be one of {', '.join(prop.choices)}, got {shown}"
    if kind in ("greater_than_equal", "less_than_equal"):
        limits = [
            f"at least {prop.minimum:g}" if prop.minimum is not None else "",
            f"at most {prop.maximum:g}" if prop.maximum is not None else "",
        ]
        return f"must be {' and '.join(x for x in limits if x)}, got {shown}"
    if kind.startswith("int_"):
        return f"must be a whole number, got {shown}"
    if kind.startswith("float_"):
        return f"must be a number, got {shown}"
    return f"{error['msg'].lower()}, got {shown}"


class RowValidator:
    """Validates rows of one file (or one mutation input) against its declared columns.

    Building one costs a few milliseconds (a pydantic model): `for_columns` keeps them.
    """

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def for_columns(columns: tuple[Prop, ...]) -> RowValidator:
        """The (shared, stateless) validator of a file's columns."""
        return RowValidator(columns)

    def __init__(self, columns: Sequence[Prop]) -> None:
        self.columns = {p.name: p for p in columns}
        fields: dict[str, Any] = {p.name: (_annotation(p), None) for p in columns}
        self._model: type[BaseModel] = create_model("Row", __base__=_Row, **fields)
        # ASCII: a GB/T code is ASCII digits; \d alone also matches full-width ones (４５…).
        self._patterns = {p.name: re.compile(p.pattern, re.ASCII) for p in columns if p.pattern}

    def validate(self, cells: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Typed values of the declared columns (defaults filled in) and the problems found."""
        problems: list[tuple[str, str]] = []
        try:
            values = self._model.model_validate(cells).model_dump()
        except ValidationError as e:
            bad = set()
            for error in e.errors(include_url=False):
                column = str(error["loc"][0]) if error["loc"] else ""
                if column in bad:
                    continue
                bad.add(column)
                prop = self.columns[column]
                problems.append((column, _message(prop, dict(error), cells.get(column))))
            # Fields are independent: without the bad ones the rest validates.
            good = {k: v for k, v in cells.items() if k not in bad}
            values = self._model.model_validate(good).model_dump()
        for name, prop in self.columns.items():
            value = values.get(name)
            if value is None or value == []:
                if prop.required and not any(c == name for c, _ in problems):
                    problems.append((name, "a required value is missing"))
                elif prop.default is not None:
                    values[name] = (
                        list(prop.default) if isinstance(prop.default, tuple) else (prop.default)
                    )
            elif name in self._patterns and not self._patterns[name].match(str(value)):
                problems.append((name, f"must match the pattern {prop.pattern}, got {show(value)}"))
            elif prop.check and (problem := CHECKS[prop.check](value)):
                problems.append((name, problem))
        order = {name: i for i, name in enumerate(self.columns)}
        problems.sort(key=lambda p: order.get(p[0], len(order)))
        return values, problems
