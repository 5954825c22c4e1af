/// The keys a record may contain, with a bit index for duplicate detection.
enum SpendRecordKey: Equatable {
    case userID
    case cohort
    case spend(SpendField)
    case metadata(String)

    var bit: UInt64 {
        switch self {
        case .userID: return 1 << 0
        case .cohort: return 1 << 1
        case .spend(let field): return 1 << (2 + UInt64(field.ordinal))
        case .metadata(let name): return 1 << (40 + UInt64(UserSpendRecord.metadataKeys.firstIndex(of: name) ?? 0))
        }
    }

    var name: String {
        switch self {
        case .userID: return "user_id"
        case .cohort: return "cohort"
        case .spend(let field): return field.rawValue
        case .metadata(let name): return name
        }
    }

    static let all: [SpendRecordKey] =
        [.userID, .cohort] + SpendField.allCases.map { .spend($0) } + UserSpendRecord.metadataKeys.map { .metadata($0) }

    /// Names a typo may be corrected to.
    static let suggestible: [String] = ["user_id", "cohort"] + SpendField.allCases.map(\.rawValue)

    /// `all`, bucketed by UTF-8 length, for allocation-free lookup of raw key bytes.
    static let byLength: [[(bytes: [UInt8], key: SpendRecordKey)]] = {
        let maxLength = all.map { $0.name.utf8.count }.max() ?? 0
        var table = [[(bytes: [UInt8], key: SpendRecordKey)]](repeating: [], count: maxLength + 1)
        for key in all {
            let bytes = Array(key.name.utf8)
            table[bytes.count].append((bytes, key))
        }
        return table
    }()

    static func lookup(_ bytes: UnsafeRawBufferPointer) -> SpendRecordKey? {
        guard bytes.count < byLength.count else { return nil }
        for candidate in byLength[bytes.count] where candidate.bytes.elementsEqual(bytes) {
            return candidate.key
        }
        return nil
    }
}
