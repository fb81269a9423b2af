"""The preview in a real browser: headless Chromium opens the pages from the file system,
every shipped card is there, and night mode takes effect (read from a screenshot's pixels).

Skipped, with the reason, where no Chromium is installed (`.ci/run` installs Debian's
`chromium`). Set PODCARDS_SCREENSHOTS to a folder to keep the screenshot.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from podcards.build import plan
from podcards.preview import ordinals

from conftest import SHIPPED_DECKS, Project
from preview_pages import page_cards, words

NIGHT_BACKGROUND = (0x1C, 0x1C, 0x1E)  # .card.nightMode in the note types' style.css
LIGHT_BACKGROUND = (0xFF, 0xFF, 0xFF)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    pytest.skip("no Chromium to open the preview in: apt-get install chromium (.ci/run does)")


def browse(tmp_path: Path, url: str, *options: str) -> subprocess.CompletedProcess[bytes]:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *options,
        url,
    ]
    return subprocess.run(command, capture_output=True, timeout=120, check=True)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, "an unexpected PNG"
    size = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * size
    rows: list[bytes] = []
    previous = bytearray(stride)
    for row in range(height):
        kind, line = (
            raw[row * (stride + 1)],
            bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up, corner = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                nearest = min(
                    (abs(p - left), 0, left), (abs(p - up), 1, up), (abs(p - corner), 2, corner)
                )
                line[i] = (line[i] + nearest[2]) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [b"".join(r[i : i + 3] for i in range(0, len(r), size)) for r in rows]


def share_of(color: tuple[int, int, int], rows: list[bytes]) -> float:
    target = bytes(color)
    pixels = [row[i : i + 3] for row in rows for i in range(0, len(row), 3)]
    return sum(1 for pixel in pixels if pixel == target) / len(pixels)


def test_every_shipped_card_shows_in_chromium_and_night_mode_applies(
    project: Project, tmp_path: Path
) -> None:
    result = project.run("preview", str(SHIPPED_DECKS), "-o", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    planned = plan([SHIPPED_DECKS])
    for deck in planned.decks:
        page = (tmp_path / "site" / f"{deck.id}.html").resolve()
        expected = {
            (note.guid, ordinal)
            for note in planned.release.shipped[deck.id]
            for ordinal in ordinals(note)
        }
        dom = browse(tmp_path, page.as_uri(), "--dump-dom").stdout.decode("utf-8")
        cards = page_cards(dom)
        assert {(card.guid, card.ord) for card in cards} == expected
        assert len(cards) == len(expected)
        for card in cards:
            assert all(words(text) for text in card.sides.values()), card.key

        screenshot = tmp_path / f"{deck.id}.png"
        browse(tmp_path, page.as_uri(), f"--screenshot={screenshot}", "--window-size=1280,1600")
        width, height, rows = png_pixels(screenshot.read_bytes())
        assert (width, height) == (1280, 1600)
        assert share_of(NIGHT_BACKGROUND, rows) > 0.05, "night mode did not apply"
        assert share_of(LIGHT_BACKGROUND, rows) > 0.05
        if keep := os.environ.get("PODCARDS_SCREENSHOTS"):
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(screenshot, Path(keep) / screenshot.name)


def test_the_index_opens_and_links_every_deck(project: Project, tmp_path: Path) -> None:
    assert project.run("preview", str(SHIPPED_DECKS), "-o", str(tmp_path / "site")).exit_code == 0
    index = (tmp_path / "site" / "index.html").resolve()
    dom = browse(tmp_path, index.as_uri(), "--dump-dom").stdout.decode("utf-8")
    for deck in plan([SHIPPED_DECKS]).decks:
        assert f'href="{deck.id}.html"' in dom
        assert (tmp_path / "site" / f"{deck.id}.html").is_file()
