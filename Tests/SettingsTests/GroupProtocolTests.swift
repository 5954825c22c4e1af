import Testing

@testable import Settings

/// `kafka.group_protocol`: the consumer group protocol (classic or KIP-848's consumer).
@Suite struct GroupProtocolTests {
    @Test("classic by default; consumer from the file; from the environment, which wins")
    func layers() throws {
        #expect(ServiceSettings.defaults.kafka.groupProtocol == "classic")
        let file = try ServiceSettings.parse(
            json: Array(#"{ "kafka": { "group_protocol": "consumer" } }"#.utf8),
            source: "cardgenius.json")
        #expect(file.kafka.groupProtocol == "consumer")
        let env = try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_KAFKA_GROUP_PROTOCOL": "consumer"], overrides: [:])
        #expect(env.kafka.groupProtocol == "consumer")
    }

    @Test(
        "a protocol other than classic or consumer stops start-up with one line naming the key",
        arguments: ["share", "CONSUMER", ""])
    func invalid(value: String) {
        do {
            _ = try ServiceSettings.parse(
                json: Array(#"{ "kafka": { "group_protocol": "\#(value)" } }"#.utf8),
                source: "cardgenius.json")
            Issue.record("accepted \(value)")
        } catch {
            #expect(
                error.description == #"cardgenius.json: "kafka.group_protocol" must be one of classic, consumer, got "\#(value)""#,
                "\(error)")
        }
    }

    @Test("group.protocol in kafka.properties is refused: kafka.group_protocol also leaves out what the broker owns")
    func rawPropertyRefused() {
        do {
            _ = try ServiceSettings.load(
                file: nil, environment: ["CARDGENIUS_KAFKA_PROPERTIES": #"{"group.protocol":"consumer"}"#],
                overrides: [:])
            Issue.record("kafka.properties.group.protocol was accepted")
        } catch {
            #expect(error.key == "kafka.properties.group.protocol")
            #expect(error.description.contains("kafka.group_protocol"), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }
}
