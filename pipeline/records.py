"""Frozen value records for the registries: what `@dataclass(frozen=True)` gives them (the fields'
`__init__` with defaults, repr, equality, hash, immutability), without compiling code per class.

Why: a dataclass generates and compiles six methods per class at import, 1–2 ms a class, and
every parser process pays it for some twenty registry classes. Their instances are made a few
hundred times per process at most, so generic methods cost far less than compiling them.

Usage: `class Row(Record): key: str; label: str = ""`; a mutable default is `factory(dict)`.
Behaves as the frozen dataclass would: positional or keyword arguments in field order,
`repr` `Row(key='a', label='')`, equal only to the same class with equal fields, hash of the
fields' tuple, assignment raising `dataclasses.FrozenInstanceError`; `functools.cached_property`
works (it writes the instance dict directly). tests/test_records.py compares it with dataclasses.
"""
from __future__ import annotations

from dataclasses import FrozenInstanceError
from operator import attrgetter

_MISSING = object()


class factory:
    """A default made afresh for each instance (`dataclasses.field(default_factory=...)`)."""
    __slots__ = ("make",)

    def __init__(self, make):
        self.make = make


class Record:
    """Base of frozen records; the fields are the class's own annotations, in order."""
    __slots__ = ("_hash", "__dict__")     # the hash, kept once computed (the record is frozen)
    _fields: tuple[str, ...] = ()
    _defaults: dict = {}

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        names = tuple(cls.__dict__.get("__annotations__", {}))
        defaults = {}
        for n in names:
            if n in cls.__dict__:
                defaults[n] = cls.__dict__[n]
                if isinstance(defaults[n], factory):
                    delattr(cls, n)
            elif defaults:
                raise TypeError(f"non-default argument {n!r} follows default argument")
        cls._fields, cls._defaults, cls.__match_args__ = names, defaults, names
        get = attrgetter(*names) if names else (lambda self: ())
        cls._values = staticmethod(get if len(names) != 1 else (lambda self: (get(self),)))

    def __init__(self, *args, **kw):
        cls = type(self)
        names = cls._fields
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}.__init__() takes {len(names) + 1} positional arguments "
                            f"but {len(args) + 1} were given")
        given = dict(zip(names, args))
        for n, v in kw.items():
            if n not in cls._defaults and n not in names:
                raise TypeError(f"{cls.__name__}.__init__() got an unexpected keyword argument {n!r}")
            if n in given:
                raise TypeError(f"{cls.__name__}.__init__() got multiple values for argument {n!r}")
            given[n] = v
        d = self.__dict__
        for n in names:
            v = given.get(n, _MISSING)
            if v is _MISSING:
                v = cls._defaults.get(n, _MISSING)
                if v is _MISSING:
                    raise TypeError(f"{cls.__name__}.__init__() missing 1 required positional argument: {n!r}")
                if isinstance(v, factory):
                    v = v.make()
            d[n] = v

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._values(self) == other._values(other)
        return NotImplemented

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:
            h = hash(self._values(self))
            object.__setattr__(self, "_hash", h)
            return h

    def __getstate__(self):
        return self.__dict__     # not the kept hash: another process hashes strings differently

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")
