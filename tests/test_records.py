"""pipeline.records.Record behaves as the frozen dataclass it replaces in the registries."""
from __future__ import annotations

import copy
import dataclasses
import pickle
from functools import cached_property

import pytest

from pipeline import prose, templates
from pipeline.era_a import template as era_a_template
from pipeline.records import Record, factory


class R(Record):
    key: str
    label: str
    aliases: tuple = ()
    extra: dict = factory(dict)


@dataclasses.dataclass(frozen=True)
class D:
    key: str
    label: str
    aliases: tuple = ()
    extra: dict = dataclasses.field(default_factory=dict)


class One(Record):
    only: str


@dataclasses.dataclass(frozen=True)
class DOne:
    only: str


CALLS = [(("a", "b"), {}), (("a",), {"label": "b"}), ((), {"key": "a", "label": "b", "aliases": ("x",)}),
         (("a", "b", ("x", "y")), {"extra": {"k": 1}})]


@pytest.mark.parametrize("args,kw", CALLS)
def test_same_as_dataclass(args, kw):
    r, d = R(*args, **kw), D(*args, **kw)
    assert repr(r) == repr(d).replace("D(", "R(", 1)
    assert [getattr(r, n) for n in R._fields] == [getattr(d, f.name) for f in dataclasses.fields(D)]
    assert vars(r) == vars(d) and list(vars(r)) == list(vars(d))
    assert r == R(*args, **kw) and r != d
    if not kw.get("extra"):
        r2, d2 = R(*args, **kw), D(*args, **kw)
        assert r2.extra is not r.extra and d2.extra is not d.extra      # a fresh default each time


def test_hash_is_the_dataclass_hash():
    assert hash(R("a", "b", ("x",), None)) == hash(D("a", "b", ("x",), None))
    assert hash(One("z")) == hash(DOne("z"))
    with pytest.raises(TypeError):
        hash(R("a", "b"))          # a dict field: unhashable, as with the dataclass
    with pytest.raises(TypeError):
        hash(D("a", "b"))


@pytest.mark.parametrize("bad", [((), {}), (("a", "b", (), {}, 5), {}), (("a",), {"key": "b"}),
                                 (("a", "b"), {"nope": 1})])
def test_bad_arguments_raise_type_error(bad):
    args, kw = bad
    with pytest.raises(TypeError):
        D(*args, **kw)
    with pytest.raises(TypeError):
        R(*args, **kw)


def test_frozen_but_cached_property_works():
    class C(Record):
        n: int

        @cached_property
        def twice(self):
            return self.n * 2

    c = C(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.n = 4
    with pytest.raises(dataclasses.FrozenInstanceError):
        del c.n
    assert c.twice == 6 and c.twice == 6


def test_non_default_after_default_is_refused():
    with pytest.raises(TypeError):
        class Bad(Record):
            a: int = 1
            b: int


def test_pickle_and_copy_round_trip():
    r = One("z")
    hash(r)                                     # kept on the record once computed ...
    got = pickle.loads(pickle.dumps(r))
    assert not hasattr(got, "_hash") and hash(got) == hash(r)   # ... but never sent to another process
    r = R("a", "b", ("x",), {"k": 1})
    for got in (pickle.loads(pickle.dumps(r)), copy.copy(r), copy.deepcopy(r)):
        assert got == r and repr(got) == repr(r)


def test_registries_load_and_compare():
    """The registries built from records: equal when loaded again, rows usable as cache keys."""
    t = templates.load()
    again = {tid: templates._template(templates._raw(), tid, raw)
             for tid, raw in templates._raw()["templates"].items()}
    assert t == again
    row = next(iter(next(iter(t.values())).tables.values())).rows[0]
    assert {row: 1}[templates.Row(**vars(row))] == 1
    assert era_a_template.load() == era_a_template.load.__wrapped__()
    rules = prose.load_rules("prose_checks")
    assert rules == prose.load_rules.__wrapped__("prose_checks")
    assert rules.anchor_scan is rules.anchor_scan
