"""Fetching remote pictures safely. URLs come from seed files and are treated as hostile:

- only http(s); the host is resolved and every address it resolves to must be public (not
  private, loopback, link-local, multicast, reserved or unspecified, IPv4 or IPv6, embedded IPv4
  included) unless the host is listed in `IMAGES_FETCH_ALLOWED_HOSTS`; the connection goes to the
  very address that was checked (no second lookup that DNS rebinding could answer differently);
  the same checks again after every redirect, at most `MAX_REDIRECTS` of them;
- connect and read timeouts, a deadline for the whole download, and a size limit enforced while
  the body streams in (never trusting Content-Length).
"""

import ipaddress
import socket
import time
from collections.abc import Iterable
from urllib.parse import urljoin

import httpx

from django.conf import settings

from .verify import ImageRejected, first_line

MAX_REDIRECTS = 3
CHUNK_BYTES = 64 * 1024
USER_AGENT = "Newsroom image cache (httpx)"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


# Addresses.


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether `address` is on the public internet: not private, loopback, link-local,
    multicast, reserved or unspecified; an IPv6 address that embeds an IPv4 one (mapped, 6to4,
    Teredo, NAT64) must embed a public one."""
    if address.version == 6:
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def resolve(host: str, port: int, *, allowed_hosts: Iterable[str] = ()):
    """The address to connect to for `host`: refused (ImageRejected) when any address the host
    resolves to is not public, unless the host is in `allowed_hosts`. An IP literal is checked
    as it is, without any lookup."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise ImageRejected("dns", f"cannot resolve {host}: {error}") from error
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos)
        )
        if not addresses:
            raise ImageRejected("dns", f"{host} has no address") from None
    if host.lower() not in {allowed.lower() for allowed in allowed_hosts}:
        for address in addresses:
            if not is_public_address(address):
                raise ImageRejected("private_address", f"{host} is {address}, not a public address")
    return addresses[0]


# Fetching.


def new_client() -> httpx.Client:
    """An HTTP client for `fetch`: the timeouts of the settings, no redirects followed on its
    own (`fetch` checks each hop), no proxy or credentials from the environment."""
    timeout = settings.IMAGES_FETCH_TIMEOUT
    return httpx.Client(
        timeout=httpx.Timeout(timeout, pool=timeout),
        follow_redirects=False,
        trust_env=False,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1",
            # Raw bytes only: a compressed body could expand past the size limit in one chunk.
            "Accept-Encoding": "identity",
        },
    )


def fetch(url: str, *, client: httpx.Client) -> bytes:
    """The body of `url`, fetched under the rules of the module docstring, or ImageRejected
    (reasons: bad_url, dns, private_address, connection, timeout, http_status,
    too_many_redirects, too_large)."""
    allowed_hosts = settings.IMAGES_FETCH_ALLOWED_HOSTS
    max_bytes = settings.IMAGES_MAX_BYTES
    deadline = time.monotonic() + settings.IMAGES_FETCH_DEADLINE
    for _ in range(MAX_REDIRECTS + 1):
        request = _pinned_request(client, url, allowed_hosts)
        try:
            response = client.send(request, stream=True)
        except httpx.TimeoutException as error:
            raise ImageRejected("timeout", f"no answer in time ({type(error).__name__})") from error
        except httpx.HTTPError as error:
            raise ImageRejected("connection", first_line(error)) from error
        try:
            location = response.headers.get("location")
            if response.is_redirect and location:
                url = urljoin(url, location)
                continue
            if response.status_code != 200:
                raise ImageRejected("http_status", f"HTTP {response.status_code}")
            return _read_body(response, max_bytes=max_bytes, deadline=deadline)
        finally:
            response.close()
    raise ImageRejected("too_many_redirects", f"more than {MAX_REDIRECTS} redirects")


def _pinned_request(client: httpx.Client, url: str, allowed_hosts) -> httpx.Request:
    """A GET of `url` sent to the checked address of its host (`resolve`), with the host's name
    in the Host header and, for https, in the TLS SNI and certificate check."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise ImageRejected("bad_url", first_line(error)) from error
    if parsed.scheme not in {"http", "https"}:
        raise ImageRejected("bad_url", f"only http and https are fetched, not {url[:80]!r}")
    if parsed.userinfo:
        raise ImageRejected("bad_url", "credentials in the URL")
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise ImageRejected("bad_url", "no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    address = resolve(host, port, allowed_hosts=allowed_hosts)
    host_header = f"[{host}]" if ":" in host else host
    if parsed.port:
        host_header = f"{host_header}:{parsed.port}"
    extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
    return client.build_request(
        "GET",
        parsed.copy_with(host=str(address), fragment=None),
        headers={"Host": host_header},
        extensions=extensions,
    )


def _read_body(response: httpx.Response, *, max_bytes: int, deadline: float) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise ImageRejected("too_large", f"{int(length):,} bytes, over {max_bytes:,}")
    chunks, size = [], 0
    try:
        for chunk in response.iter_raw(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise ImageRejected("too_large", f"over {max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise ImageRejected("timeout", "the download took too long")
            chunks.append(chunk)
    except httpx.TimeoutException as error:
        raise ImageRejected("timeout", f"the body stalled ({type(error).__name__})") from error
    except httpx.HTTPError as error:
        raise ImageRejected("connection", first_line(error)) from error
    return b"".join(chunks)
