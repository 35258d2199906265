"""Evidence files: the screenshot (height capped) and the raw portal answer, each with its sha256."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from pathlib import Path

from PIL import Image

from core.checks import EvidenceFile
from core.thumbnails import top_preview

MAX_SCREENSHOT_HEIGHT = 4000


def cap_height(png: bytes, *, max_height: int = MAX_SCREENSHOT_HEIGHT) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        if image.height <= max_height:
            return png
        out = io.BytesIO()
        image.crop((0, 0, image.width, max_height)).save(out, format="PNG")
        return out.getvalue()


THUMBNAIL_SIZE = (400, 300)


def thumbnail(png: bytes) -> bytes:
    """A small PNG of the screenshot's top, for review grids."""
    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        top_preview(image, width=THUMBNAIL_SIZE[0], height=THUMBNAIL_SIZE[1]).save(out, format="PNG")
        return out.getvalue()


def store(root: Path, *, target_id: int, files: dict[str, tuple[bytes, str, str]]) -> tuple[EvidenceFile, ...]:
    """Write ``{kind: (data, suffix, content type)}`` under ``root/<target>/<day>/`` and describe them."""
    folder = root / str(target_id) / dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    folder.mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    stored = []
    for kind, (data, suffix, content_type) in files.items():
        path = folder / f"{stem}-{kind}{suffix}"
        path.write_bytes(data)
        stored.append(EvidenceFile(kind, str(path), content_type, hashlib.sha256(data).hexdigest(), len(data)))
    return tuple(stored)
