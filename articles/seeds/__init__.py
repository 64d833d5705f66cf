"""The seed-file format: read and validate (`read`, no database), load into the database
(`load`), write back out (`write`). DESIGN.md "Seed files" states the rules."""

from .load import ImportReport, import_paths, mark_edited, seed_files
from .read import SeedError, SeedRecord, read_seed
from .text import canonical_url, youtube_video_id

__all__ = [
    "ImportReport",
    "SeedError",
    "SeedRecord",
    "canonical_url",
    "import_paths",
    "mark_edited",
    "read_seed",
    "seed_files",
    "youtube_video_id",
]
