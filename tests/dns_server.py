"""A real DNS server on the loopback (dnslib) holding zones the tests change as they go."""

from __future__ import annotations

import threading

from dnslib import CNAME, QTYPE, RCODE, RR, SOA, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer

# What ``Zones.set`` takes per type: an address, a host name, a text, or (SOA: the name is a zone's
# apex) its primary name server.
RDATA = {
    "A": A,
    "CNAME": CNAME,
    "TXT": lambda text: TXT([text[i : i + 255] for i in range(0, len(text), 255)] or [""]),  # 255 a string
    "SOA": lambda ns: SOA(ns, f"hostmaster.{ns}", (1, 3600, 600, 86400, 60)),
}


class Zones(BaseResolver):
    """Records by (name, type); a name with no record at all answers NXDOMAIN."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.lock = threading.Lock()
        self.queries = 0

    def set(self, name: str, rtype: str, *values: str) -> None:
        with self.lock:
            key = (name.lower().rstrip("."), rtype)
            if values:
                self.records[key] = list(values)
            else:
                self.records.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.records.clear()

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).lower().rstrip(".")
        rtype = QTYPE[request.q.qtype]
        with self.lock:
            self.queries += 1
            known = any(key[0] == name for key in self.records)
            cname = self.records.get((name, "CNAME"))
            values = self.records.get((name, rtype), [])
        if cname and rtype != "CNAME":
            reply.add_answer(RR(name, QTYPE.CNAME, rdata=CNAME(cname[0]), ttl=1))
            with self.lock:
                values = self.records.get((cname[0], rtype), [])
            name = cname[0]
        for value in values:
            rdata = RDATA[rtype](value)
            reply.add_answer(RR(name, getattr(QTYPE, rtype), rdata=rdata, ttl=1))
        if not known:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class LoopbackDNS:
    def __init__(self) -> None:
        self.zones = Zones()
        self.server = DNSServer(
            self.zones, address="127.0.0.1", port=0, logger=DNSLogger("-request,-reply,-truncated", False)
        )

    @property
    def address(self) -> str:
        host, port = self.server.server.server_address
        return f"{host}:{port}"

    def start(self) -> LoopbackDNS:
        self.server.start_thread()
        return self

    def stop(self) -> None:
        self.server.stop()
