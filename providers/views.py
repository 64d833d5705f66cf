from django.shortcuts import get_object_or_404

from articles.models import Article
from articles.views import CardListView

from .models import Provider


class ProviderView(CardListView):
    template_name = "providers/provider_detail.html"

    def get_queryset(self):
        self.provider = get_object_or_404(Provider.objects.visible(), slug=self.kwargs["slug"])
        return Article.objects.published().filter(provider=self.provider).ranked().for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            provider=self.provider, heading=self.provider.name, **kwargs
        )
