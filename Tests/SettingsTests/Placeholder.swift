import Testing

@Test func placeholder_SettingsTests() { #expect(Bool(true)) }
