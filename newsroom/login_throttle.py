"""The admin login throttle: django-axes' database handler, with a second, wider limit per
address.

Axes locks what its lockout parameters name; ours is the username alone, so an account is
locked after `AXES_FAILURE_LIMIT` wrong passwords from anywhere, and a successful login clears
only the attempts on the account that logged in (axes resets the attempts matching the lockout
parameters of the login). An address, which editors behind one proxy or office gateway share,
is locked only after `LOGIN_ADDRESS_FAILURE_LIMIT` wrong passwords on any accounts: enough to
stop one address trying a few passwords on every account, not so few that one editor's typos
lock out colleagues.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt

from django.conf import settings
from django.db.models import Sum


class LoginThrottleHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        """The account's recent failures; or, once the address has had
        `LOGIN_ADDRESS_FAILURE_LIMIT` failures on any accounts, at least the account limit
        (axes compares this one number with `AXES_FAILURE_LIMIT`, so the address is locked)."""
        failures = super().get_failures(request, credentials)
        at_address = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(total=Sum("failures_since_start"))["total"]
        if (at_address or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures
