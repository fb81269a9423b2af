"""A release as one CSV or TSV file, with the headers Anki's text import reads.

One row per note: its note type, deck, GUID, tags, then its fields in the note type's order,
as HTML. The GUID column makes Anki update the very notes an .apkg created; the text import
has no "if newer" (it overwrites a learner's own edit) and cannot create note types, so the
.apkg stays the way to share a deck: this is for other tools and spreadsheets.
Standard library and the core only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from podcards.lockfile import LockedNote
from podcards.notetypes import NoteTypes

SEPARATORS = {"csv": (",", "Comma"), "tsv": ("\t", "Tab")}
# then the fields; never the GUID first: Anki skips a line that starts with "#" as a comment
COLUMNS = ("notetype", "deck", "guid", "tags")


def export_text(
    notes: Iterable[LockedNote],
    deck_names: Mapping[str, str],
    notetypes: NoteTypes,
    file_format: str,
) -> str:
    """The file's text: Anki's headers, then a row per note, in the order given."""
    separator, name = SEPARATORS[file_format]
    buffer = io.StringIO()
    buffer.write(f"#separator:{name}\n#html:true\n")
    for number, column in enumerate(COLUMNS, start=1):
        buffer.write(f"#{column} column:{number}\n")
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\n")
    for note in notes:
        writer.writerow(
            [
                notetypes[note.notetype].name,
                deck_names[note.deck_id],
                note.guid,
                " ".join(note.tags),
                *note.fields,
            ]
        )
    return buffer.getvalue()
