import Testing

@Test func placeholder_SimulatorTests() { #expect(Bool(true)) }
