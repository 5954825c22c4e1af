import Foundation
import Testing

/// The configuration the Kubernetes manifests give a member — the `cardgenius-config`
/// ConfigMap's file (`deploy/kubernetes/base/cardgenius.json`) plus the environment the
/// StatefulSet sets (pod name, Secret) — loads with the real loader.
@Suite("Kubernetes configuration")
struct KubernetesConfigTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/kubernetes/base/cardgenius.json").path

    @Test("the ConfigMap's file with the StatefulSet's environment: valid, static member, secrets redacted")
    func manifestConfigurationLoads() async throws {
        let secret = "s3cret-\(UUID().uuidString)"
        let environment = [
            "CARDGENIUS_CONFIG": Self.file,
            "CARDGENIUS_KAFKA_GROUP_INSTANCE_ID": "cardgenius-3",
            "CARDGENIUS_KAFKA_BOOTSTRAP_SERVERS": "pkc-1.example.com:9092",
            "CARDGENIUS_KAFKA_PROPERTIES": #"{"security.protocol":"SASL_SSL","sasl.mechanism":"PLAIN","sasl.username":"key","sasl.password":"\#(secret)"}"#,
        ]
        let check = try await CLI.run(["config", "check"], environment: environment)
        #expect(check.status == .exited(0), "\(check)")
        let show = try await CLI.run(["config", "show"], environment: environment)
        #expect(show.status == .exited(0), "\(show)")
        #expect(!show.stdout.contains(secret) && !show.stderr.contains(secret), "the secret leaked:\n\(show)")
        let shown = try #require(jsonObject(show.stdout), "config show prints JSON: \(show.stdout)")
        let kafka = shown["kafka"] as? [String: Any]
        #expect(kafka?["group_instance_id"] as? String == "cardgenius-3")
        #expect(kafka?["bootstrap_servers"] as? String == "pkc-1.example.com:9092")
        let properties = kafka?["properties"] as? [String: Any]
        #expect(properties?["session.timeout.ms"] as? String == "45000", "the file's properties merge with the Secret's")
        #expect(properties?["security.protocol"] as? String == "SASL_SSL")
        #expect(properties?["sasl.password"] as? String == "***")
    }
}
