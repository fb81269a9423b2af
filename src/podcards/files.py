"""Writing outputs whole or not at all: temporaries beside their targets, then renames."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from podcards.errors import Location, PodcardsError, Problem


def write_together(outputs: list[tuple[Path, bytes]]) -> None:
    """Write every file to a temporary beside it, then move them all into place.

    Nothing is replaced until every file is fully written, and no temporary file is left
    behind, even on Ctrl-C. A file system error becomes a message naming the file.
    """
    pending: list[tuple[Path, Path]] = []
    current = Path()
    try:
        for current, data in outputs:
            current.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(
                dir=current.parent, prefix=f".{current.name}.", suffix=".tmp"
            )
            pending.append((Path(name), current))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(name, 0o644)  # mkstemp gives 0600; outputs are for sharing
        for temporary, current in pending:
            os.replace(temporary, current)
    except OSError as error:
        reason = error.strerror or str(error)
        raise PodcardsError([Problem(Location.of(current), f"cannot write: {reason}")]) from error
    finally:
        for temporary, _ in pending:
            temporary.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    write_together([(path, text.encode("utf-8"))])
