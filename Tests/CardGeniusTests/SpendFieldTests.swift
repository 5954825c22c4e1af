import Testing

@testable import CardGenius

/// `SpendField` hashes and compares by position (`ordinal`), read from the enum's storage.
@Suite struct SpendFieldTests {
    @Test func ordinalIsThePositionInAllCases() {
        #expect(MemoryLayout<SpendField>.size == 1)
        for (index, field) in SpendField.allCases.enumerated() {
            #expect(Int(field.ordinal) == index, "\(field)")
        }
    }

    @Test func equalityAndHashingTellEveryFieldApart() {
        let all = SpendField.allCases
        #expect(Set(all).count == all.count)
        var byName: [SpendField: String] = [:]
        for field in all { byName[field] = field.rawValue }
        for field in all {
            #expect(byName[field] == field.rawValue)
            #expect(SpendField(rawValue: field.rawValue) == field)
            #expect(all.filter { $0 == field }.count == 1)
        }
    }
}
