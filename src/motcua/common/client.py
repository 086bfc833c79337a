"""The client's address, the same for every limit, lock and record (issue 18).

Without configuration no proxy is trusted: the address is the connection's peer (``REMOTE_ADDR``)
and any ``X-Forwarded-For`` is ignored. Behind reverse proxies, ``MOTCUA_TRUSTED_PROXIES`` names
the addresses (single addresses, CIDR ranges or prefixes such as ``10.0.``) the application
accepts connections from, and ``MOTCUA_PROXY_COUNT`` how many proxies stand between the Internet
and the application (1 by default), each appending its peer to ``X-Forwarded-For``. The header is
read only when the peer is a trusted proxy, and then from the right: the client is the hop just
before the configured number of proxies, so whatever a client writes into the header itself
(the left-hand part) is never taken. django-ipware parses the chain (IPv4, IPv6, ports, garbage)
and picks that hop; the peer check is ours, as ipware only compares addresses inside the header.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def trusted_networks(entries: tuple[str, ...]) -> tuple[tuple[Network, ...], tuple[str, ...]]:
    """The configured proxies as networks, and as text prefixes (``10.0.``) for the rest."""
    networks: list[Network] = []
    prefixes: list[str] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            prefixes.append(entry if entry.endswith((".", ":")) else f"{entry}.")
    return tuple(networks), tuple(prefixes)


def is_trusted_proxy(address: str) -> bool:
    entries = tuple(getattr(settings, "MOTCUA_TRUSTED_PROXIES", ()) or ())
    if not entries:
        return False
    networks, prefixes = trusted_networks(entries)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if any(ip.version == net.version and ip in net for net in networks):
        return True
    return str(ip).startswith(prefixes) if prefixes else False


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the peer, or the hop a trusted proxy chain names (see above)."""
    peer = str(request.META.get("REMOTE_ADDR") or "").strip() or None
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").strip()
    if peer is None or not forwarded or not is_trusted_proxy(peer):
        return peer
    chain = HttpRequest()
    chain.META = {"HTTP_X_FORWARDED_FOR": f"{forwarded}, {peer}"}  # the peer is the last proxy
    address, _routable = get_client_ip(
        chain,
        proxy_count=max(1, int(getattr(settings, "MOTCUA_PROXY_COUNT", 1))),
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return address or peer
