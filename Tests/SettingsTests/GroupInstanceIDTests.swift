import Testing

@testable import Settings

/// `kafka.group_instance_id`: static group membership, from the file or the environment.
@Suite struct GroupInstanceIDTests {
    @Test("empty by default (a dynamic member); from the file; the environment (the pod name) wins")
    func layers() throws {
        #expect(ServiceSettings.defaults.kafka.groupInstanceID == "")
        let file = try ServiceSettings.parse(
            json: Array(#"{ "kafka": { "group_instance_id": "member-a" } }"#.utf8),
            source: "cardgenius.json")
        #expect(file.kafka.groupInstanceID == "member-a")
        let env = try ServiceSettings.load(
            file: nil, environment: ["CARDGENIUS_KAFKA_GROUP_INSTANCE_ID": "cardgenius-2"],
            overrides: [:])
        #expect(env.kafka.groupInstanceID == "cardgenius-2")
    }

    @Test("an id with a space or a control character, or longer than 249 characters, stops start-up naming the key")
    func invalid() {
        for bad in ["pod 1", "pod\\t1", String(repeating: "x", count: 250)] {
            do {
                _ = try ServiceSettings.parse(
                    json: Array(#"{ "kafka": { "group_instance_id": "\#(bad)" } }"#.utf8),
                    source: "cardgenius.json")
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.description.hasPrefix(#"cardgenius.json: "kafka.group_instance_id" must"#), "\(error)")
            }
        }
    }
}
