import Foundation
import WireProtocol

/// The aggregator's durable state: the global model after the last merged round, and that round's
/// metrics (republished after a restart, in case the crash came between checkpoint and publish).
/// One file, replaced atomically: [u64 length of model payload][model payload][metrics payload].
public struct AggregatorCheckpoint: Sendable {
    public var model: GlobalModel
    public var metrics: RoundMetrics?

    public var round: Int { model.round }

    public init(model: GlobalModel, metrics: RoundMetrics?) {
        self.model = model
        self.metrics = metrics
    }

    public static func load(from url: URL) throws -> AggregatorCheckpoint? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count >= 8 else { throw AgentError.invalidFile(url.path, reason: "checkpoint is truncated") }
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        guard length <= bytes.count - 8 else { throw AgentError.invalidFile(url.path, reason: "checkpoint is truncated") }
        let model = try PayloadCodec.decode(GlobalModel.self, from: Array(bytes[8..<(8 + length)]))
        let rest = Array(bytes[(8 + length)...])
        let metrics = rest.isEmpty ? nil : try PayloadCodec.decode(RoundMetrics.self, from: rest)
        return AggregatorCheckpoint(model: model, metrics: metrics)
    }

    public func write(to url: URL) throws {
        let modelBytes = try PayloadCodec.encode(model)
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: modelBytes.count >> (8 * $0)) }
        bytes += modelBytes
        if let metrics { bytes += try PayloadCodec.encode(metrics) }
        try Data(bytes).write(to: url, options: .atomic)
    }
}
