"""Small previews of screenshots for the review grid, rendered once and kept on disk."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from PIL import Image

WIDTH, HEIGHT = 320, 240


def top_preview(image: Image.Image, *, width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """The top of a screenshot (the part a person sees first), shrunk to at most ``width`` x ``height``."""
    top = image.crop((0, 0, image.width, min(image.height, image.width * height // width)))
    top.thumbnail((width, height))
    return top


def thumbnail_of(screenshot: Path, *, sha256: str, cache_dir: Path) -> Path:
    """A JPEG of the top of ``screenshot`` (the part a person sees first), at most WIDTH x HEIGHT.

    Cached under ``cache_dir`` by the screenshot's path and hash, so a changed file gets a new thumbnail.
    """
    name = hashlib.sha256(f"{screenshot}\x1f{sha256}\x1f{WIDTH}x{HEIGHT}".encode()).hexdigest()
    out = cache_dir / f"{name}.jpg"
    if out.is_file():
        return out
    cache_dir.mkdir(parents=True, exist_ok=True)
    with Image.open(screenshot) as image:
        preview = top_preview(image).convert("RGB")
        partial = out.with_name(f".{out.name}.{uuid.uuid4().hex}")
        preview.save(partial, format="JPEG", quality=80)
    os.replace(partial, out)  # atomic: concurrent requests never serve a half-written file
    return out
