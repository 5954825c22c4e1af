#!/usr/bin/env python3
"""Read the CardGenius output topic to its end and summarise the newest result per user.

Usage:
    python3 read_recommendations.py [--bootstrap-servers HOSTS] [--topic TOPIC] [--cohort ID] [--json]

Defaults come from the environment: BOOTSTRAP_SERVERS (localhost:9092) and
RECOMMENDATIONS_TOPIC (card-recommendations).

It reads every partition from its oldest record up to the end the partition had when the
script started (read_committed), keeps the newest recommendation per user (the last one in
the user's partition wins: results for a user are published in order, to one partition),
and prints a summary:

    users=3 records=4 skipped=0 no_savings=1 best_card_counts=Gold Rewards:1,Travel Plus:1

or, with --json, one JSON object:

    {"best_card_counts": {...}, "no_savings": 1, "records": 4, "skipped": 0, "users": 3}

Requires confluent-kafka (Debian: apt-get install python3-confluent-kafka; PyPI:
pip install confluent-kafka). See docs/output-contract.md.
"""
import argparse
import json
import os
import sys
import time
from collections import Counter

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition


def parse_args(argv):
    p = argparse.ArgumentParser(description="Summarise the newest CardGenius recommendation per user.")
    p.add_argument("--bootstrap-servers", default=os.environ.get("BOOTSTRAP_SERVERS", "localhost:9092"))
    p.add_argument("--topic", default=os.environ.get("RECOMMENDATIONS_TOPIC", "card-recommendations"))
    p.add_argument("--cohort", help="only records whose cohort header (else field) is this")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds without reaching the end")
    return p.parse_args(argv)


def read_latest(bootstrap, topic, cohort=None, timeout=60.0):
    """Returns ({user_id: newest record}, records read, records skipped)."""
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        # Required by the client; this reader assigns partitions itself and never commits.
        "group.id": "read-recommendations-example",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "enable.partition.eof": True,
    })
    try:
        metadata = consumer.list_topics(topic, timeout=10)
        topic_meta = metadata.topics.get(topic)
        if topic_meta is None or topic_meta.error is not None or not topic_meta.partitions:
            raise SystemExit(f"topic {topic} does not exist")
        # The end of each partition now: read up to it, then stop.
        ends = {}
        starts = []
        for p in sorted(topic_meta.partitions):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high > low:
                ends[p] = high
                starts.append(TopicPartition(topic, p, low))
        latest, records, skipped = {}, 0, 0
        if not starts:
            return latest, records, skipped
        consumer.assign(starts)
        deadline = time.monotonic() + timeout
        while ends:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out before the end of partitions {sorted(ends)}")
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    if msg.offset() >= ends.get(msg.partition(), 0):
                        ends.pop(msg.partition(), None)
                    continue
                raise KafkaException(msg.error())
            if msg.offset() >= ends.get(msg.partition(), -1):
                ends.pop(msg.partition(), None)  # written after we started
                continue
            if msg.offset() + 1 >= ends[msg.partition()]:
                ends.pop(msg.partition())
            records += 1
            try:
                rec = json.loads(msg.value())
                if rec.get("schema_version") != 1 or not isinstance(rec.get("savings"), list):
                    raise ValueError("not schema v1")
            except ValueError as e:
                skipped += 1
                print(f"skipped {msg.topic()}/{msg.partition()}/{msg.offset()}: {e}", file=sys.stderr)
                continue
            headers = dict(msg.headers() or [])
            rec_cohort = headers["cohort"].decode() if headers.get("cohort") is not None else rec.get("cohort")
            if cohort is not None and rec_cohort != cohort:
                continue
            latest[rec["user_id"]] = rec  # later in the partition = newer
        return latest, records, skipped
    finally:
        consumer.close()


def summarise(latest, records, skipped):
    best = Counter()
    no_savings = 0
    for rec in latest.values():
        if rec["savings"]:
            best[rec["savings"][0].get("card_name", str(rec["savings"][0].get("id")))] += 1
        else:
            no_savings += 1
    return {"users": len(latest), "records": records, "skipped": skipped, "no_savings": no_savings,
            "best_card_counts": dict(sorted(best.items()))}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    latest, records, skipped = read_latest(args.bootstrap_servers, args.topic, args.cohort, args.timeout)
    summary = summarise(latest, records, skipped)
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        counts = ",".join(f"{name}:{n}" for name, n in summary["best_card_counts"].items())
        print(f"users={summary['users']} records={summary['records']} skipped={summary['skipped']} "
              f"no_savings={summary['no_savings']} best_card_counts={counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
