"""The one clock of a release: ``SOURCE_DATE_EPOCH`` when set, for reproducible builds."""

from __future__ import annotations

import os
import time

from podcards.errors import UsageError

LATEST_TIME = 32_503_680_000  # the year 3000


def release_time() -> int:
    """``SOURCE_DATE_EPOCH`` when set, the clock otherwise; whole seconds."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return int(time.time())
    text = value.strip()
    # ASCII digits only: "²" is a digit to str.isdigit() but not to int()
    if not (text.isascii() and text.isdigit() and len(text) <= 12) or int(text) > LATEST_TIME:
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970 (before the year 3000), "
            f"not {value[:40]!r}"
        )
    return int(text)


def day(seconds: int) -> str:
    """The date of a release time, as a learner reads it: ``2025-10-09`` (UTC)."""
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))
