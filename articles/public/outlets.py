"""An outlet's page: its published stories as cards, best first."""

from django.shortcuts import get_object_or_404

from articles.models import Article
from providers.models import Provider

from .selectors import card_rows
from .views import CardListView


class ProviderView(CardListView):
    template_name = "providers/provider_detail.html"
    not_found_when_empty = True

    def get_queryset(self):
        self.provider = get_object_or_404(Provider.objects.visible(), slug=self.kwargs["slug"])
        return card_rows(Article.objects.published().filter(provider=self.provider).ranked())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            provider=self.provider, heading=self.provider.name, **kwargs
        )
