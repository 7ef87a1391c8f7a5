"""A name -> object registry: a decorator to add, a lookup that suggests the closest name."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from robustsuite.errors import ConfigError, choice

T = TypeVar("T")


class Registry(Generic[T]):
    """Holds named entries of one kind (models, attacks, datasets, claims...)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str | None = None) -> Callable[[T], T]:
        """Decorator: `@REGISTRY.register()` uses the function's name; a duplicate name raises."""

        def add(obj: T) -> T:
            key = name or obj.__name__  # type: ignore[attr-defined]
            self.add(key, obj)
            return obj

        return add

    def add(self, key: str, obj: T) -> None:
        if key in self._entries:
            raise ConfigError(f"{self.kind} {key!r} is registered twice.")
        self._entries[key] = obj

    def get(self, name: str) -> T:
        choice(self.kind, name, self._entries)
        return self._entries[name]

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
