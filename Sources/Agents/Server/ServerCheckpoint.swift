import Foundation

/// The server agent's progress on disk: which round it announced, with which deadlines, and which
/// it saw completed. Written atomically after each step, read on start.
public struct ServerCheckpoint: Codable, Sendable, Equatable {
    public var lastAnnouncedRound = 0
    public var lastCompletedRound = 0
    public var bidDeadline: Date?
    public var roundDeadline: Date?

    public init() {}

    public static func load(from url: URL) -> ServerCheckpoint? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(ServerCheckpoint.self, from: data)
    }

    public func write(to url: URL) throws {
        try JSONEncoder().encode(self).write(to: url, options: .atomic)
    }
}
