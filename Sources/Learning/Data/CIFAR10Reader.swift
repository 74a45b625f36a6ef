/// Reads the binary version of CIFAR-10: records of one label byte then 3 × 32 × 32 pixel bytes
/// (red plane, green plane, blue plane), 10,000 records per file.
public enum CIFAR10Reader {
    public static let recordSize = 1 + 3 * 32 * 32
    /// Per-channel mean and standard deviation of the training set.
    public static let mean: [Float] = [0.4914, 0.4822, 0.4465]
    public static let std: [Float] = [0.2470, 0.2435, 0.2616]

    /// Reads and concatenates the given batch files into one normalized dataset: only the samples
    /// `samples` names (indices into the concatenation), in that order (nil: all of them). The
    /// files are streamed, so the process holds the samples it keeps, not the files.
    public static func readDataset(paths: [String], samples: [Int]? = nil) throws(DatasetError) -> Dataset {
        var total = 0
        for path in paths { total += try DatasetFileHeader.cifar(path: path) }
        let sampleSize = recordSize - 1
        let name = paths.count == 1 ? paths[0] : "the CIFAR-10 batch files \(paths)"
        var picker = try RecordPicker(path: name, headerSize: 0, recordSize: recordSize, recordCount: total, records: samples)
        let outputCount = samples?.count ?? total
        var features = [Float](repeating: 0, count: outputCount * sampleSize)
        var labels = [Int32](repeating: 0, count: outputCount)
        let scales = (0..<3).map { 1 / (255 * std[$0]) }
        let shifts = (0..<3).map { mean[$0] / std[$0] }
        try features.withUnsafeMutableBufferPointer { out throws(DatasetError) in
            for path in paths {
                try FileBytes.forEachChunk(path: path) { chunk throws(DatasetError) in
                    try picker.consume(chunk) { record, _, position throws(DatasetError) in
                        let label = record[0]
                        guard label < 10 else { throw .labelOutOfRange(label: Int(label), classCount: 10) }
                        labels[position] = Int32(label)
                        let base = position * sampleSize
                        for channel in 0..<3 {
                            let scale = scales[channel], shift = shifts[channel]
                            let start = 1 + channel * 1024
                            for i in 0..<1024 { out[base + channel * 1024 + i] = Float(record[start + i]) * scale - shift }
                        }
                    }
                }
            }
            try picker.finish()
            for (position, original) in picker.repeatedPositions {
                labels[position] = labels[original]
                for i in 0..<sampleSize { out[position * sampleSize + i] = out[original * sampleSize + i] }
            }
        }
        return try Dataset(sampleShape: [3, 32, 32], classCount: 10, features: features, labels: labels)
    }
}
