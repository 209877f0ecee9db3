"""The template registry: the 2019 and 2021 report templates, loaded from data/templates.toml.

Everything template-specific (tables, row and column labels, stable keys, identities) lives in
the TOML file; code asks this registry instead of branching on the template.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

TABLES = ("active", "requests", "appeals")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    kind: str = "count"          # count | signed | money
    variant: bool = False        # only in the variant layout (法人或其他组织 subtotal)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    group: str = ""
    cols: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    heading_keywords: tuple[str, ...]
    columns: dict[str, Column]
    rows: tuple[Row, ...]

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def row_columns(self, row: Row, variant: bool = False) -> list[Column]:
        keys = row.cols or [k for k, c in self.columns.items() if variant or not c.variant]
        return [self.columns[k] for k in keys]


@dataclass(frozen=True)
class Identity:
    id: str
    name: str
    table: str
    over: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    signature: tuple[str, ...]
    tables: dict[str, TableSpec] = field(default_factory=dict)
    identities: tuple[Identity, ...] = ()

    def result_rows(self) -> list[str]:
        """Rows of 三、本年度办理结果 that add up to （七）总计."""
        keys = [r.key for r in self.tables["requests"].rows]
        return keys[keys.index("granted"):keys.index("total_processed")]

    def all_keys(self) -> list[tuple[str, str, str]]:
        """Every (table, row_key, col_key) the standard layout prints."""
        out = []
        for t in TABLES:
            spec = self.tables[t]
            for r in spec.rows:
                out += [(t, r.key, c.key) for c in spec.row_columns(r)]
        return out


def _columns(d: dict) -> dict[str, Column]:
    return {k: Column(key=k, label=v["label"], aliases=tuple(v.get("aliases", ())),
                      kind=v.get("kind", "count"), variant=v.get("variant", False))
            for k, v in d.items()}


def _rows(items: list[dict], template_id: str) -> tuple[Row, ...]:
    return tuple(Row(key=r["key"], label=r["label"], aliases=tuple(r.get("aliases", ())),
                     group=r.get("group", ""), cols=tuple(r.get("cols", ())))
                 for r in items if r.get("only", template_id) == template_id)


@lru_cache(maxsize=None)
def load() -> dict[str, Template]:
    """All templates by id ("2019", "2021")."""
    raw = tomllib.loads(resources.files("pipeline").joinpath("data/templates.toml").read_text("utf-8"))
    out = {}
    for tid, t in raw["templates"].items():
        tables = {}
        for tkey in TABLES:
            meta = raw["tables"][tkey]
            cols = _columns(t["columns"][tkey]) if tkey in t.get("columns", {}) else _columns(raw["columns"][tkey])
            rows = _rows(t["rows"][tkey], tid) if tkey in t.get("rows", {}) else _rows(raw["rows"][tkey], tid)
            tables[tkey] = TableSpec(key=tkey, title=meta["title"],
                                     heading_keywords=tuple(meta["heading_keywords"]),
                                     columns=cols, rows=rows)
        idents = tuple(Identity(id=i["id"], name=i["name"], table=i["table"], over=i["over"],
                                lhs=tuple(i["lhs"]), rhs=tuple(i["rhs"])) for i in raw["identities"])
        out[tid] = Template(id=tid, name=t["name"], signature=tuple(t["signature"]),
                            tables=tables, identities=idents)
    return out


def get(template_id: str) -> Template:
    return load()[template_id]
