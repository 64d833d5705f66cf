"""The "Editor" group: exactly what an editor needs to curate (README "Editing")."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUP = "Editor"
# (app label, model, actions). Not users or groups, and never deleting a provider (their
# articles would be lost) or an import run (the history).
PERMISSIONS = [
    ("articles", "article", ["add", "change", "delete", "view"]),
    ("articles", "relatedlink", ["add", "change", "delete", "view"]),
    ("articles", "image", ["add", "change", "delete", "view"]),
    ("articles", "topic", ["add", "change", "delete", "view"]),
    ("articles", "topicredirect", ["delete", "view"]),
    ("articles", "importrun", ["add", "view"]),
    ("providers", "provider", ["add", "change", "view"]),
]


def create_editor_group(apps, schema_editor):
    db = schema_editor.connection.alias
    # Permissions are normally created after all migrations have run; make sure they exist now.
    for label in ("articles", "providers"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_contenttypes(app_config, verbosity=0, using=db, apps=apps)
        create_permissions(app_config, verbosity=0, using=db, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    wanted = []
    for app_label, model, actions in PERMISSIONS:
        for action in actions:
            wanted.append(
                Permission.objects.using(db).get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
            )
    group.permissions.set(wanted)


def remove_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_topicredirect"),
        ("providers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editor_group, remove_editor_group)]
