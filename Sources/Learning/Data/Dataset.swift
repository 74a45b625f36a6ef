/// The datasets the loaders know.
public enum DatasetName: String, Sendable, CaseIterable, Codable {
    case fashionMNIST = "fashion-mnist"
    case mnist
    case cifar10
}

/// The standard splits of a dataset.
public enum DatasetSplit: String, Sendable, Hashable {
    case train
    case test
}

/// A labelled image set held in memory as normalized Float32 features.
///
/// `features` holds `count × sampleSize` values, one sample after another, each in the layout
/// `sampleShape` names (channels, height, width).
public struct Dataset: Sendable {
    public let sampleShape: [Int]
    public let classCount: Int
    public var count: Int { labels.count }
    public let features: [Float]
    public let labels: [Int32]

    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// Builds a dataset; the sizes must agree.
    public init(sampleShape: [Int], classCount: Int, features: [Float], labels: [Int32]) throws(DatasetError) {
        let size = sampleShape.reduce(1, *)
        guard sampleShape.count == 3, size > 0 else {
            throw .invalidShape(sampleShape)
        }
        guard features.count == labels.count * size else {
            throw .sizeMismatch(what: "features", expected: labels.count * size, actual: features.count)
        }
        if let bad = labels.first(where: { $0 < 0 || Int($0) >= classCount }) {
            throw .labelOutOfRange(label: Int(bad), classCount: classCount)
        }
        self.sampleShape = sampleShape
        self.classCount = classCount
        self.features = features
        self.labels = labels
    }

    /// The first `limit` samples (all of them when `limit` is nil or larger than the set).
    public func prefix(_ limit: Int?) -> Dataset {
        guard let limit, limit >= 0, limit < count else { return self }
        // Sizes already agree, so this cannot fail; the fallback keeps the API total.
        return (try? Dataset(
            sampleShape: sampleShape,
            classCount: classCount,
            features: Array(features[0..<(limit * sampleSize)]),
            labels: Array(labels[0..<limit])
        )) ?? self
    }

    /// How many samples of each class the given indices hold (all samples when nil).
    public func labelHistogram(of indices: [Int]? = nil) -> [Int] {
        var histogram = Array(repeating: 0, count: classCount)
        if let indices {
            for i in indices where i >= 0 && i < count { histogram[Int(labels[i])] += 1 }
        } else {
            for label in labels { histogram[Int(label)] += 1 }
        }
        return histogram
    }
}
