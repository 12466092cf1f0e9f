"""Frozen, slotted dataclasses that construct as fast as mutable ones.

``@dataclass(frozen=True)`` makes ``__init__`` set every field through
``object.__setattr__`` (looked up on each call, to get past the frozen
``__setattr__``): building a five-entitlement code's claims, its quote and the
objects between them costs about 1 µs per object, a tenth of the counter's
whole verify-and-quote overhead. :func:`fast_init` replaces that ``__init__``
with one that sets each slot through its descriptor, bound once: the same
signature, defaults, default factories and ``__post_init__``, the same frozen
object afterwards (``__setattr__``, ``__eq__``, ``__hash__`` and
``dataclasses.replace`` are untouched). mypy keeps checking calls against the
dataclass's own signature, since the decorator returns the class it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from types import FunctionType
from typing import TypeVar

T = TypeVar("T")

_FACTORY = object()  # the default of a field that has a default factory


def fast_init(cls: type[T]) -> type[T]:
    """Give the frozen, slotted dataclass ``cls`` an ``__init__`` without
    ``object.__setattr__``; apply it above ``@dataclass(frozen=True, slots=True)``."""
    if not is_dataclass(cls) or not cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__} is not a frozen dataclass")
    env: dict[str, object] = {"_FACTORY": _FACTORY}
    params: list[str] = []
    body: list[str] = []
    for f in fields(cls):
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: only plain positional fields")
        descriptor = cls.__dict__.get(f.name)
        setter: Callable[[object, object], None] | None = getattr(descriptor, "__set__", None)
        if setter is None:
            raise TypeError(f"{cls.__name__} has no slot for {f.name} (slots=True?)")
        env[f"_set_{f.name}"] = setter
        value = f.name
        if f.default is not MISSING:
            env[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            env[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            value = f"_factory_{f.name}() if {f.name} is _FACTORY else {f.name}"
        else:
            params.append(f.name)
        body.append(f"_set_{f.name}(self, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])
    exec(source, env)
    init = env["__init__"]
    assert isinstance(init, FunctionType)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 - mypy keeps the dataclass signature
    return cls


__all__ = ["fast_init"]
