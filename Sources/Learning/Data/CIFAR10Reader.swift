/// Reads the binary version of CIFAR-10: records of one label byte then 3 × 32 × 32 pixel bytes
/// (red plane, green plane, blue plane), 10,000 records per file.
public enum CIFAR10Reader {
    public static let recordSize = 1 + 3 * 32 * 32
    /// Per-channel mean and standard deviation of the training set.
    public static let mean: [Float] = [0.4914, 0.4822, 0.4465]
    public static let std: [Float] = [0.2470, 0.2435, 0.2616]

    /// Reads and concatenates the given batch files into one normalized dataset.
    public static func readDataset(paths: [String]) throws(DatasetError) -> Dataset {
        var features = [Float]()
        var labels = [Int32]()
        for path in paths {
            let bytes = try FileBytes.read(path: path)
            guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
                let whole = (bytes.count / recordSize + 1) * recordSize
                throw .truncated(path: path, expectedBytes: whole, actualBytes: bytes.count)
            }
            let records = bytes.count / recordSize
            features.reserveCapacity(features.count + records * (recordSize - 1))
            for r in 0..<records {
                let base = r * recordSize
                let label = bytes[base]
                guard label < 10 else { throw .labelOutOfRange(label: Int(label), classCount: 10) }
                labels.append(Int32(label))
                for channel in 0..<3 {
                    let scale = 1 / (255 * std[channel])
                    let shift = mean[channel] / std[channel]
                    let start = base + 1 + channel * 1024
                    for i in 0..<1024 {
                        features.append(Float(bytes[start + i]) * scale - shift)
                    }
                }
            }
        }
        return try Dataset(sampleShape: [3, 32, 32], classCount: 10, features: features, labels: labels)
    }
}
