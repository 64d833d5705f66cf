from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self):
        from .cache import watch_connection

        # Every write to content, by any code path, moves readers' cached pages out of date.
        connection_created.connect(watch_connection, dispatch_uid="articles.watch_writes")
