"""The data the browser tests read: the real seed files, loaded with the importer."""

from contextlib import suppress
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db.models import Count

from articles.models import Article

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
# fixtures/seeds holds ~1,410 distinct stories (see fixtures/seeds-README.md).
MIN_STORIES = 1400


def load_site_data() -> dict:
    """Import `fixtures/seeds` and return the paths the tests visit: a video and the published
    article with the largest cluster."""
    # The real files include a few that must be rejected (a corrupt one, pages without a date),
    # so the command exits with status 1; what matters is that the rest is imported.
    with suppress(SystemExit):
        call_command("import_seeds", str(SEEDS), "--quiet", stdout=StringIO(), stderr=StringIO())
    assert Article.objects.count() >= MIN_STORIES, "the seed files were not imported"
    published = Article.objects.published()
    video = published.filter(kind="video").exclude(video_id="").ranked().first()
    clustered = published.annotate(n=Count("related_links")).order_by("-n", "pk").first()
    return {
        "video": video.get_absolute_url(),
        "cluster": clustered.get_absolute_url(),
        "search": "facial recognition",
    }
