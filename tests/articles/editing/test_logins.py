"""The failed logins' admin (django-axes): its "Clean up expired attempts" action works from
the admin (axes 8.3 answered 500 there)."""

from datetime import timedelta

from axes.models import AccessAttempt

from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tests.articles.editing.helpers import make_superuser, messages_of


def attempt(username, *, age):
    record = AccessAttempt.objects.create(
        username=username,
        ip_address="127.0.0.1",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/admin/login/",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=record.pk).update(attempt_time=timezone.now() - age)
    return record


class CleanupActionTests(TestCase):
    def test_expired_attempts_are_cleaned_up_and_recent_ones_kept(self):
        self.client.force_login(make_superuser())
        old = attempt("old", age=settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
        recent = attempt("recent", age=timedelta(minutes=1))
        data = {"action": "cleanup_expired_attempts", ACTION_CHECKBOX_NAME: [old.pk, recent.pk]}
        response = self.client.post(reverse("admin:axes_accessattempt_changelist"), data)
        assert response.status_code == 302
        assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["recent"]
        messages = messages_of(self.client.get(response["Location"]))
        assert messages == ["Cleaned up 1 expired access attempts."]
