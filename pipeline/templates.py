"""The template registry: the report templates, loaded from data/templates.toml.

Everything template-specific lives in the TOML file: tables and how each is read, row and
column labels, stable keys, identities, named row sets (`@results`), variants (a column some
reports add, sub-rows some reports print as one row), plausibility rules, the facts run-together
recovery and displaced-number placement rely on. Code asks this registry instead of branching
on a template id; a new template is a new section of the data file.

API: `load()` → {id: Template}; `get(id)`; `Template.tables` (in reading order), `.expand(names)`
(row names with `@set`s expanded, the one place that does it), `.identities`,
`.plausibility`, `.merged_rows`; `TableSpec.reading`, `.heading`, `.recovery`, `.displaced`,
`.row(key)` (also rows only a merged-row variant prints), `.row_columns(row)`;
`recovery_facts()` for the template-independent recovery data.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from .datafiles import load_toml
from .records import Record, factory

TABLES = ("active", "requests", "appeals")   # the tables of the national templates, in output order
READINGS = ("any_order", "in_order", "side_by_side")


class Column(Record):
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    kind: str = "count"          # count | signed | money
    variant: bool = False        # only in a variant layout (法人或其他组织 subtotal)
    positions: tuple[int, ...] = ()   # variant: where it may stand among a row's cells


class Row(Record):
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    group: str = ""
    cols: tuple[str, ...] = ()


class Heading(Record):
    """A line is the table's heading when its label key holds every word of `all` and one of `any`;
    only a line printing one of the characters `quick` (as printed) can be (a cheap first test)."""
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()


class RecoveryRule(Record):
    mode: str = ""               # "rows" | "one_row" | "" (not recovered)
    max_width: int = 6           # digits in one count cell
    min_rows: int = 1
    after: str = ""              # one_row: the column label the digit run follows


class DisplacedRule(Record):
    row_identity: str
    column_identities: tuple[str, ...]


class MergedRows(Record):
    """Sub-rows a report may print as one row (`row`, a row of another template's layout)."""
    table: str
    rows: tuple[str, ...]
    row: Row
    note: str


class Plausibility(Record):
    id: str
    table: str
    rule: str                    # ordered | nonnegative_sum | in_10k_yuan
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    expression: str
    message: str = ""


class TableSpec(Record):
    key: str
    title: str
    columns: dict[str, Column]
    rows: tuple[Row, ...]
    reading: str = "in_order"
    heading: Optional[Heading] = None
    recovery: RecoveryRule = RecoveryRule()
    displaced: Optional[DisplacedRule] = None
    extra_rows: tuple[Row, ...] = ()          # rows only a merged-row variant prints

    def row(self, key: str) -> Row:
        return next(r for r in (*self.rows, *self.extra_rows) if r.key == key)

    def row_columns(self, row: Row, variant: bool = False) -> list[Column]:
        keys = row.cols or [k for k, c in self.columns.items() if variant or not c.variant]
        return [self.columns[k] for k in keys]

    def variant_columns(self) -> list[Column]:
        return [c for c in self.columns.values() if c.variant]


class Identity(Record):
    id: str
    name: str
    table: str
    over: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


class Template(Record):
    id: str
    name: str
    signature: tuple[str, ...]
    tables: dict[str, TableSpec] = factory(dict)
    identities: tuple[Identity, ...] = ()
    row_sets: dict[str, tuple[str, ...]] = factory(dict)
    merged_rows: tuple[MergedRows, ...] = ()
    plausibility: tuple[Plausibility, ...] = ()

    def expand(self, names: tuple[str, ...], merged: tuple[MergedRows, ...] = ()) -> list[str]:
        """Row names with every `@set` replaced by its rows; sub-rows of a `merged` variant the
        report printed as one row are replaced, in place, by that row."""
        out: list[str] = []
        for n in names:
            out += self.row_sets[n[1:]] if n.startswith("@") else [n]
        for m in merged:
            k = next((i for i, r in enumerate(out) if r in m.rows), None)
            if k is not None:
                out = out[:k] + [m.row.key] + [r for r in out[k:] if r not in m.rows]
        return out

    def result_rows(self) -> list[str]:
        """Rows of 三、本年度办理结果 that add up to （七）总计."""
        return self.expand(("@results",))

    def identity(self, check_id: str) -> Identity:
        return next(i for i in self.identities if i.id == check_id)

    def all_keys(self) -> list[tuple[str, str, str]]:
        """Every (table, row_key, col_key) the standard layout prints."""
        out = []
        for t, spec in self.tables.items():
            for r in spec.rows:
                out += [(t, r.key, c.key) for c in spec.row_columns(r)]
        return out


class RecoveryFacts(Record):
    """Template-independent data of run-together recovery."""
    signal_labels: tuple[str, ...]
    prose: tuple[tuple[str, str, str], ...]      # (row key, column key, pattern)


# ---------------------------------------------------------------- loading
def _columns(d: dict) -> dict[str, Column]:
    return {k: Column(key=k, label=v["label"], aliases=tuple(v.get("aliases", ())),
                      kind=v.get("kind", "count"), variant=v.get("variant", False),
                      positions=tuple(v.get("positions", ())))
            for k, v in d.items()}


def _row(r: dict) -> Row:
    return Row(key=r["key"], label=r["label"], aliases=tuple(r.get("aliases", ())),
               group=r.get("group", ""), cols=tuple(r.get("cols", ())))


def _for(template_id: str, item: dict) -> bool:
    """A shared row restricted by `only` (a template id or a list of them) to some templates."""
    only = item.get("only", template_id)
    return template_id in ([only] if isinstance(only, str) else only)


def _rows(items: list[dict], template_id: str) -> tuple[Row, ...]:
    return tuple(_row(r) for r in items if _for(template_id, r))


def _table(raw: dict, t: dict, tkey: str, tid: str, merged: list[dict]) -> TableSpec:
    meta = raw["tables"][tkey]
    cols = _columns(t["columns"][tkey]) if tkey in t.get("columns", {}) else _columns(raw["columns"][tkey])
    row_items = t["rows"][tkey] if tkey in t.get("rows", {}) else raw["rows"][tkey]
    extra = tuple(_row(r) for m in merged if m["table"] == tkey for r in row_items if r["key"] == m["as"])
    heading = Heading(**{k: tuple(v) for k, v in meta["heading"].items()}) if "heading" in meta else None
    disp = meta.get("displaced")
    spec = TableSpec(key=tkey, title=meta["title"], columns=cols, rows=_rows(row_items, tid),
                     reading=meta.get("reading", "in_order"), heading=heading,
                     recovery=RecoveryRule(**meta.get("recovery", {})),
                     displaced=DisplacedRule(disp["row_identity"], tuple(disp["column_identities"])) if disp else None,
                     extra_rows=extra)
    if spec.reading not in READINGS:
        raise ValueError(f"template {tid}, table {tkey}: unknown reading {spec.reading!r}")
    return spec


def _template(raw: dict, tid: str, t: dict) -> Template:
    merged = t.get("merged_rows", [])
    tables = {k: _table(raw, t, k, tid, merged) for k in t.get("tables", list(raw["tables"]))}
    idents = tuple(Identity(id=i["id"], name=i["name"], table=i["table"], over=i["over"],
                            lhs=tuple(i["lhs"]), rhs=tuple(i["rhs"]))
                   for i in raw["identities"] if i["table"] in tables)
    row_sets = {}
    for name, s in raw.get("row_sets", {}).items():
        if s["table"] in tables:
            keys = [r.key for r in tables[s["table"]].rows]
            row_sets[name] = tuple(keys[keys.index(s["first"]):keys.index(s["until"])])
    return Template(
        id=tid, name=t["name"], signature=tuple(t["signature"]), tables=tables, identities=idents,
        row_sets=row_sets,
        merged_rows=tuple(MergedRows(m["table"], tuple(m["rows"]), tables[m["table"]].row(m["as"]), m["note"])
                          for m in merged),
        plausibility=tuple(Plausibility(p["id"], p["table"], p["rule"], tuple(p["rows"]), tuple(p["cols"]),
                                        p["expression"], p.get("message", "")) for p in t.get("plausibility", ())))


@lru_cache(maxsize=None)
def _raw() -> dict:
    return load_toml("templates")


@lru_cache(maxsize=None)
def load() -> dict[str, Template]:
    """All templates by id, in the order of the data file."""
    raw = _raw()
    return {tid: _template(raw, tid, t) for tid, t in raw["templates"].items()}


def get(template_id: str) -> Template:
    return load()[template_id]


@lru_cache(maxsize=None)
def recovery_facts() -> RecoveryFacts:
    r = _raw().get("recovery", {})
    return RecoveryFacts(tuple(r.get("signal_labels", ())),
                         tuple((p["row"], p["col"], p["pattern"]) for p in r.get("prose", ())))
