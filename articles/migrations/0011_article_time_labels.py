# Labels and help texts of the three times (the outlet's, ours, the take-down): no SQL.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0010_name_search_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='article',
            name='expires_at',
            field=models.DateTimeField(blank=True, help_text='Leaves the public site then.', null=True, verbose_name='take down at'),
        ),
        migrations.AlterField(
            model_name='article',
            name='publish_at',
            field=models.DateTimeField(blank=True, help_text='Stays off the public site until then. A future time schedules the story: saving ticks Published for you.', null=True, verbose_name='go live at (ours)'),
        ),
        migrations.AlterField(
            model_name='article',
            name='published_at',
            field=models.DateTimeField(help_text="When the outlet published the story; it orders the site's lists.", verbose_name="outlet's publication time"),
        ),
    ]
