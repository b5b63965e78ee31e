#!/usr/bin/python3
"""A Jigsaw client in Python, written from docs/formats.md and the schema store only.

Sends pictures as requests (encoded, for the job to decode), follows results, decodes dead letters.
Uses only Debian's packages: python3-confluent-kafka and python3-avro.

  python3 clients/python/jigsaw_client.py send --bootstrap HOST:PORT [--graph xr-scene] PICTURE...
  python3 clients/python/jigsaw_client.py results --bootstrap HOST:PORT [--request-id ID ...] [--idle 30]
  python3 clients/python/jigsaw_client.py dead-letters --bootstrap HOST:PORT [--idle 10]

Records are Avro single-object encoded: C3 01, the writer schema's CRC-64-AVRO fingerprint of its
Parsing Canonical Form as 8 little-endian bytes, then the Avro binary body. Every published version
of a record is in schemas/src/main/schema-store/<Record>/v<N>.avsc; a reader knows them all.
"""
import argparse
import io
import json
import os
import socket
import sys
import time

import avro.io
import avro.schema

STORE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas", "src", "main", "schema-store")
MAGIC = b"\xc3\x01"
CONTENT_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}

_EMPTY = 0xC15D213AA4D7A795
_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY & -(_fp & 1))
    _TABLE.append(_fp)


def crc64_avro(data: bytes) -> int:
    """The Avro specification's 64-bit Rabin fingerprint (CRC-64-AVRO), unsigned."""
    fp = _EMPTY
    for b in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


def canonical_form(schema) -> str:
    return json.dumps(schema.to_canonical_json(), separators=(",", ":"))


def fingerprint(schema) -> bytes:
    """The 8 bytes a single-object header carries: the fingerprint, little-endian."""
    return crc64_avro(canonical_form(schema).encode("utf-8")).to_bytes(8, "little")


class Codec:
    """Every published version of one record: encodes with the newest, decodes any into the newest."""

    def __init__(self, record: str, store: str = STORE):
        self.record = record
        self.versions = []
        v = 1
        while os.path.exists(os.path.join(store, record, "v%d.avsc" % v)):
            with open(os.path.join(store, record, "v%d.avsc" % v)) as f:
                self.versions.append(avro.schema.parse(f.read()))
            v += 1
        if not self.versions:
            raise ValueError("no schema-store/%s/v1.avsc under %s" % (record, store))
        self.newest = self.versions[-1]
        self.writers = {fingerprint(s): s for s in self.versions}

    def encode(self, datum: dict) -> bytes:
        out = io.BytesIO()
        out.write(MAGIC)
        out.write(fingerprint(self.newest))
        avro.io.DatumWriter(self.newest).write(datum, avro.io.BinaryEncoder(out))
        return out.getvalue()

    def decode(self, value: bytes) -> dict:
        if value is None or value[:2] != MAGIC or len(value) < 10:
            raise ValueError("not Avro single-object encoding (a value starts with C3 01 and an 8-byte fingerprint)")
        writer = self.writers.get(value[2:10])
        if writer is None:
            raise ValueError("written with a %s schema not in the store (fingerprint %s)" % (self.record, value[2:10].hex()))
        return avro.io.DatumReader(writer, self.newest).read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))


def content_type(data: bytes) -> str:
    for magic, kind in CONTENT_TYPES.items():
        if data.startswith(magic):
            return kind
    raise ValueError("not a JPEG or PNG picture")


def picture_request(request_id: str, graph: str, data: bytes, deadline_ms: int = 0, event_time_ms: int = None) -> dict:
    """A Request carrying the picture encoded; the job decodes and stretches it to the graph's frame."""
    return {"request_id": request_id, "graph": graph,
            "event_time_ms": event_time_ms if event_time_ms is not None else int(time.time() * 1000),
            "deadline_ms": deadline_ms, "payload": None, "truth": None,
            "image": {"content_type": content_type(data), "data": data}}


def producer(bootstrap: str):
    from confluent_kafka import Producer
    return Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"})


def connect(p, topic: str, timeout_s: float = 30):
    """Connect before stamping a request: the SLO clock starts at its event time."""
    p.list_topics(topic, timeout=timeout_s)


def send(bootstrap: str, graph: str, files, topic: str = "requests", deadline_slack_ms: int = 0, prefix: str = "py-"):
    """Sends each picture as one request; returns [(file, request id)]."""
    codec = Codec("Request")
    p = producer(bootstrap)
    connect(p, topic)
    sent = []
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        now = int(time.time() * 1000)
        rid = "%s%s-%d" % (prefix, os.path.splitext(os.path.basename(f))[0], now)
        request = picture_request(rid, graph, data, deadline_ms=now + deadline_slack_ms if deadline_slack_ms else 0, event_time_ms=now)
        p.produce(topic, key=rid.encode("utf-8"), value=codec.encode(request),
                  headers=[("jigsaw-producer", ("python@" + socket.gethostname()).encode("utf-8"))])
        sent.append((f, rid))
    if p.flush(60) != 0:
        raise RuntimeError("records not acknowledged within 60 s")
    return sent


def read(bootstrap: str, topic: str, record: str, idle_s: float = 30, wanted=None):
    """Decoded records of a topic from its beginning, until `wanted` ids are all seen or nothing new came for idle_s seconds."""
    from confluent_kafka import Consumer
    codec = Codec(record)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "jigsaw-py-%d" % time.time_ns(), "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "isolation.level": "read_committed"})
    c.subscribe([topic])
    found = {}
    last = time.time()
    try:
        while time.time() - last < idle_s:
            m = c.poll(0.5)
            if m is None or m.error() or m.value() is None:
                continue
            last = time.time()
            try:
                r = codec.decode(m.value())
            except ValueError as e:
                print("skipped %s offset %d: %s" % (topic, m.offset(), e), file=sys.stderr)
                continue
            key = r.get("request_id") or "%d:%d" % (m.partition(), m.offset())
            if wanted is None or key in wanted:
                found.setdefault(key, r)
            if wanted is not None and all(w in found for w in wanted):
                break
    finally:
        c.close()
    return found


def plain(value):
    """A decoded record as JSON-friendly values (bytes as their length)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return "<%d bytes>" % len(value)
    return value


def main(argv=None):
    a = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = a.add_subparsers(dest="command", required=True)
    s = sub.add_parser("send", help="publish pictures (JPEG, PNG) as requests")
    s.add_argument("--graph", default="xr-scene")
    s.add_argument("files", nargs="+")
    r = sub.add_parser("results", help="print results as JSON lines")
    r.add_argument("--request-id", action="append")
    d = sub.add_parser("dead-letters", help="print dead letters as JSON lines")
    for p in (s, r, d):
        p.add_argument("--bootstrap", required=True)
        p.add_argument("--topic")
    for p in (r, d):
        p.add_argument("--idle", type=float, default=30)
    args = a.parse_args(argv)
    if args.command == "send":
        for f, rid in send(args.bootstrap, args.graph, args.files, topic=args.topic or "requests"):
            print(f, rid)
    elif args.command == "results":
        for rid, res in read(args.bootstrap, args.topic or "results", "Result", args.idle, set(args.request_id) if args.request_id else None).items():
            print(json.dumps(plain(res)))
    else:
        for key, dl in read(args.bootstrap, args.topic or "dead-letters", "DeadLetter", args.idle).items():
            print(json.dumps(plain(dl)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
