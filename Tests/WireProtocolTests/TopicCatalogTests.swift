import Foundation
import Testing
@testable import WireProtocol

@Suite struct TopicCatalogTests {
    private let projectTopics = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("topics")

    /// A copy of the project's topics folder to break on purpose.
    private func scratchCopy() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("topics-\(UUID().uuidString)")
        // Resolve first: copying a symlinked folder would copy the link, and edits would reach the original.
        try FileManager.default.copyItem(at: projectTopics.resolvingSymlinksInPath(), to: directory)
        return directory
    }

    private func edit(_ file: URL, _ change: (inout [String: Any]) -> Void) throws {
        var object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: file)
    }

    private func loadError(_ directory: URL) -> TopicCatalogError? {
        #expect(throws: TopicCatalogError.self) { try TopicCatalog.load(directory: directory) }
    }

    @Test func projectCatalogDeclaresEveryMessageTypeOnce() throws {
        let catalog = try TopicCatalog.load(directory: projectTopics)
        #expect(catalog.all.count == MessageType.allCases.count)
        for type in MessageType.allCases {
            let topic = catalog.topic(for: type)
            #expect(topic.messageType == type)
            #expect(topic.name.hasPrefix("agentfl."))
            #expect(topic.schemaVersion == type.schemaVersion)
            #expect(topic.file?.lastPathComponent == topic.name.dropFirst("agentfl.".count) + ".json")
        }
        #expect(catalog.topic(for: .globalModel).cleanupPolicy == .compact)
        #expect(catalog.topic(for: .clientUpdate).key == .clientID)
        #expect(catalog.topic(for: .roundAnnouncement).name == "agentfl.rounds")
    }

    @Test func locateFindsTheProjectFolderAndHonoursTheEnvironment() throws {
        let nested = projectTopics.deletingLastPathComponent().appendingPathComponent("Sources/WireProtocol")
        #expect(try TopicCatalog.locate(environment: [:], currentDirectory: nested).standardizedFileURL.path
                == projectTopics.standardizedFileURL.path)
        let copy = try scratchCopy()
        defer { try? FileManager.default.removeItem(at: copy) }
        #expect(try TopicCatalog.locate(environment: ["AGENTFL_TOPICS": copy.path]).path == copy.standardizedFileURL.path)
        #expect(throws: TopicCatalogError.self) {
            try TopicCatalog.locate(environment: ["AGENTFL_TOPICS": "/nonexistent/topics"])
        }
    }

    @Test func missingFieldNamesFileAndField() throws {
        let directory = try scratchCopy()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bids.json")
        try edit(file) { $0.removeValue(forKey: "partitions") }
        let error = loadError(directory)
        #expect(error == .missingField(file: file.path, field: "partitions"))
        #expect(error?.description == "\(file.path): missing field 'partitions'")
    }

    @Test func invalidJSONNamesTheFile() throws {
        let directory = try scratchCopy()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("rounds.json")
        try Data(#"{"name": "agentfl.rounds", "partitions": 1,"#.utf8).write(to: file)
        let error = loadError(directory)
        guard case .invalidJSON(let named, _) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(named == file.path)
        #expect(error?.description.hasPrefix(file.path + ": invalid JSON") == true)
    }

    @Test func duplicateNameNamesBothFiles() throws {
        let directory = try scratchCopy()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("updates.json")
        try edit(file) { $0["name"] = "agentfl.bids" }
        let error = loadError(directory)
        #expect(error == .duplicateName(name: "agentfl.bids", firstFile: directory.appendingPathComponent("bids.json").path,
                                        secondFile: file.path))
    }

    @Test func semanticErrorsAreSpecific() throws {
        let cases: [(String, (inout [String: Any]) -> Void, (URL) -> TopicCatalogError)] = [
            ("metrics.json", { $0["messageType"] = "weather" }, { .unknownMessageType(file: $0.path, value: "weather") }),
            ("metrics.json", { $0["partitions"] = 0 }, { .invalidPartitions(file: $0.path, value: 0) }),
            ("metrics.json", { $0["partitons"] = 1 }, { .unknownField(file: $0.path, field: "partitons") }),
            ("metrics.json", { $0["cleanupPolicy"] = "shred" }, { _ in .invalidField(file: "", field: "", reason: "") }),
            ("metrics.json", { $0["schemaVersion"] = 7 },
             { .schemaVersionMismatch(file: $0.path, type: .roundMetrics, declared: 7, built: RoundMetrics.schemaVersion) }),
        ]
        for (name, change, expected) in cases {
            let directory = try scratchCopy()
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent(name)
            try edit(file, change)
            let error = loadError(directory)
            if case .invalidField(let named, let field, _) = error {
                #expect(named == file.path && field == "cleanupPolicy")
            } else {
                #expect(error == expected(file))
            }
        }
    }

    @Test func twoTopicsForOneTypeAndAMissingTypeAreReported() throws {
        let directory = try scratchCopy()
        defer { try? FileManager.default.removeItem(at: directory) }
        let audit = directory.appendingPathComponent("audit.json")
        try edit(audit) { $0["messageType"] = "heartbeat" }
        let error = loadError(directory)
        #expect(error == .duplicateMessageType(type: .heartbeat, firstFile: audit.path,
                                               secondFile: directory.appendingPathComponent("heartbeats.json").path))
        try FileManager.default.removeItem(at: audit)
        #expect(loadError(directory) == .missingMessageType(type: .auditEvent, directory: directory.path))
    }
}
