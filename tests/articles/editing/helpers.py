"""Users for the admin tests: a superuser and a member of the "Editor" group."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone


def make_superuser(username="boss"):
    return get_user_model().objects.create_superuser(username, password="x-pass-123456")


def make_editor(username="editor"):
    """A staff user whose only permissions come from the "Editor" group (made by a migration)."""
    user = get_user_model().objects.create_user(username, password="x-pass-123456", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def change_form_data(client, article, **changes) -> dict:
    """The change form as the browser would post it, with `changes` applied."""
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or name == "hand_back":
            continue
        if name == "topics":
            data[name] = [t.pk for t in value]
        elif name in {"published_at", "publish_at", "expires_at"}:
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial)
        for inline in formset.formset.forms:
            for name in inline.fields:
                value = inline.initial.get(name)
                if value is None or name == "file":
                    continue
                key = inline.add_prefix(name)
                if hasattr(value, "isoformat"):
                    local = timezone.localtime(value)
                    data[f"{key}_0"], data[f"{key}_1"] = (
                        f"{local:%Y-%m-%d}",
                        f"{local:%H:%M:%S}",
                    )
                else:
                    data[key] = value
            data[inline.add_prefix("id")] = inline.instance.pk
            data[inline.add_prefix(formset.formset.fk.name)] = article.pk
    data.update(changes)
    return data
