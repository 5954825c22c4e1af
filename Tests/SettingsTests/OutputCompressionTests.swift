import Testing

@testable import Settings

/// `kafka.output_compression`: the codec of what the member publishes.
@Suite struct OutputCompressionTests {
    @Test("lz4 by default; zstd from the file; none from the environment, which wins")
    func layers() throws {
        #expect(ServiceSettings.defaults.kafka.outputCompression == "lz4")
        let file = try ServiceSettings.parse(
            json: Array(#"{ "kafka": { "output_compression": "zstd" } }"#.utf8),
            source: "cardgenius.json")
        #expect(file.kafka.outputCompression == "zstd")
        let env = try ServiceSettings.load(file: nil, environment: ["CARDGENIUS_KAFKA_OUTPUT_COMPRESSION": "none"], overrides: [:])
        #expect(env.kafka.outputCompression == "none")
    }

    @Test("a codec other than lz4, zstd or none stops start-up with one line naming the key", arguments: ["gzip", "LZ4", ""])
    func invalid(codec: String) {
        do {
            _ = try ServiceSettings.parse(
                json: Array(#"{ "kafka": { "output_compression": "\#(codec)" } }"#.utf8),
                source: "cardgenius.json")
            Issue.record("accepted \(codec)")
        } catch {
            #expect(
                error.description == #"cardgenius.json: "kafka.output_compression" must be one of lz4, zstd, none, got "\#(codec)""#,
                "\(error)")
        }
    }
}
