"""The seed-file format: read and validate (`read`, no database), load into the database
(`load`), write back out (`write`). README "Importing seed files" states the rules."""

from .load import ImportReport, import_paths, mark_edited, seed_files
from .read import SeedError, SeedRecord, read_seed
from .text import canonical_url, youtube_video_id
from .write import export_articles, seed_mapping, seed_text

__all__ = [
    "ImportReport",
    "SeedError",
    "SeedRecord",
    "canonical_url",
    "export_articles",
    "import_paths",
    "mark_edited",
    "read_seed",
    "seed_files",
    "seed_mapping",
    "seed_text",
    "youtube_video_id",
]
