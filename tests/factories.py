"""Small builders for test data: real model rows with sensible defaults."""

import itertools
from datetime import timedelta

from django.utils import timezone

from articles.models import Article, Image, RelatedLink
from providers.models import Provider

_counter = itertools.count(1)


def make_provider(**fields) -> Provider:
    n = next(_counter)
    fields.setdefault("name", f"Outlet {n}")
    fields.setdefault("domain", f"outlet{n}.example")
    return Provider.objects.create(**fields)


def make_article(*, provider=None, topics=(), images=0, related=0, **fields) -> Article:
    """An article (published unless told otherwise) with `images` images, `related` related
    links from other outlets, and the given topic names."""
    n = next(_counter)
    provider = provider or make_provider()
    url = fields.pop("web_url", f"https://{provider.domain}/story-{n}")
    fields.setdefault("title", f"Story number {n}")
    fields.setdefault("published_at", timezone.now() - timedelta(hours=n))
    fields.setdefault("is_published", True)
    article = Article.objects.create(
        provider=provider, web_url=url, canonical_url=fields.pop("canonical_url", url), **fields
    )
    if topics:
        article.topics.add(*topics)
    for i in range(images):
        Image.objects.create(article=article, position=i, url=f"{url}/image-{i}.jpg")
    for i in range(related):
        link = RelatedLink.objects.create(
            article=article,
            position=i,
            title=f"Related {i} of {n}",
            web_url=f"https://other{i}.example/{n}",
            provider=provider,
        )
        Image.objects.create(related_link=link, url=f"https://other{i}.example/{n}.jpg")
    return article


def make_articles(count, **kwargs) -> list[Article]:
    return [make_article(**kwargs) for _ in range(count)]


def make_cluster_article(*, related_providers, **kwargs) -> Article:
    """An article whose related links come from the given providers, one link each, in order,
    each with an image."""
    article = make_article(**kwargs)
    for position, provider in enumerate(related_providers):
        link = RelatedLink.objects.create(
            article=article,
            position=position,
            title=f"{provider.name} on story {article.pk}",
            web_url=f"https://{provider.domain}/cluster-{article.pk}-{position}",
            provider=provider,
            published_at=article.published_at,
        )
        Image.objects.create(
            related_link=link, url=f"https://{provider.domain}/img-{article.pk}-{position}.jpg"
        )
    return article
