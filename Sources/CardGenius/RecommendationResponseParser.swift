import NIOCore
import StrictJSON

/// Validates a CardGenius response body and locates its `savings` array without re-encoding it.
///
/// The body must be a JSON object with a boolean `success`. When `success` is true it must
/// also carry `savings`, an array of objects; the array's exact byte range is recorded so the
/// caller can forward the bytes verbatim. Every other member is skipped but still validated,
/// so a truncated or malformed document is always detected. The scan is a single pass over
/// the bytes with no allocation beyond the decoded `message`.
public struct RecommendationResponseParser: Sendable {
    /// What the scan found in a well-formed body.
    public struct Parsed: Sendable, Hashable {
        /// The `success` flag.
        public var success: Bool
        /// The `message` member, or "" when absent or not a string.
        public var message: String
        /// Byte range of the `savings` array (from `[` to `]` inclusive), when present.
        public var savingsRange: Range<Int>?
        /// Number of objects in `savings`.
        public var cardCount: Int

        /// The recommendation of a successful answer, or nil without a `savings` array.
        /// The savings are a slice of `buffer` (shared storage) when `body` is its readable
        /// bytes, else a copy of `body`'s.
        func recommendation(in body: UnsafeRawBufferPointer, retaining buffer: ByteBuffer? = nil) -> Recommendation? {
            guard let range = savingsRange else { return nil }
            let savings =
                buffer.flatMap { $0.getSlice(at: $0.readerIndex + range.lowerBound, length: range.count) }
                ?? ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: body[range]))
            return Recommendation(savings: savings, cardCount: cardCount, message: message)
        }
    }

    /// Creates a parser.
    public init() {}

    /// Scans `body`.
    ///
    /// - Throws: ``CallFailure`` with code ``CallFailure/Code/truncatedBody`` when the document
    ///   ends early, or ``CallFailure/Code/malformedBody`` when it is not valid JSON or lacks a
    ///   boolean `success`, or (for `success: true`) a `savings` array of objects.
    public func parse(_ body: UnsafeRawBufferPointer) throws(CallFailure) -> Parsed {
        var scanner = JSONScanner(bytes: body)
        do {
            return try Self.scan(&scanner)
        } catch let error as CallFailure {
            throw error
        } catch {
            // `scan` only throws `ScanError` or `CallFailure`.
            guard let error = error as? JSONScanner.ScanError else {
                throw CallFailure(code: .malformedBody, message: "\(error)")
            }
            switch error {
            case .truncated(let offset):
                throw CallFailure(
                    code: .truncatedBody,
                    message: body.isEmpty ? "empty body" : "body ends early at byte \(offset) of \(body.count)"
                )
            case .malformed(let offset, let reason):
                throw CallFailure(code: .malformedBody, message: "invalid JSON at byte \(offset): \(reason)")
            }
        }
    }

    /// Scans `body`; see ``parse(_:)-(UnsafeRawBufferPointer)``.
    public func parse(_ body: [UInt8]) throws(CallFailure) -> Parsed {
        let result: Result<Parsed, CallFailure> = body.withUnsafeBytes { bytes in
            Result { () throws(CallFailure) -> Parsed in try self.parse(bytes) }
        }
        return try result.get()
    }

    /// Scans `body` and, when the API reported success, returns the recommendation (with the
    /// `savings` bytes copied out verbatim, once).
    ///
    /// - Throws: the errors of ``parse(_:)-(UnsafeRawBufferPointer)``, and
    ///   ``CallFailure/Code/apiReportedFailure`` for `"success": false`.
    public func recommendation(from body: UnsafeRawBufferPointer) throws(CallFailure) -> Recommendation {
        let parsed = try self.parse(body)
        guard parsed.success else {
            throw CallFailure(
                code: .apiReportedFailure,
                message: parsed.message.isEmpty ? "the API answered success=false" : parsed.message
            )
        }
        guard let recommendation = parsed.recommendation(in: body) else {
            throw CallFailure(code: .malformedBody, message: "success=true without a savings array")
        }
        return recommendation
    }

    /// Scans `body`; see ``recommendation(from:)-(UnsafeRawBufferPointer)``.
    public func recommendation(from body: [UInt8]) throws(CallFailure) -> Recommendation {
        let result: Result<Recommendation, CallFailure> = body.withUnsafeBytes { bytes in
            Result { () throws(CallFailure) -> Recommendation in try self.recommendation(from: bytes) }
        }
        return try result.get()
    }

    /// Best effort: the top-level string `message` of a JSON object body (error answers), or nil.
    public func errorMessage(in body: UnsafeRawBufferPointer) -> String? {
        var scanner = JSONScanner(bytes: body)
        do {
            try scanner.expect(UInt8(ascii: "{"))
            var first = true
            while let key = try scanner.nextObjectKey(first: first) {
                first = false
                if !key.hasEscapes, scanner.bytes(in: key.range, equal: "message"),
                    try scanner.peekKind() == .string
                {
                    let value = try scanner.scanString()
                    return scanner.decodeString(value.range, hasEscapes: value.hasEscapes)
                }
                try scanner.skipValue()
            }
        } catch {
            return nil
        }
        return nil
    }

    private static func scan(_ scanner: inout JSONScanner) throws -> Parsed {
        guard try scanner.peekKind() == .object else {
            throw CallFailure(code: .malformedBody, message: "the body is not a JSON object")
        }
        scanner.index += 1
        var success: Bool?
        var message = ""
        var savingsRange: Range<Int>?
        var cardCount = 0
        // A schema violation is reported only once the whole document has been scanned, so
        // that a truncated body is always reported as truncated.
        var schemaError: CallFailure?
        var first = true
        while let key = try scanner.nextObjectKey(first: first) {
            first = false
            let name: Substring
            if key.hasEscapes {
                name = Substring(scanner.decodeString(key.range, hasEscapes: true))
            } else if scanner.bytes(in: key.range, equal: "savings") {
                name = "savings"
            } else if scanner.bytes(in: key.range, equal: "success") {
                name = "success"
            } else if scanner.bytes(in: key.range, equal: "message") {
                name = "message"
            } else {
                name = ""
            }
            switch name {
            case "success":
                guard try scanner.peekKind() == .bool else {
                    try scanner.skipValue()
                    schemaError = schemaError ?? CallFailure(code: .malformedBody, message: "success is not a boolean")
                    continue
                }
                success = try scanner.scanBool()
            case "message":
                if try scanner.peekKind() == .string {
                    let value = try scanner.scanString()
                    message = scanner.decodeString(value.range, hasEscapes: value.hasEscapes)
                } else {
                    try scanner.skipValue()
                }
            case "savings":
                guard try scanner.peekKind() == .array else {
                    try scanner.skipValue()
                    schemaError = schemaError ?? CallFailure(code: .malformedBody, message: "savings is not an array")
                    continue
                }
                let start = scanner.index
                scanner.index += 1
                var count = 0
                var firstElement = true
                while try scanner.nextArrayElement(first: firstElement) {
                    firstElement = false
                    if try scanner.peekKind() != .object {
                        schemaError =
                            schemaError
                            ?? CallFailure(code: .malformedBody, message: "savings[\(count)] is not an object")
                    }
                    try scanner.skipValue()
                    count += 1
                }
                savingsRange = start..<scanner.index
                cardCount = count
            default:
                try scanner.skipValue()
            }
        }
        try scanner.expectEnd()
        if let schemaError { throw schemaError }
        guard let success else {
            throw CallFailure(code: .malformedBody, message: "no boolean success member")
        }
        if success, savingsRange == nil {
            throw CallFailure(code: .malformedBody, message: "success=true without a savings array")
        }
        return Parsed(success: success, message: message, savingsRange: savingsRange, cardCount: cardCount)
    }
}
