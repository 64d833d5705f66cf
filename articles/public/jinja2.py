"""The Jinja2 environment of the public site's hot partials (`TEMPLATES`' "jinja2" engine,
`templates/jinja2/public/`): the card grid, an article page's cluster and the site's one `<img>`
macro. Its filters are the plain functions the Django templates' `public_site` library
registers too (and the memoised `time_parts`), so both engines show a picture or a link
alike."""

from jinja2 import Environment

from articles.images.markup import image_src, image_srcset
from articles.seeds.text import http_url

from .cards import time_parts
from .videos import video_thumbnail


def environment(**options) -> Environment:
    """A Jinja2 `Environment` made with Django's options (templates recompiled on change only
    under DEBUG) and the partials' filters; autoescaped whatever the options say, since the
    partials write outlets' text into HTML."""
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.filters.update(
        http_url=http_url,
        image_src=image_src,
        image_srcset=image_srcset,
        time_parts=time_parts,
        video_thumbnail=video_thumbnail,
    )
    env.globals["enumerate"] = enumerate
    return env
