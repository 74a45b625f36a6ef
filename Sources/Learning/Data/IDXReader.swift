/// Reads the IDX files of MNIST and Fashion-MNIST (raw or gzip-compressed).
///
/// Format: big-endian magic `0x00000803` (unsigned bytes, 3 dimensions) then count, rows and
/// columns for images; `0x00000801` then count for labels; then the bytes.
public enum IDXReader {
    public static let imageMagic: UInt32 = 0x0000_0803
    public static let labelMagic: UInt32 = 0x0000_0801

    /// Pixels (count × rows × columns bytes) and the image geometry.
    public static func readImages(path: String) throws(DatasetError) -> (pixels: [UInt8], count: Int, rows: Int, columns: Int) {
        let bytes = try FileBytes.read(path: path)
        try checkMagic(bytes, expected: imageMagic, path: path)
        guard bytes.count >= 16 else { throw .truncated(path: path, expectedBytes: 16, actualBytes: bytes.count) }
        let count = Int(bigEndian(bytes, at: 4))
        let rows = Int(bigEndian(bytes, at: 8))
        let columns = Int(bigEndian(bytes, at: 12))
        guard rows > 0, columns > 0, rows <= 4096, columns <= 4096 else {
            throw .invalidHeader(path: path, reason: "image size \(rows)×\(columns)")
        }
        let expected = 16 + count * rows * columns
        guard bytes.count >= expected else { throw .truncated(path: path, expectedBytes: expected, actualBytes: bytes.count) }
        return (Array(bytes[16..<expected]), count, rows, columns)
    }

    public static func readLabels(path: String) throws(DatasetError) -> [UInt8] {
        let bytes = try FileBytes.read(path: path)
        try checkMagic(bytes, expected: labelMagic, path: path)
        guard bytes.count >= 8 else { throw .truncated(path: path, expectedBytes: 8, actualBytes: bytes.count) }
        let count = Int(bigEndian(bytes, at: 4))
        let expected = 8 + count
        guard bytes.count >= expected else { throw .truncated(path: path, expectedBytes: expected, actualBytes: bytes.count) }
        return Array(bytes[8..<expected])
    }

    /// Images and labels as a normalized dataset: `(pixel / 255 - mean) / std`; only the samples
    /// `samples` names, in that order (nil: all of them). The images file is streamed, so the
    /// process holds the samples it keeps, not the file.
    public static func readDataset(
        imagesPath: String, labelsPath: String, classCount: Int = 10, mean: Float, std: Float, samples: [Int]? = nil
    ) throws(DatasetError) -> Dataset {
        let header = try DatasetFileHeader.idx(path: imagesPath, magic: imageMagic)
        let labels = try readLabels(path: labelsPath)
        guard header.count == labels.count else { throw .countMismatch(images: header.count, labels: labels.count) }
        let sampleSize = header.rows * header.columns
        var picker = try RecordPicker(
            path: imagesPath, headerSize: 16, recordSize: sampleSize, recordCount: header.count, records: samples)
        let outputCount = samples?.count ?? header.count
        let scale = 1 / (255 * std)
        let shift = mean / std
        var features = [Float](repeating: 0, count: outputCount * sampleSize)
        try features.withUnsafeMutableBufferPointer { out throws(DatasetError) in
            try FileBytes.forEachChunk(path: imagesPath) { chunk throws(DatasetError) in
                try picker.consume(chunk) { pixels, _, position in
                    let base = position * sampleSize
                    for i in 0..<sampleSize { out[base + i] = Float(pixels[i]) * scale - shift }
                }
            }
            try picker.finish()
            for (position, original) in picker.repeatedPositions {
                for i in 0..<sampleSize { out[position * sampleSize + i] = out[original * sampleSize + i] }
            }
        }
        return try Dataset(
            sampleShape: [1, header.rows, header.columns],
            classCount: classCount,
            features: features,
            labels: (samples ?? Array(0..<header.count)).map { Int32(labels[$0]) }
        )
    }

    private static func checkMagic(_ bytes: [UInt8], expected: UInt32, path: String) throws(DatasetError) {
        guard bytes.count >= 4 else { throw .truncated(path: path, expectedBytes: 4, actualBytes: bytes.count) }
        let magic = bigEndian(bytes, at: 0)
        guard magic == expected else { throw .wrongMagic(path: path, expected: expected, actual: magic) }
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
