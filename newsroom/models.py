"""The project's one table: where the content version is kept for good (`newsroom.content`)."""

from django.db import models


class ContentVersion(models.Model):
    """The content version, in one row (`ROW`): every committed change of content gives it a
    new value (`newsroom.content.bump_content_version`), and the version cache holds a copy
    of it that is checked against this row every `CONTENT_VERSION_CHECK_SECONDS`."""

    ROW = 1

    value = models.CharField(max_length=40)

    def __str__(self):
        return self.value
