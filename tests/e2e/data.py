"""The data the browser tests read."""

from django.db.models import Count

from articles.models import Article
from tests.factories import make_article, make_articles, make_cluster_article, make_provider


def load_site_data() -> dict:
    """Fill the database and return the paths of a video article and of the published article
    with the largest cluster."""
    outlets = [make_provider(name=f"Outlet {n}") for n in range(5)]
    make_cluster_article(related_providers=outlets, topics=["Diablo 4"], images=1, heat=500)
    make_articles(40, topics=["Diablo 4", "AI"], images=1, related=2)
    make_article(
        title="Diablo 4 trailer", kind="video", video_id="dQw4w9WgXcQ", topics=["Diablo 4"]
    )
    return paths_to_visit()


def paths_to_visit() -> dict:
    published = Article.objects.published()
    video = published.filter(kind="video").exclude(video_id="").ranked().first()
    clustered = published.annotate(n=Count("related_links")).order_by("-n", "pk").first()
    return {
        "video": video.get_absolute_url(),
        "cluster": clustered.get_absolute_url(),
        "search": "diablo",
    }
