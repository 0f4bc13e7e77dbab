"""Within one validation, compute once what GX 1.x recomputes on every use.

Validating a small upload is mostly GX's Python, and most of that rebuilt the same values:

- ``Expectation.configuration``: the graph builder reads it about 70 times per expectation
  (``_get_domain_kwargs`` alone once per domain key), and each read serialises the pydantic
  model again. Here the first read of an expectation instance is kept for the rest of the block.
- ``IDDict.to_id``: each of the ~35 metric configurations built per expectation hashes its
  domain and value kwargs through ``convert_to_json_serializable``, which walks its whole chain
  of type checks (numpy's among them) for every ``None``. When every value is a plain scalar
  (str, int, float, bool, None) the id depends on those values alone, so it is kept by content.

Both hold only inside :func:`reused_within_validation`; outside it, GX behaves as shipped.

Why this is safe: within a validation, GX never changes an expectation instance, and where it
changes a configuration it deep-copies it first (``Expectation.validate_``) or works on the
suite's configurations, which are read once each, before the graph is built. An id is a pure
function of the kwargs it is kept under. The kept values are dropped when the block ends.
``tests/test_quality.py`` checks that validations with and without the reuse agree.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_state = threading.local()
_install_lock = threading.Lock()
_installed: bool | None = None
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _kept() -> dict[Any, Any] | None:
    return getattr(_state, "kept", None)


def _wrap_configuration() -> bool:
    from great_expectations.expectations.expectation import Expectation

    shipped = Expectation.__dict__.get("configuration")
    if not isinstance(shipped, property) or shipped.fget is None:
        return False
    compute = shipped.fget

    def configuration(self: Any) -> Any:
        kept = _kept()
        if kept is None:
            return compute(self)
        key = ("configuration", id(self))
        entry = kept.get(key)
        if entry is None or entry[0] is not self:
            # the instance is kept with its value, so its id cannot be reused meanwhile
            entry = kept[key] = (self, compute(self))
        return entry[1]

    Expectation.configuration = property(configuration, doc=shipped.__doc__)  # type: ignore[method-assign,assignment]
    return True


def _wrap_to_id() -> bool:
    from great_expectations.core.id_dict import IDDict

    compute = IDDict.__dict__.get("to_id")
    if not callable(compute):
        return False

    def to_id(self: Any, id_keys: Any = None, id_ignore_keys: Any = None) -> Any:
        kept = _kept()
        if kept is None or id_keys is not None or id_ignore_keys is not None:
            return compute(self, id_keys, id_ignore_keys)
        if not all(type(k) is str and type(v) in _SCALARS for k, v in self.items()):
            return compute(self)
        items = sorted(self.items())
        key = ("to_id", type(self), *((name, type(value), value) for name, value in items))
        found = kept.get(key)
        if found is None:
            found = kept[key] = compute(self)
        return found

    IDDict.to_id = to_id  # type: ignore[method-assign]
    return True


def _install() -> bool:
    """Wrap GX's two hot spots once per process; False if this GX has neither."""
    global _installed
    with _install_lock:
        if _installed is None:
            _installed = _wrap_configuration() | _wrap_to_id()  # both tried
        return _installed


@contextlib.contextmanager
def reused_within_validation(enabled: bool = True) -> Iterator[None]:
    """Within the block (in this thread), GX builds each configuration and id once."""
    if not enabled or not _install() or _kept() is not None:
        yield  # off, not possible, or already inside an outer block
        return
    _state.kept = {}
    try:
        yield
    finally:
        _state.kept = None
