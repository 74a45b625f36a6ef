import Foundation
import WireProtocol

/// Durable store of the updates and assignments the aggregator accepted but has not yet merged.
/// A handler writes here before its offset is committed, so an aggregator killed mid-round finds
/// every accepted update again on restart: nothing lost, and keyed by (round, client), nothing
/// counted twice.
public struct UpdateSpool: Sendable {
    public let directory: URL

    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func roundDirectory(_ round: Int) -> URL {
        directory.appendingPathComponent("round-\(round)", isDirectory: true)
    }

    public func store(_ update: ClientUpdate) throws {
        let folder = roundDirectory(update.round)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bytes = try PayloadCodec.encode(update)
        try Data(bytes).write(to: folder.appendingPathComponent("client-\(update.clientID).update"), options: .atomic)
    }

    public func store(_ assignment: Assignment) throws {
        let folder = roundDirectory(assignment.round)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bytes = try PayloadCodec.encode(assignment)
        try Data(bytes).write(to: folder.appendingPathComponent("assignment"), options: .atomic)
    }

    /// Every assignment and update still on disk (rounds not yet merged).
    public func load() throws -> (assignments: [Assignment], updates: [ClientUpdate]) {
        var assignments: [Assignment] = []
        var updates: [ClientUpdate] = []
        let rounds = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        for folder in rounds {
            for file in (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [] {
                let bytes = [UInt8](try Data(contentsOf: file))
                if file.lastPathComponent == "assignment" {
                    assignments.append(try PayloadCodec.decode(Assignment.self, from: bytes))
                } else if file.pathExtension == "update" {
                    updates.append(try PayloadCodec.decode(ClientUpdate.self, from: bytes))
                }
            }
        }
        return (assignments, updates)
    }

    public func removeRound(_ round: Int) {
        try? FileManager.default.removeItem(at: roundDirectory(round))
    }
}
