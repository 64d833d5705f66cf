"""YouTube videos as readers see them, built only from a validated video id (never from the seed
file's HTML); the id's shape is the seed format's (`articles.seeds.text`)."""

from articles.seeds.text import valid_video_id


def thumbnail_url(video_id: str) -> str:
    """The video's 480x360 thumbnail, or "" for an invalid id."""
    video_id = valid_video_id(video_id)
    return f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg" if video_id else ""


def embed_url(video_id: str) -> str:
    """The privacy-enhanced (no cookies until play) player for the video, or ""."""
    video_id = valid_video_id(video_id)
    return f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1" if video_id else ""


def video_thumbnail(article) -> str:
    """The YouTube thumbnail of a video article with a valid id, else ""."""
    return thumbnail_url(article.video_id) if article.kind == "video" else ""


def video_embed(article) -> str:
    """The youtube-nocookie.com player URL of a video article with a valid id, else ""."""
    return embed_url(article.video_id) if article.kind == "video" else ""
