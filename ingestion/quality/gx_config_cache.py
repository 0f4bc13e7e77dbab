"""Reuse `Expectation.configuration` within one validation (GX 1.x rebuilds it on every read).

GX's graph builder reads ``expectation.configuration`` about 70 times per expectation and
validation (``_get_domain_kwargs`` alone rebuilds it once per domain key), and each read
serialises the pydantic model again. That was half the Python time of validating a small
upload. Inside :func:`reused_configurations`, the first read of an expectation instance is kept
and handed out again for the rest of the block; outside it, GX behaves as shipped.

Why this is safe: within a validation, GX never changes an expectation instance, and where it
changes a configuration it deep-copies it first (``Expectation.validate_``) or works on the
suite's configurations, which are read once each, before the graph is built. The kept values
are dropped when the block ends, so nothing carries over to the next validation.
``tests/test_quality.py`` checks that validations with and without the reuse agree.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_state = threading.local()
_install_lock = threading.Lock()
_original: property | None = None


def _install() -> bool:
    """Wrap the property once per process; False if this GX has no such property."""
    global _original
    from great_expectations.expectations.expectation import Expectation

    with _install_lock:
        if _original is not None:
            return True
        shipped = Expectation.__dict__.get("configuration")
        if not isinstance(shipped, property) or shipped.fget is None:
            return False  # a GX without the property: nothing to reuse
        compute = shipped.fget

        def configuration(self: Any) -> Any:
            kept: dict[int, tuple[Any, Any]] | None = getattr(_state, "kept", None)
            if kept is None:
                return compute(self)
            entry = kept.get(id(self))
            if entry is None or entry[0] is not self:
                # the instance is kept with its value, so its id cannot be reused meanwhile
                entry = (self, compute(self))
                kept[id(self)] = entry
            return entry[1]

        Expectation.configuration = property(configuration, doc=shipped.__doc__)  # type: ignore[method-assign,assignment]
        _original = shipped
        return True


@contextlib.contextmanager
def reused_configurations(enabled: bool = True) -> Iterator[None]:
    """Within the block (in this thread), each expectation's configuration is built once."""
    if not enabled or not _install() or getattr(_state, "kept", None) is not None:
        yield  # off, not possible, or already inside an outer block
        return
    _state.kept = {}
    try:
        yield
    finally:
        _state.kept = None
