from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import slugify

# Column sizes shared by every table that stores a URL or a slug (the articles' too).
URL_MAX_LENGTH = 2000
SLUG_MAX_LENGTH = 255


def normalize_domain(domain: str) -> str:
    """The form a provider's domain is stored in: lower case, no scheme, no `www.`, no dot at
    either end. `WWW.Example.COM.` and `example.com` are one provider."""
    domain = domain.strip().lower().strip(".")
    if "://" in domain:
        domain = domain.split("://", 1)[1]
    domain = domain.split("/", 1)[0]
    return domain.removeprefix("www.")


def slug_for_domain(domain: str) -> str:
    """A provider's slug: its domain with dots as hyphens (`govtech.com` → `govtech-com`).
    Domains are unique, so their slugs are too."""
    return slugify(domain.replace(".", "-"))[:SLUG_MAX_LENGTH] or "provider"


class ProviderQuerySet(models.QuerySet):
    def visible(self):
        """Providers whose articles may appear on the public site."""
        return self.filter(is_blocked=False)


class Provider(models.Model):
    """An outlet that publishes stories: matched by its domain."""

    name = models.CharField(max_length=200)
    domain = models.CharField(
        max_length=253, unique=True, help_text="Lower case, without “www.”, e.g. govtech.com."
    )
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    logo = models.ImageField(upload_to="images/", blank=True)
    logo_renditions = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The WebP renditions of `logo`: [{width, height, name}], narrowest first.",
    )
    logo_url = models.URLField(
        max_length=URL_MAX_LENGTH, blank=True, help_text="The logo the seed files point at."
    )
    is_blocked = models.BooleanField(
        "blocked", default=False, help_text="A blocked provider's articles never appear publicly."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="provider_domain_lower_case"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.domain = normalize_domain(self.domain)
        if not self.slug:
            self.slug = slug_for_domain(self.domain)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("providers:detail", kwargs={"slug": self.slug})
