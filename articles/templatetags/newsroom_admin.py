"""The admin dashboard's widget: counts and the latest import run."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from articles.models import Article, ImportRun, Topic
from providers.models import Provider

register = template.Library()


@register.inclusion_tag("admin/includes/dashboard.html")
def newsroom_dashboard():
    """What the site holds right now, in five queries whatever its size."""
    now = timezone.now()
    articles = Article.objects.aggregate(
        total=Count("pk"),
        unpublished=Count("pk", filter=Q(is_published=False)),
        featured=Count("pk", filter=Q(is_featured=True)),
        scheduled=Count("pk", filter=Q(publish_at__gt=now)),
        expired=Count("pk", filter=Q(expires_at__lte=now)),
        edited=Count("pk", filter=~Q(edited_fields=[])),
    )
    providers = Provider.objects.aggregate(
        total=Count("pk"), blocked=Count("pk", filter=Q(is_blocked=True))
    )
    articles["live"] = Article.objects.published().count()
    return {
        "articles": articles,
        "providers": providers,
        "topics": Topic.objects.count(),
        "latest_run": ImportRun.objects.select_related("started_by").first(),
    }
