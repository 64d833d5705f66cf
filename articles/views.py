from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .models import Article, Topic

CARDS_PER_PAGE = 24


class FrontPageView(ListView):
    template_name = "articles/front_page.html"
    context_object_name = "articles"
    paginate_by = CARDS_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().ranked().for_cards()


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published().for_cards()


class TopicView(ListView):
    template_name = "articles/topic.html"
    context_object_name = "articles"
    paginate_by = CARDS_PER_PAGE

    def get_queryset(self):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return Article.objects.published().filter(topics=self.topic).ranked().for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)
