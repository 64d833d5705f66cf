"""Admin pages that are not a model's changelist or form: the seed upload."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import ADDITION
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView

from articles.models import ImportRun
from articles.seeds import import_paths
from articles.seeds.uploads import MAX_FILES, UploadError, unpack_uploads

from . import history
from .forms import SeedUploadForm


class ImportUploadView(FormView):
    """Upload seed files (or .zip archives of them) and import them as one `ImportRun`
    (trigger "admin", started by the editor), logged as the editor's addition with the run's
    summary; then show that run. A refused upload (see `articles.seeds.uploads`) shows why and
    changes nothing."""

    admin = None
    form_class = SeedUploadForm
    template_name = "admin/articles/importrun/upload.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.admin.has_add_permission(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **self.admin.admin_site.each_context(self.request),
            title="Import seed files",
            opts=self.admin.model._meta,
            max_bytes=settings.SEED_MAX_BYTES,
            max_files=MAX_FILES,
            **kwargs,
        )

    def form_valid(self, form):
        with tempfile.TemporaryDirectory(prefix="newsroom-upload-") as folder:
            try:
                unpack_uploads(
                    form.cleaned_data["files"], Path(folder), max_bytes=settings.SEED_MAX_BYTES
                )
            except UploadError as error:
                for message in error.messages:
                    form.add_error("files", message)
                return self.form_invalid(form)
            report = import_paths(
                [folder],
                trigger=ImportRun.Trigger.ADMIN,
                started_by=self.request.user,
                names_relative_to=folder,
            )
        run = ImportRun.objects.filter(
            trigger=ImportRun.Trigger.ADMIN, started_by=self.request.user
        ).latest("started_at", "pk")
        history.log(self.request.user, [run], report.summary(), flag=ADDITION)
        level = messages.WARNING if report.rejected else messages.SUCCESS
        messages.add_message(self.request, level, f"Import finished: {report.summary()}")
        return HttpResponseRedirect(reverse("admin:articles_importrun_change", args=[run.pk]))
