import Testing

@Test func placeholder_CardGeniusTests() { #expect(Bool(true)) }
