import StrictJSON

extension UserSpendRecord {
    /// Parses one input record from a JSON object.
    ///
    /// The rules are listed on ``UserSpendRecord``. Parsing is a single strict pass over
    /// the bytes with the project's shared JSON scanner (no `JSONSerialization`): full
    /// RFC 8259 strings (escapes, surrogate pairs, UTF-8 validation), numbers with
    /// fractions and exponents, whitespace anywhere JSON allows it. Duplicate keys are rejected. The first
    /// problem found is thrown.
    public static func parse(json: some Collection<UInt8>) throws(RecordValidationError) -> UserSpendRecord {
        let fast = json.withContiguousStorageIfAvailable { buffer in
            var parser = SpendRecordJSONParser(UnsafeRawBufferPointer(buffer))
            return parser.parseRecord()
        }
        if let fast { return try fast.get() }
        let copy = Array(json)
        return try copy.withUnsafeBytes { buffer in
            var parser = SpendRecordJSONParser(buffer)
            return parser.parseRecord()
        }.get()
    }

    /// The canonical JSON value published to Kafka:
    /// `{"user_id":...,"cohort":... (if any), <every spend field in SpendField.allCases order>}`.
    ///
    /// Absent spends are written as `0`; integral amounts without `.0`; no whitespace.
    /// Metadata keys are not written. The result parses back to an equal record.
    public func canonicalJSON() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(720 + userID.utf8.count + (cohort?.utf8.count ?? 0))
        out.append(contentsOf: #"{"user_id":"#.utf8)
        JSONWriter.appendString(userID, to: &out)
        if let cohort {
            out.append(contentsOf: #","cohort":"#.utf8)
            JSONWriter.appendString(cohort, to: &out)
        }
        for field in SpendField.allCases {
            out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: field.rawValue.utf8)
            out.append(contentsOf: "\":".utf8)
            Self.appendJSONNumber(spends[field], to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// ``canonicalJSON()`` as a `String`.
    public var canonicalJSONString: String {
        String(decoding: canonicalJSON(), as: UTF8.self)
    }

    /// Integral values (below 1e15) as integers, others in Swift's shortest round-tripping form.
    /// (`JSONWriter.appendNumber` writes integers up to 2^53; the canonical form keeps its 1e15.)
    static func appendJSONNumber(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(UInt8(ascii: "0"))  // unreachable for validated records; JSON has no NaN/Infinity
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            JSONWriter.appendInteger(Int64(value), to: &out)
        } else {
            out.append(contentsOf: value.description.utf8)  // e.g. 1234.5, 1e+20, 5e-324: all valid JSON
        }
    }
}
