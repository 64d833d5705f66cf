"""The admin of django-axes' login records, with its "Clean up expired attempts" action made to
work: axes 8.3 reads the request's `axes_attempt_time`, which its handler sets only on login
requests, so the action answered 500 (AttributeError) from the admin
(jazzband/django-axes#1424, fixed upstream by a pull request not yet released)."""

from axes.admin import AccessAttemptAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt

from django.contrib import admin


class LoginAttemptAdmin(AccessAttemptAdmin):
    @admin.action(description=AccessAttemptAdmin.cleanup_expired_attempts.short_description)
    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)  # what axes does for a login request
        return super().cleanup_expired_attempts(request, queryset)


if admin.site.is_registered(AccessAttempt):  # unless AXES_ENABLE_ADMIN is off
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, LoginAttemptAdmin)
