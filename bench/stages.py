#!/usr/bin/env python3
"""Per-stage breakdown of a member's perf profile (self time, % of samples).

  perf report -i member.perf --no-children -g none --sort dso,sym --stdio | bench/stages.py [--us-per-record US]

Each sampled symbol is put in the first stage whose pattern matches its DSO or name (the
table below). Allocation, reference counting and the concurrency runtime are shared by
every stage and reported as their own rows rather than guessed apart. With --us-per-record
(the member's CPU per record in the same run) each row also shows µs per record.
"""
import re
import sys

STAGES = [
    ("compression (lz4/zstd)", r"LZ4|lz4|ZSTD|zstd|HUF_|FSE_|snappy"),
    ("response scan (validation of the answer)", r"RecommendationResponseParser|JSONScanner|StrictJSON"),
    ("input validation (record parse)", r"UserSpendRecord|SpendRecordJSONScanner|InputValidation|SpendProfile|RecordValidation"),
    ("output encoding", r"OutputRecord|JSONText|JSONWriter|RecommendationRequest|iso8601|gmtime|__tz|strftime|vsnprintf|printf|_IO_"),
    ("HTTP client (AsyncHTTPClient, NIO, HTTP/1 parser)", r"AsyncHTTPClient|HTTPClient|NIO|llhttp|c_nio|HTTPHeaders|ByteBuffer|CardGeniusClient|CardGeniusResponseCollector|EventLoop|Channel"),
    ("metrics", r"Prometheus|Metrics\b|PipelineMetrics|Histogram|Counter|Gauge|Timer\b|PipelineStatistics|PipelineObserver"),
    ("commit bookkeeping & scheduling", r"PipelineState|OffsetTracker|PartitionFlow|WakeSignal|dispatchLoop|CircuitBreaker|AdaptiveConcurrency|TokenBucket|MemberHold|RecommendationPipeline|Deque"),
    ("produce (librdkafka producer, delivery)", r"KafkaProducer|rd_kafka_msg|rd_kafka_produce|rd_kafka_msgset_writer|rd_kafka_broker_produce|rd_kafka_dr|crc32c|rd_crc32"),
    ("intake (librdkafka consumer, fetch)", r"KafkaConsumer|RDKafkaConsumerLoop|rd_kafka_msgset_reader|rd_kafka_fetch|rd_kafka_consume|KafkaRecord|rd_kafka_q_|rd_kafka_op|rd_kafka_toppar"),
    ("librdkafka (other)", r"librdkafka|rd_kafka|rd_"),
    ("kernel (sockets, scheduling, page faults)", r"\[kernel|\[k\]|vmlinux"),
    ("allocation & copies (malloc, free, memmove)", r"malloc|free|memmove|memcpy|memset|_int_|cfree|realloc|calloc|tcache"),
    ("reference counting (swift_retain/release)", r"swift_retain|swift_release|swift_bridgeObject|swift_unknownObject|swift_weak|swift_beginAccess|swift_endAccess"),
    ("concurrency runtime (tasks, continuations, locks)", r"swift_task|swift_job|swift_continuation|swift::|Dispatch|dispatch_|pthread|futex|__lll|Mutex|libdispatch|libswift_Concurrency"),
    ("Swift runtime & stdlib (other)", r"libswiftCore|swift_|\$ss|Swift"),
]


def main():
    us = None
    if "--us-per-record" in sys.argv:
        us = float(sys.argv[sys.argv.index("--us-per-record") + 1])
    totals = {name: 0.0 for name, _ in STAGES}
    totals["other"] = 0.0
    top = {name: [] for name in totals}
    for line in sys.stdin:
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)", line)
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2), m.group(3).strip()
        kernel = "[k]" in line
        text = f"{dso} {sym}" + (" [k]" if kernel else "")
        for name, pattern in STAGES:
            if re.search(pattern, sym if not kernel else text):
                break
        else:
            name = "other"
            for n, pattern in STAGES:
                if re.search(pattern, dso):
                    name = n
                    break
        totals[name] += pct
        top[name].append((pct, sym[:70]))
    print("| stage | % of member CPU (self) |" + (" µs/record |" if us else "") + " top symbols |")
    print("|---|---|" + ("---|" if us else "") + "---|")
    for name, pct in sorted(totals.items(), key=lambda kv: -kv[1]):
        if pct < 0.05:
            continue
        syms = ", ".join(f"`{s}` {p:.1f}" for p, s in sorted(top[name], reverse=True)[:3])
        per = f" {pct * us / 100:.0f} |" if us else ""
        print(f"| {name} | {pct:.1f} |{per} {syms} |")


if __name__ == "__main__":
    main()
