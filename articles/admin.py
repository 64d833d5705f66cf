"""The admin's entry point, which Django's autodiscovery imports: the editorial admin lives in the
editing wing (`articles.editing`), which registers every model of the articles and providers
apps with the admin site."""

from .editing import admin  # noqa: F401 - registers the ModelAdmins
