import StrictJSON

/// The header line of a CSV input file, and the conversion of rows to records.
///
/// CSV follows RFC 4180 within one line: fields separated by `,`, optionally
/// quoted with `"`, a quote inside a quoted field written as `""`, a trailing
/// `\r` ignored. Quoted fields cannot contain line breaks (the reader splits on
/// `\n`). Column names are trimmed of spaces; a UTF-8 byte order mark is ignored.
///
/// Columns: `user_id` (required), `cohort`, any ``SpendField`` name, and the
/// metadata columns of ``UserSpendRecord/metadataKeys`` (ignored; a
/// `selected_card_id` cell must be empty or `null`). Any other column is an error
/// when the header is parsed.
public struct CSVHeader: Sendable, Equatable {
    /// What a column holds.
    public enum Column: Sendable, Hashable {
        case userID
        case cohort
        case spend(SpendField)
        case metadata(String)
    }

    /// The column names, as written (trimmed).
    public let names: [String]
    /// The meaning of each column, parallel to ``names``.
    public let columns: [Column]
    private let userIDIndex: Int

    /// Parses a header line.
    ///
    /// Errors name the column: `amazon_spend: is not a known column (did you mean "amazon_spends"?)`,
    /// `user_id: column is required`, `fuel: column appears more than once`.
    public init(parsing line: some Collection<UInt8>) throws(RecordValidationError) {
        let cells = try CSVSplitter.split(line, stripBOM: true)
        var names: [String] = []
        var columns: [Column] = []
        var seen: Set<String> = []
        for (index, cell) in cells.enumerated() {
            let name = cell.trimmingSpacesAndTabs()
            guard !name.isEmpty else {
                throw RecordValidationError(
                    code: .empty, field: "(header)", reason: "column \(index + 1) has an empty name"
                )
            }
            guard seen.insert(name).inserted else {
                throw RecordValidationError(code: .duplicateField, field: name, reason: "column appears more than once")
            }
            let column: Column
            if name == "user_id" {
                column = .userID
            } else if name == "cohort" {
                column = .cohort
            } else if let field = SpendField(rawValue: name) {
                column = .spend(field)
            } else if UserSpendRecord.metadataKeys.contains(name) {
                column = .metadata(name)
            } else {
                var reason = "is not a known column"
                if let guess = RecordValidationError.suggestion(for: name, among: SpendRecordKey.suggestible) {
                    reason += " (did you mean \"\(guess)\"?)"
                }
                throw RecordValidationError(code: .unknownField, field: name, reason: reason)
            }
            names.append(name)
            columns.append(column)
        }
        guard let userIDIndex = columns.firstIndex(of: .userID) else {
            throw RecordValidationError(code: .missingField, field: "user_id", reason: "column is required")
        }
        self.names = names
        self.columns = columns
        self.userIDIndex = userIDIndex
    }

    /// Converts one data row to a record.
    ///
    /// An empty spend cell is `0`; others must be finite numbers `>= 0` (surrounding
    /// spaces allowed). An empty `cohort` cell means no cohort. Errors name the column;
    /// a row with the wrong number of cells is a `(record)` error.
    public func record(fromRow line: some Collection<UInt8>) throws(RecordValidationError) -> UserSpendRecord {
        let cells = try CSVSplitter.split(line, stripBOM: false)
        guard cells.count == columns.count else {
            throw RecordValidationError(
                code: .wrongCellCount, field: RecordValidationError.recordField,
                reason: "has \(cells.count) cell\(cells.count == 1 ? "" : "s"), expected \(columns.count) (one per header column)"
            )
        }
        var cohort: String? = nil
        var amounts: [SpendField: Double] = [:]
        amounts.reserveCapacity(columns.count)
        for (column, cell) in zip(columns, cells) {
            switch column {
            case .userID:
                try UserSpendRecord.validateUserID(cell)
            case .cohort:
                if !cell.isEmpty {
                    try UserSpendRecord.validateCohort(cell)
                    cohort = cell
                }
            case .spend(let field):
                if let value = try Self.amount(cell, field: field.rawValue) { amounts[field] = value }
            case .metadata(let name):
                if name == "selected_card_id" && !(cell.isEmpty || cell == "null") {
                    throw RecordValidationError(
                        code: .wrongType, field: name,
                        reason: "must be empty or null (a recommendation has no selected card), got \(RecordValidationError.quoted(cell))"
                    )
                }
            }
        }
        return UserSpendRecord(userID: cells[userIDIndex], cohort: cohort, spends: SpendProfile(amounts))
    }

    /// Parses a spend cell; `nil` for an empty cell.
    private static func amount(_ cell: String, field: String) throws(RecordValidationError) -> Double? {
        let text = cell.trimmingSpacesAndTabs()
        if text.isEmpty { return nil }
        let expectation = "must be a finite number >= 0"
        var utf8 = Array(text.utf8)
        // Leniency for spreadsheets: a leading '+'.
        if utf8.first == UInt8(ascii: "+") && utf8.count > 1 { utf8.removeFirst() }
        let scanned = utf8.withUnsafeBytes { JSONScanner.double(exactly: $0) }
        guard let value = scanned else {
            switch text.lowercased() {
            case "nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity":
                throw RecordValidationError(code: .notFinite, field: field, reason: "\(expectation), got \(text)")
            default:
                throw RecordValidationError(
                    code: .wrongType, field: field, reason: "\(expectation), got \(RecordValidationError.quoted(cell))"
                )
            }
        }
        guard value.isFinite else {
            throw RecordValidationError(code: .notFinite, field: field, reason: "\(expectation), got \(text)")
        }
        guard value >= 0 else {
            throw RecordValidationError(code: .negative, field: field, reason: "\(expectation), got \(text)")
        }
        return value + 0  // -0 → 0
    }
}

extension UserSpendRecord {
    /// Parses one CSV data row using `header`; see ``CSVHeader/record(fromRow:)``.
    public static func parse(csvRow line: some Collection<UInt8>, header: CSVHeader) throws(RecordValidationError) -> UserSpendRecord {
        try header.record(fromRow: line)
    }
}

/// Splits one CSV line into cells (RFC 4180, without embedded line breaks).
enum CSVSplitter {
    static func split(_ line: some Collection<UInt8>, stripBOM: Bool) throws(RecordValidationError) -> [String] {
        let result = line.withContiguousStorageIfAvailable { buffer in
            Result { () throws(RecordValidationError) -> [String] in try split(buffer, stripBOM: stripBOM) }
        }
        if let result { return try result.get() }
        return try Array(line).withUnsafeBufferPointer { buffer in
            Result { () throws(RecordValidationError) -> [String] in try split(buffer, stripBOM: stripBOM) }
        }.get()
    }

    private static func split(_ b: UnsafeBufferPointer<UInt8>, stripBOM: Bool) throws(RecordValidationError) -> [String] {
        var end = b.count
        if end > 0 && b[end - 1] == 0x0D { end -= 1 }
        var i = 0
        if stripBOM && b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        var cells: [String] = []
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        while true {
            let column = cells.count + 1
            // Spaces before an opening quote are tolerated (`a, "b"`).
            var afterSpaces = i
            while afterSpaces < end && (b[afterSpaces] == 0x20 || b[afterSpaces] == 0x09) { afterSpaces += 1 }
            if afterSpaces < end && b[afterSpaces] == quote {
                i = afterSpaces
                // Quoted field.
                i += 1
                var bytes: [UInt8] = []
                var closed = false
                while i < end {
                    if b[i] == quote {
                        if i + 1 < end && b[i + 1] == quote {
                            bytes.append(quote)
                            i += 2
                        } else {
                            i += 1
                            closed = true
                            break
                        }
                    } else {
                        bytes.append(b[i])
                        i += 1
                    }
                }
                guard closed else {
                    throw invalid("column \(column): unterminated quoted field (quoted fields cannot span lines)")
                }
                cells.append(try string(bytes[...], column: column))
                while i < end && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }  // and after the closing one
                if i < end && b[i] != comma {
                    throw invalid("column \(column): unexpected character after the closing quote")
                }
            } else {
                let start = i
                while i < end && b[i] != comma {
                    if b[i] == quote { throw invalid("column \(column): '\"' in an unquoted field (quote the whole field)") }
                    i += 1
                }
                cells.append(try string(UnsafeBufferPointer(rebasing: b[start..<i]), column: column))
            }
            if i >= end { return cells }
            i += 1  // comma
        }
    }

    private static func string(_ bytes: some Collection<UInt8>, column: Int) throws(RecordValidationError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw invalid("column \(column): not valid UTF-8")
        }
        return s
    }

    private static func invalid(_ message: String) -> RecordValidationError {
        RecordValidationError(code: .invalidJSON, field: RecordValidationError.recordField, reason: "invalid CSV: \(message)")
    }
}

extension String {
    fileprivate func trimmingSpacesAndTabs() -> String {
        var slice = self[...]
        while let f = slice.first, f == " " || f == "\t" { slice.removeFirst() }
        while let l = slice.last, l == " " || l == "\t" { slice.removeLast() }
        return slice.count == count ? self : String(slice)
    }
}
