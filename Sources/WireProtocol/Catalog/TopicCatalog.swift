import Foundation

/// The topics of the protocol, read from `topics/*.json`: the one place topic names exist.
///
/// A catalog always holds exactly one topic per ``MessageType``, so ``topic(for:)`` cannot fail.
public struct TopicCatalog: Sendable {
    /// Environment variable naming the topics directory; wins over the search.
    public static let environmentVariable = "AGENTFL_TOPICS"

    /// Every topic, sorted by name.
    public let all: [TopicDefinition]
    /// Where the catalog was loaded from, if it was.
    public let directory: URL?
    private let byType: [MessageType: TopicDefinition]

    /// Validates `topics`: unique names, partitions ≥ 1, one topic per message type, schema
    /// versions this build speaks.
    public init(topics: [TopicDefinition], directory: URL? = nil) throws(TopicCatalogError) {
        var byName: [String: TopicDefinition] = [:]
        var byType: [MessageType: TopicDefinition] = [:]
        for topic in topics {
            let file = topic.file?.path ?? topic.name
            guard topic.partitions >= 1 else { throw .invalidPartitions(file: file, value: Int(topic.partitions)) }
            if let other = byName[topic.name] {
                throw .duplicateName(name: topic.name, firstFile: other.file?.path ?? other.name, secondFile: file)
            }
            if let other = byType[topic.messageType] {
                throw .duplicateMessageType(type: topic.messageType, firstFile: other.file?.path ?? other.name, secondFile: file)
            }
            guard topic.schemaVersion == topic.messageType.schemaVersion else {
                throw .schemaVersionMismatch(file: file, type: topic.messageType, declared: topic.schemaVersion,
                                             built: topic.messageType.schemaVersion)
            }
            byName[topic.name] = topic
            byType[topic.messageType] = topic
        }
        for type in MessageType.allCases where byType[type] == nil {
            throw .missingMessageType(type: type, directory: directory?.path ?? "topic catalog")
        }
        self.all = topics.sorted { $0.name < $1.name }
        self.byType = byType
        self.directory = directory
    }

    /// The topic that carries `type`.
    public func topic(for type: MessageType) -> TopicDefinition {
        guard let topic = byType[type] else {
            preconditionFailure("TopicCatalog.init guarantees a topic for every message type; \(type) is missing")
        }
        return topic
    }

    public func topic(named name: String) -> TopicDefinition? {
        all.first { $0.name == name }
    }

    /// The topic names for `types`, in that order.
    public func topicNames(for types: [MessageType]) -> [String] {
        types.map { topic(for: $0).name }
    }

    /// Loads every `*.json` file of `directory` (other files, e.g. README.md, are ignored).
    public static func load(directory: URL) throws(TopicCatalogError) -> TopicCatalog {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "json" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw .directoryUnreadable(directory: directory.path, reason: error.localizedDescription)
        }
        var topics: [TopicDefinition] = []
        for file in files {
            let data: Data
            do {
                data = try Data(contentsOf: file)
            } catch {
                throw .directoryUnreadable(directory: directory.path, reason: "\(file.lastPathComponent): \(error.localizedDescription)")
            }
            topics.append(try TopicFileParser.parse(data, file: file))
        }
        return try TopicCatalog(topics: topics, directory: directory)
    }

    /// Loads the catalog ``locate(environment:currentDirectory:)`` finds.
    public static func loadDefault() throws(TopicCatalogError) -> TopicCatalog {
        try load(directory: locate())
    }

    /// Finds the topics directory: `$AGENTFL_TOPICS` if set, else a `topics/` directory holding
    /// `*.json` files in the current directory or one of its parents, else the same search upward
    /// from the running executable's directory.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws(TopicCatalogError) -> URL {
        if let configured = environment[environmentVariable], !configured.isEmpty {
            let url = URL(fileURLWithPath: configured, relativeTo: currentDirectory).standardizedFileURL
            guard isTopicsDirectory(url) else { throw .notFound(searched: ["\(environmentVariable)=\(url.path)"]) }
            return url
        }
        var searched: [String] = []
        var starts = [currentDirectory]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            starts.append(executable.deletingLastPathComponent())
        }
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent("topics", isDirectory: true)
                searched.append(candidate.path)
                if isTopicsDirectory(candidate) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw .notFound(searched: searched)
    }

    private static func isTopicsDirectory(_ url: URL) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.contains { $0.hasSuffix(".json") }
    }
}
