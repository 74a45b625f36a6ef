import Foundation

/// Per-client sizes and label histograms of a partition.
public struct PartitionReport: Sendable, Codable, Equatable, CustomStringConvertible {
    public let sizes: [Int]
    public let labelHistograms: [[Int]]

    public init(sizes: [Int], labelHistograms: [[Int]]) {
        self.sizes = sizes
        self.labelHistograms = labelHistograms
    }

    /// Number of classes a client holds at least one sample of, per client.
    public var classesPerClient: [Int] {
        labelHistograms.map { $0.filter { $0 > 0 }.count }
    }

    public var description: String {
        let minSize = sizes.min() ?? 0
        let maxSize = sizes.max() ?? 0
        let meanClasses = classesPerClient.isEmpty ? 0 : Double(classesPerClient.reduce(0, +)) / Double(classesPerClient.count)
        return "\(sizes.count) clients, sizes \(minSize)…\(maxSize), mean \(String(format: "%.1f", meanClasses)) classes per client"
    }
}
