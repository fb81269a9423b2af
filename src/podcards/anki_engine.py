"""Cards rendered by Anki itself: packages imported into a throwaway collection, each card's
``render_output()``. Only when the ``anki`` package is installed; the only module that
imports it."""

from __future__ import annotations

import tempfile
from pathlib import Path

Rendered = dict[tuple[str, int], tuple[str, str]]
"""(note GUID, card ordinal) -> (question HTML, answer HTML), as Anki shows them."""


def available() -> bool:
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        return False
    return True


def render_packages(packages: list[bytes]) -> Rendered:
    """Import the packages as a learner would (default options) and render every card."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition

    if_newer = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    options = ImportAnkiPackageOptions(
        merge_notetypes=False,
        update_notes=if_newer,
        update_notetypes=if_newer,
        with_scheduling=False,
        with_deck_configs=False,
    )
    rendered: Rendered = {}
    with tempfile.TemporaryDirectory(prefix="podcards-preview-") as folder:
        collection = Collection(str(Path(folder) / "collection.anki2"))
        try:
            for number, data in enumerate(packages):
                package = Path(folder) / f"{number}.apkg"
                package.write_bytes(data)
                collection.import_anki_package(
                    ImportAnkiPackageRequest(package_path=str(package), options=options)
                )
            for card_id in collection.find_cards(""):
                card = collection.get_card(card_id)
                output = card.render_output()
                guid = str(card.note().guid)
                rendered[(guid, card.ord)] = (output.question_text, output.answer_text)
        finally:
            collection.close()
    return rendered
