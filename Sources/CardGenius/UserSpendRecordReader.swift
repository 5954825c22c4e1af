#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams user-spend records from a JSON Lines or CSV file, or from standard input.
///
/// The reader is synchronous and meant to be driven from a dedicated thread
/// (`while let entry = try reader.next() { ... }`). It reads 64 KB at a time
/// and keeps at most one line plus one chunk in memory, so a file of millions of
/// lines is read in constant memory. Lines are split on `\n`; a trailing `\r`
/// is removed; blank lines (only spaces and tabs) are skipped but counted;
/// line numbers are 1-based. A UTF-8 byte order mark on line 1 is removed.
///
/// - JSON Lines: every non-blank line is one record (``UserSpendRecord/parse(json:)``).
/// - CSV: the first non-blank line is the header (``CSVHeader``); an invalid header
///   makes ``next()`` throw, since no row could be read. Every later non-blank line is a row.
///
/// Invalid records do not stop the reader: they come back as entries whose `result`
/// is a failure, with the raw line, so that the caller can count or dead-letter them.
/// A line longer than `maxLineBytes` is skipped and reported as a `.tooLong`
/// failure whose `raw` is only its first 1 KB.
///
/// A copy of a reader shares the underlying file descriptor with the original; use one of them.
public struct UserSpendRecordReader: Sendable {
    /// The input format.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line.
        case jsonl
        /// A header line, then one row per line.
        case csv

        /// The format implied by a path: `.csv` for `*.csv`, otherwise `.jsonl`
        /// (`*.jsonl`, `*.ndjson`, `*.json`, standard input and anything else).
        public init(inferringFrom path: String) {
            self = path.lowercased().hasSuffix(".csv") ? .csv : .jsonl
        }
    }

    /// One non-blank input line and what it parsed to.
    public struct Entry: Sendable, Equatable {
        /// 1-based line number in the input.
        public var line: Int
        /// The line's bytes, without the line terminator.
        public var raw: [UInt8]
        /// The record, or why the line was rejected.
        public var result: Result<UserSpendRecord, RecordValidationError>

        /// Creates an entry.
        public init(line: Int, raw: [UInt8], result: Result<UserSpendRecord, RecordValidationError>) {
            self.line = line
            self.raw = raw
            self.result = result
        }
    }

    /// Why the input cannot be read at all.
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The kind of problem; compare with the static members.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            private enum Base: String, Hashable, Sendable { case cannotOpen, readFailed, invalidCSVHeader }
            private let base: Base
            private init(_ base: Base) { self.base = base }

            /// The file could not be opened (not found, permissions, a directory, ...).
            public static let cannotOpen = Code(.cannotOpen)
            /// A read from the file failed.
            public static let readFailed = Code(.readFailed)
            /// The CSV header line is invalid.
            public static let invalidCSVHeader = Code(.invalidCSVHeader)

            public var description: String { base.rawValue }
        }

        /// The kind of problem.
        public var code: Code
        /// The input path (`-` for standard input).
        public var path: String
        /// The line the problem is on, if any.
        public var line: Int?
        /// What is wrong.
        public var message: String

        /// Creates an error.
        public init(code: Code, path: String, line: Int? = nil, message: String) {
            self.code = code
            self.path = path
            self.line = line
            self.message = message
        }

        /// `"<path>[ line N]: <message>"`, one line.
        public var description: String {
            "\(path == "-" ? "stdin" : path)\(line.map { " line \($0)" } ?? ""): \(message)"
        }
    }

    /// The default longest accepted line: 1 MiB.
    public static let defaultMaxLineBytes = 1 << 20
    private static let chunkSize = 64 * 1024
    private static let tooLongPrefix = 1024

    /// The path given at creation (`-` for standard input).
    public let path: String
    /// The input format.
    public let format: Format
    /// The size of the input in bytes if it is a regular file (also for redirected stdin), else `nil`.
    public let totalBytes: Int64?
    /// Bytes of input consumed so far: through the end of the last line returned or skipped.
    /// With ``totalBytes`` this gives the progress of the read.
    public private(set) var bytesRead: Int64 = 0
    /// The parsed CSV header, once it has been read (CSV only).
    public private(set) var csvHeader: CSVHeader?
    /// The number of the last line read (blank lines included).
    public private(set) var lineNumber = 0

    private let file: SpendRecordFileDescriptor
    private let maxLineBytes: Int
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false

    /// Opens `path` for reading, or standard input if `path` is `-`.
    ///
    /// - Parameters:
    ///   - path: a file path, or `-` for standard input.
    ///   - format: the format; `nil` infers it from the path (``Format/init(inferringFrom:)``).
    ///   - maxLineBytes: lines longer than this are skipped and reported as failures.
    public init(path: String, format: Format? = nil, maxLineBytes: Int = defaultMaxLineBytes) throws(ReadError) {
        let fd: Int32
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw ReadError(code: .cannotOpen, path: path, message: "cannot open: \(Self.errnoMessage())")
            }
        }
        let file = SpendRecordFileDescriptor(fd: fd, owned: path != "-")
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ReadError(code: .cannotOpen, path: path, message: "cannot stat: \(Self.errnoMessage())")
        }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR {
            throw ReadError(code: .cannotOpen, path: path, message: "is a directory")
        }
        self.path = path
        self.format = format ?? Format(inferringFrom: path)
        self.totalBytes = kind == S_IFREG ? Int64(info.st_size) : nil
        self.file = file
        self.maxLineBytes = max(1, maxLineBytes)
        self.buffer = [UInt8](repeating: 0, count: 2 * Self.chunkSize)
    }

    /// The next non-blank line and its parse result, or `nil` at the end of the input.
    ///
    /// Throws only when the input cannot be read further: a read error, or an invalid CSV header.
    public mutating func next() throws(ReadError) -> Entry? {
        while true {
            guard let line = try nextLine() else { return nil }
            if case .tooLong(let prefix) = line {
                let error = RecordValidationError(
                    code: .tooLong, field: RecordValidationError.recordField,
                    reason: "line is longer than \(maxLineBytes) bytes; skipped"
                )
                return Entry(line: lineNumber, raw: prefix, result: .failure(error))
            }
            guard case .bytes(var raw) = line else { continue }
            if lineNumber == 1 && raw.starts(with: [0xEF, 0xBB, 0xBF]) { raw.removeFirst(3) }
            if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            switch format {
            case .jsonl:
                let result = Result { () throws(RecordValidationError) in try UserSpendRecord.parse(json: raw) }
                return Entry(line: lineNumber, raw: raw, result: result)
            case .csv:
                guard let header = csvHeader else {
                    do {
                        csvHeader = try CSVHeader(parsing: raw)
                    } catch {
                        throw ReadError(
                            code: .invalidCSVHeader, path: path, line: lineNumber,
                            message: "invalid CSV header: \(error.description)"
                        )
                    }
                    continue
                }
                let result = Result { () throws(RecordValidationError) in try header.record(fromRow: raw) }
                return Entry(line: lineNumber, raw: raw, result: result)
            }
        }
    }

    /// The allocated size of the line buffer (for tests: it must stay bounded).
    var bufferCapacity: Int { buffer.count }

    // MARK: - Lines

    private enum Line {
        case bytes([UInt8])
        case tooLong(prefix: [UInt8])
    }

    /// The next line without its terminator, or `nil` at the end of the input.
    private mutating func nextLine() throws(ReadError) -> Line? {
        var scanFrom = start
        while true {
            if let newline = findNewline(from: scanFrom) {
                return takeLine(upTo: newline, next: newline + 1)
            }
            if atEOF {
                guard start < end else { return nil }
                return takeLine(upTo: end, next: end)
            }
            if end - start > maxLineBytes {
                return .tooLong(prefix: try skipLongLine())
            }
            let scanned = end - start  // no newline in these; `fill` may move them to the front
            try fill()
            scanFrom = start + scanned
        }
    }

    /// Returns `buffer[start..<lineEnd]` without a trailing `\r` and moves on to `next`.
    private mutating func takeLine(upTo lineEnd: Int, next: Int) -> Line {
        var contentEnd = lineEnd
        if contentEnd > start && buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        let line: Line
        if contentEnd - start > maxLineBytes {
            line = .tooLong(prefix: Array(buffer[start..<start + min(Self.tooLongPrefix, contentEnd - start)]))
        } else {
            line = .bytes(Array(buffer[start..<contentEnd]))
        }
        bytesRead += Int64(next - start)
        start = next
        lineNumber += 1
        return line
    }

    /// Discards the rest of an over-long line; returns its first bytes.
    private mutating func skipLongLine() throws(ReadError) -> [UInt8] {
        let prefix = Array(buffer[start..<start + min(Self.tooLongPrefix, end - start)])
        lineNumber += 1
        while true {
            if let newline = findNewline(from: start) {
                bytesRead += Int64(newline + 1 - start)
                start = newline + 1
                return prefix
            }
            bytesRead += Int64(end - start)
            start = end
            if atEOF { return prefix }
            try fill()
        }
    }

    private func findNewline(from index: Int) -> Int? {
        guard index < end else { return nil }
        return buffer.withUnsafeBufferPointer { b -> Int? in
            guard let base = b.baseAddress,
                let hit = memchr(base + index, 0x0A, end - index)
            else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Reads up to one chunk after the buffered bytes, compacting or growing the buffer first.
    private mutating func fill() throws(ReadError) {
        if start > 0 && (start == end || buffer.count - end < Self.chunkSize) {
            let count = end - start
            if count > 0 {
                buffer.withUnsafeMutableBufferPointer { b in
                    guard let base = b.baseAddress else { return }
                    _ = memmove(base, base + start, count)
                }
            }
            start = 0
            end = count
        }
        if buffer.count - end < Self.chunkSize {
            buffer.append(contentsOf: repeatElement(0, count: max(buffer.count, Self.chunkSize)))
        }
        let wanted = Self.chunkSize
        let fd = file.fd
        let position = end
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { b -> Int in
                guard let base = b.baseAddress else { return 0 }
                return read(fd, base + position, wanted)
            }
            if n > 0 {
                end += n
                return
            }
            if n == 0 {
                atEOF = true
                return
            }
            if errno == EINTR { continue }
            throw ReadError(code: .readFailed, path: path, line: lineNumber + 1, message: "read failed: \(Self.errnoMessage())")
        }
    }

    private static func errnoMessage() -> String {
        String(cString: strerror(errno))
    }
}

/// Owns a file descriptor and closes it when the last reader copy goes away.
final class SpendRecordFileDescriptor: Sendable {
    let fd: Int32
    let owned: Bool

    init(fd: Int32, owned: Bool) {
        self.fd = fd
        self.owned = owned
    }

    deinit {
        if owned { close(fd) }
    }
}
