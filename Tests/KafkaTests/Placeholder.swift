import Testing

@Test func placeholder_KafkaTests() { #expect(Bool(true)) }
