"""Users for the admin tests: a superuser and a member of the "Editor" group."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def make_superuser(username="boss"):
    return get_user_model().objects.create_superuser(username, password="x-pass-123456")


def make_editor(username="editor"):
    """A staff user whose only permissions come from the "Editor" group (made by a migration)."""
    user = get_user_model().objects.create_user(username, password="x-pass-123456", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
