"""Which addresses a fetch may reach: public ones, and networks the operator allows.

The check runs on resolved IP addresses (never on host names), so `localhost`, decimal
or hex spellings and DNS names pointing inward are all caught.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services; most are link-local too, named here for a clearer refusal.
METADATA = {
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
}
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressPolicy:
    """Refuses every non-public address unless one of the `allow` networks holds it."""

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self.allow = [ipaddress.ip_network(n, strict=False) for n in allow]

    def refusal(self, address: IPAddress) -> str | None:
        """Why `address` may not be reached ("a loopback address"), or None when it may."""
        if any(address in network for network in self.allow):
            return None
        for candidate in (*_embedded_ipv4(address), address):
            reason = _kind(candidate)
            if reason:
                return reason
        return None


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, 6to4, NAT64): the route may lead there."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if address in NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _kind(address: IPAddress) -> str | None:
    if address in METADATA:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a non-public address"
    return None
