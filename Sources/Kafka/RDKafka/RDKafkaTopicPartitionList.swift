internal import CRDKafka
import Foundation

/// An owned `rd_kafka_topic_partition_list_t`, destroyed exactly once.
final class RDKafkaTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(capacity, 1)))
    }

    /// Takes ownership of a list librdkafka handed over.
    init(owning pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    convenience init(_ partitions: [KafkaTopicPartition]) {
        self.init(capacity: partitions.count)
        for tp in partitions { _ = add(tp) }
    }

    convenience init(_ offsets: [KafkaPartitionOffset]) {
        self.init(capacity: offsets.count)
        for o in offsets {
            let element = add(o.topicPartition)
            element.pointee.offset = o.offset
            if let metadata = o.metadata {
                // librdkafka frees `metadata` with the list, so it must come from malloc.
                let bytes = Array(metadata.utf8)
                let buffer = malloc(max(bytes.count, 1))!
                bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                element.pointee.metadata = buffer
                element.pointee.metadata_size = bytes.count
            }
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    @discardableResult
    func add(_ tp: KafkaTopicPartition) -> UnsafeMutablePointer<rd_kafka_topic_partition_t> {
        rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition)
    }

    /// Every element with its offset, metadata and per-partition error.
    func elements() -> [(offset: KafkaPartitionOffset, error: rd_kafka_resp_err_t)] {
        let list = pointer.pointee
        return (0..<Int(list.cnt)).map { i in
            let e = list.elems[i]
            var metadata: String?
            if let m = e.metadata, e.metadata_size > 0 {
                metadata = String(decoding: UnsafeRawBufferPointer(start: m, count: e.metadata_size), as: UTF8.self)
            }
            let offset = KafkaPartitionOffset(
                topic: String(cString: e.topic), partition: e.partition,
                offset: e.offset, metadata: metadata)
            return (offset, e.err)
        }
    }

    var partitions: [KafkaTopicPartition] { elements().map(\.offset.topicPartition) }

    /// Throws the first per-partition error, naming the partition.
    func throwFirstError(_ operation: String) throws {
        for (offset, err) in elements() where err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw RDKafkaError.from(err, "\(operation) \(offset.topicPartition)")
        }
    }
}
