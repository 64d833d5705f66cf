"""Bench-only URLs (`bench/settings.py`; never in production): the site, plus two ceilings that
`bench/serve.py` measures on the same server in the same run.

- `/__ceiling__/hello`: a fixed response through the whole middleware stack, the most a page
  served from the cache could do;
- `/__ceiling__/cards`: 24 cards from one raw SQL query, rendered by a minimal template, the
  most a page built from the database could do.
"""

from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

CARDS_SQL = """
    SELECT a.title, a.slug, a.published_at, p.name, p.domain
    FROM articles_article a JOIN providers_provider p ON p.id = a.provider_id
    WHERE a.is_published
    ORDER BY a.published_at DESC
    LIMIT 24
"""
CARDS_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cards</title></head>
<body><main><ol>{% for title, slug, published_at, provider, domain in cards %}
<li><article><p>{{ provider }} <span>{{ domain }}</span></p>
<h2><a href="/articles/{{ slug }}/">{{ title }}</a></h2>
<p><time datetime="{{ published_at|date:'c' }}">{{ published_at|date:'j M Y' }}</time></p>
</article></li>{% endfor %}</ol></main></body></html>"""
)


def hello(request):
    return HttpResponse("Hello, world\n", content_type="text/plain")


def cards(request):
    with connection.cursor() as cursor:
        cursor.execute(CARDS_SQL)
        rows = cursor.fetchall()
    return HttpResponse(CARDS_TEMPLATE.render({"cards": rows}, request))


urlpatterns = [
    path("__ceiling__/hello", hello),
    path("__ceiling__/cards", cards),
    path("", include("newsroom.urls")),
]
