from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from articles.models import Article
from articles.views import CARDS_PER_PAGE

from .models import Provider


class ProviderView(ListView):
    template_name = "providers/provider_detail.html"
    context_object_name = "articles"
    paginate_by = CARDS_PER_PAGE

    def get_queryset(self):
        self.provider = get_object_or_404(Provider.objects.visible(), slug=self.kwargs["slug"])
        return Article.objects.published().filter(provider=self.provider).ranked().for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(provider=self.provider, **kwargs)
