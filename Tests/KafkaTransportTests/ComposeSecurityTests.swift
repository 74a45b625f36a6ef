import Foundation
import KafkaTransport
import Testing

/// Offline checks of compose/secure (no Docker engine here; `compose/check.sh` also runs
/// `docker-compose config` on both files).
@Suite struct ComposeSecurityTests {
    static let compose = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("compose")
    static let roles = ["server", "aggregator", "auditor", "guardian", "admin"]

    @Test(arguments: roles)
    func everyRoleHasClientPropertiesTheTransportAccepts(role: String) throws {
        let url = Self.compose.appendingPathComponent("secure/clients/\(role).properties")
        let properties = try KafkaClientProperties.load(from: url)
        #expect(properties["security.protocol"] == "SASL_SSL")
        #expect(properties["sasl.mechanisms"] == "SCRAM-SHA-512")
        #expect(properties["sasl.username"] == role)
        #expect(properties["ssl.ca.location"] == "/etc/agentfl/ca.crt")
    }

    @Test func everyTopicHasAWriterAndAReaderInTheACLs() throws {
        let script = try String(contentsOf: Self.compose.appendingPathComponent("secure/setup-security.sh"), encoding: .utf8)
        let topicsDirectory = Self.compose.deletingLastPathComponent().appendingPathComponent("topics")
        let names = try FileManager.default.contentsOfDirectory(atPath: topicsDirectory.path)
            .filter { $0.hasSuffix(".json") }
            .map { file -> String in
                let data = try Data(contentsOf: topicsDirectory.appendingPathComponent(file))
                let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
                return try #require(object?["name"] as? String)
            }
        #expect(names.count >= 9)
        // "allow ROLE Write|Read topic…" lines, topics without their "agentfl." prefix.
        var writers: [String: Set<String>] = [:], readers: [String: Set<String>] = [:]
        for line in script.split(separator: "\n") where line.hasPrefix("allow ") {
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 4 else { continue }
            for topic in words[3...] {
                if words[2] == "Write" { writers["agentfl.\(topic)", default: []].insert(words[1]) }
                if words[2] == "Read" { readers["agentfl.\(topic)", default: []].insert(words[1]) }
            }
        }
        for name in names where name != "agentfl.audit" {
            #expect(writers[name]?.isEmpty == false, "no role may write \(name)")
        }
        for name in names {
            #expect(readers[name]?.isEmpty == false, "no role may read \(name)")
        }
        // What the issue asks of a guardian: write bids, updates (and heartbeats), read rounds,
        // assignments and models — and, for the negotiation, answer offers: nothing else.
        #expect(Set(writers.filter { $0.value.contains("guardian") }.keys)
            == ["agentfl.bids", "agentfl.updates", "agentfl.heartbeats", "agentfl.offer-answers"])
        #expect(Set(readers.filter { $0.value.contains("guardian") }.keys)
            == ["agentfl.rounds", "agentfl.assignments", "agentfl.models", "agentfl.offers"])
        // No ACL names a topic that topics/ does not declare.
        #expect(Set(writers.keys).union(readers.keys).subtracting(names).isEmpty)
    }
}
