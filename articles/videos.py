"""YouTube videos, built only from a validated video id (never from the seed file's HTML)."""

import re

# YouTube video ids are 11 characters of the URL-safe base64 alphabet.
VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")


def valid_video_id(video_id: str) -> str:
    """`video_id` when it has the shape of a YouTube id, else ""."""
    return video_id if VIDEO_ID.fullmatch(video_id or "") else ""


def thumbnail_url(video_id: str) -> str:
    """The video's 480x360 thumbnail, or "" for an invalid id."""
    video_id = valid_video_id(video_id)
    return f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg" if video_id else ""


def embed_url(video_id: str) -> str:
    """The privacy-enhanced (no cookies until play) player for the video, or ""."""
    video_id = valid_video_id(video_id)
    return f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1" if video_id else ""


def watch_url(video_id: str) -> str:
    """The video's page on YouTube, or ""."""
    video_id = valid_video_id(video_id)
    return f"https://www.youtube.com/watch?v={video_id}" if video_id else ""
