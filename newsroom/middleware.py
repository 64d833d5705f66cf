"""Middleware of our own: the Permissions-Policy header, a 400 for NUL characters in the URL,
a 405 for TRACE, and a friendly 503 when the database is unreachable. (The other security
headers come from Django's SecurityMiddleware and XFrameOptionsMiddleware, the
Content-Security-Policy from django-csp.)"""

import ipaddress

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.template.loader import render_to_string

# Seconds a client (or a load balancer) should wait before asking again after a 503.
RETRY_AFTER = 30


class PermissionsPolicyMiddleware:
    """Sends `settings.PERMISSIONS_POLICY` with every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RejectNulMiddleware:
    """Answers 400 to a URL whose path or query string holds a NUL character: no page has a
    use for one, and PostgreSQL refuses it in any text parameter (a 500 otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return HttpResponseBadRequest(
                "NUL characters are not allowed in URLs.\n", content_type="text/plain"
            )
        return self.get_response(request)


class RejectTraceMiddleware:
    """Answers 405 to TRACE, which no page has a use for: Django's class-based views refuse it,
    but function views (feeds, the sitemap) answered it as a GET."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "TRACE":
            return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS", "POST"])
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answers 503 with `503.html` (no stack trace, no settings) when a view or its template
    cannot reach the database, instead of a 500. Nothing is kept between requests: each one
    tries the database again, so the site recovers by itself as soon as it is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # OperationalError: cannot connect, or the connection dropped mid-query. InterfaceError:
        # the connection object is already closed. Any other database error is a bug: a 500.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # Django logs the response itself ("Service Unavailable: <path>", status 503). The page
        # is rendered without the request: no context processor may touch the database.
        return HttpResponse(
            render_to_string("503.html"),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"},
        )


def client_ip(request):
    """The client's address for the login throttle: the socket's peer, or, behind
    `TRUSTED_PROXY_COUNT` proxies, the address the outermost of them saw (X-Forwarded-For is
    appended to by each proxy, so only its last N entries can be trusted), written the one way
    `ipaddress` writes it. An entry that is not an address (the client wrote it: a proxy was
    counted that is not there) gives way to the socket's peer, since the throttle keeps
    addresses in a column PostgreSQL types `inet`, which would refuse it (a 500)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [address for address in forwarded if address]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")
