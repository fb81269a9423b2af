"""``--update`` edits the deck file in place: the only module that imports ruamel.yaml.

The existing file and the deck file ingest would write are both read with ruamel.yaml's
round-trip loader. What the update leaves as it was stays the existing file's own node,
with its comments, quotes and folding; what changed is the new text's node; items are
matched by id. The build's loader then reads the result and stays the authority on its
values: ``ingest`` checks that it reads back as the merged deck, else writes it plainly.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

_ANCHORS = re.compile(r"(?:^|\s)[&*][\w-]|<<\s*:")


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, quotes and block styles are kept
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a line the author wrote
    yaml.preserve_quotes = True
    return yaml


def edit_in_place(old_text: str, new_text: str) -> str | None:
    """The existing deck file's text with the values of ``new_text``, its comments kept;
    None where it cannot be done safely (anchors and aliases, a file ruamel cannot read)."""
    if _ANCHORS.search(old_text):
        return None
    yaml = _yaml()
    try:
        old, new = yaml.load(old_text), yaml.load(new_text)
    except YAMLError:
        return None
    if not isinstance(old, CommentedMap) or not isinstance(new, CommentedMap):
        return None
    out = io.StringIO()
    yaml.dump(_merged(old, new), out)
    return out.getvalue()


def _merged(old: Any, new: Any) -> Any:
    if isinstance(old, CommentedMap) and isinstance(new, CommentedMap):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = _merged(old[key], value) if key in old else value
        for key in new:  # the order of the new text: the format's own
            old.move_to_end(key)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, CommentedSeq):
        if not all(isinstance(item, CommentedMap) for item in (*old, *new)):
            return old if list(old) == list(new) else new
        by_id = {item.get("id", item.get("name")): item for item in old}
        items = [
            _merged(by_id.pop(_key(item)), item) if _key(item) in by_id else item for item in new
        ]
        old[:] = items
        return old
    return old if (old == new and type(old) is type(new)) or str(old) == str(new) else new


def _key(item: CommentedMap) -> Any:
    return item.get("id", item.get("name"))
