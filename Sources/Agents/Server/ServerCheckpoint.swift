import Foundation

/// The server agent's progress on disk: which round it announced, with which deadlines, and which
/// it saw completed. Written atomically after each step, read on start.
public struct ServerCheckpoint: Codable, Sendable, Equatable {
    public var lastAnnouncedRound = 0
    public var lastCompletedRound = 0
    public var bidDeadline: Date?
    public var roundDeadline: Date?
    /// The strategy's state after the feedback of `lastCompletedRound`: where the next plan starts.
    public var strategyState: Data?
    /// The round last planned and the strategy's state right after planning it, so a server
    /// restarted between planning and that round's feedback goes on from the state it decided with.
    public var plannedRound = 0
    public var plannedState: Data?

    public init() {}

    public static func load(from url: URL) -> ServerCheckpoint? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(ServerCheckpoint.self, from: data)
    }

    public func write(to url: URL) throws {
        try JSONEncoder().encode(self).write(to: url, options: .atomic)
    }
}
