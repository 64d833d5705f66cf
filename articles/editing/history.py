"""The admin's log of bulk work: what an action, a merge, a block or an upload changed, as
Django's `LogEntry` rows (one per object), so that "Recent actions" and each object's history
show it. One INSERT per call, whatever the number of objects."""

from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model


def log(user, objects: Iterable[Model], message: str, *, flag: int = CHANGE) -> None:
    """Record that `user` changed (added, deleted: `flag`) each of `objects`, all with the same
    readable `message`."""
    LogEntry.objects.log_actions(user.pk, list(objects), flag, message)


def log_each(user, messages: Iterable[tuple[Model, str]], *, flag: int = CHANGE) -> None:
    """Record that `user` changed (added, deleted: `flag`) each object of `messages`, pairs of
    an object and its own readable message. (`log_actions` gives every row one message.)"""
    LogEntry.objects.bulk_create(
        LogEntry(
            user_id=user.pk,
            content_type_id=ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            action_flag=flag,
            change_message=message,
        )
        for obj, message in messages
    )
