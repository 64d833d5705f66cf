from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self):
        from PIL import Image as PILImage

        from providers.models import Provider

        from . import images
        from .cache import watch_connection

        # Pillow refuses to open anything past twice this (a decompression bomb);
        # `images.open_image` refuses past the limit itself.
        PILImage.MAX_IMAGE_PIXELS = settings.IMAGES_MAX_PIXELS
        # A signal, not a `delete()` override: rows also go in bulk and with the article or
        # related link they belong to, and their files must go with them (after commit).
        post_delete.connect(images.image_deleted, sender="articles.Image")
        post_delete.connect(images.provider_deleted, sender=Provider)
        # Every write to content, by any code path, moves readers' cached pages out of date.
        connection_created.connect(watch_connection, dispatch_uid="articles.watch_writes")
