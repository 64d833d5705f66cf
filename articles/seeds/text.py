"""Text and URL rules of the seed format, with no database: canonical URLs, YouTube ids, and the
cleaning applied once at import to titles and excerpts."""

import html
import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

from django.utils.html import strip_tags

# Query parameters that say how a reader arrived, not which story it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "ocid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "cmpid",
        "ref_src",
        "ref_url",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}

# Zero-width characters, bidirectional controls, the soft hyphen and the byte-order mark: they
# change nothing a reader sees but break search, slugs and equality.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
# C0 and C1 control characters other than tab, line feed and carriage return.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _windows_1252(code: int) -> str:
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


# C1 controls in real files are Windows-1252 punctuation decoded as Latin-1 (U+0097 was an em
# dash): they get their meaning back; every other control character goes.
CONTROL_FIXES = (
    {code: "" for code in range(0x20) if code not in (0x09, 0x0A, 0x0D)}
    | {0x7F: ""}
    | {code: _windows_1252(code) for code in range(0x80, 0xA0)}
)
HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
BLANK_LINES = re.compile(r"\n{3,}")
WHITESPACE = re.compile(r"\s+")
YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_EMBED = re.compile(
    r"""\bsrc\s*=\s*["']?(?:https?:)?//(?:www\.)?youtube(?:-nocookie)?\.com/embed/([A-Za-z0-9_-]{11})\b"""
)
YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be"}
)


def remove_invisible(text: str) -> str:
    """`text` without NUL and other control characters (Windows-1252 punctuation in C1 form
    becomes the punctuation), zero-width or bidi marks, soft hyphens."""
    if CONTROL.search(text):
        text = text.translate(CONTROL_FIXES)
    return INVISIBLE.sub("", text)


def clean_title(text: str) -> str:
    """A title as readers see it: tags stripped, HTML entities decoded, invisible characters
    removed, every run of whitespace (line breaks, no-break spaces…) one space, trimmed."""
    if "<" in text:
        text = strip_tags(text)
    if "&" in text:
        text = html.unescape(text)
    return WHITESPACE.sub(" ", remove_invisible(text)).strip()


def clean_excerpt(text: str) -> str:
    """An excerpt as readers see it: like `clean_title`, but paragraph breaks are kept (at most
    one blank line in a row) and each line is trimmed."""
    if "<" in text:
        text = strip_tags(text)
    if "&" in text:
        text = html.unescape(text)
    text = remove_invisible(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = HORIZONTAL_SPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return BLANK_LINES.sub("\n\n", text).strip()


def is_http_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL with a host and no whitespace or control
    characters inside it."""
    if not url or WHITESPACE.search(url) or CONTROL.search(url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() in DEFAULT_PORTS and bool(parts.hostname)


def http_url(url) -> str:
    """`url` when it is an absolute http(s) URL, else "": what may go in an `href` or a `src`
    (no `javascript:` or `data:`)."""
    url = (url or "").strip()
    return url if urlsplit(url).scheme.lower() in DEFAULT_PORTS else ""


def canonical_url(url: str) -> str:
    """The identity of a story's URL: scheme and host in lower case, default port,
    user name and fragment removed, tracking parameters (`utm_*`, `fbclid`, `gclid`, `ocid`…)
    removed with the other parameters kept as written and in order, an empty path as `/`.
    `url` must satisfy `is_http_url`."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and not _is_tracking(pair.split("=", 1)[0].lower())
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", "&".join(kept), ""))


def _is_tracking(name: str) -> bool:
    return name.startswith("utm_") or name in TRACKING_PARAMS


def youtube_video_id(url: str = "", html_snippet: str = "") -> str:
    """The YouTube video id of a watch, short or embed URL, else of the first YouTube embed in
    `html_snippet` (only the id is read from it), else ""."""
    if url and is_http_url(url):
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in YOUTUBE_HOSTS:
            if host == "youtu.be":
                candidate = parts.path.strip("/").split("/", 1)[0]
            elif parts.path == "/watch":
                candidate = parse_qs(parts.query).get("v", [""])[0]
            else:
                segments = parts.path.strip("/").split("/")
                candidate = segments[1] if len(segments) > 1 else ""
                if segments[0] not in {"embed", "shorts", "v", "live"}:
                    candidate = ""
            if YOUTUBE_ID.fullmatch(candidate):
                return candidate
    if html_snippet:
        match = YOUTUBE_EMBED.search(html_snippet)
        if match:
            return match.group(1)
    return ""


def valid_video_id(video_id: str) -> str:
    """`video_id` when it has the shape of a YouTube id (`YOUTUBE_ID`), else ""."""
    return video_id if YOUTUBE_ID.fullmatch(video_id or "") else ""


def youtube_watch_url(video_id: str) -> str:
    """The one URL we use for a YouTube video, whichever form the seed file gave; "" for an
    invalid id."""
    video_id = valid_video_id(video_id)
    return f"https://www.youtube.com/watch?v={video_id}" if video_id else ""
