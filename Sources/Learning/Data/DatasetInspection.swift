import CZlib
import Foundation

/// What a dataset's files say about themselves: sample counts and geometry from their headers
/// and sizes, without reading the samples.
public struct DatasetSummary: Sendable, Equatable {
    public let trainCount: Int
    public let testCount: Int
    /// `[channels, height, width]`.
    public let sampleShape: [Int]
    public let classCount: Int
}

extension DatasetLoader {
    /// Checks, cheaply, that the dataset's files exist, are readable, are not empty and have
    /// valid headers whose sample counts agree (images with labels) and fit the file sizes: what
    /// a run must know before it starts any process. It reads headers and sizes only (for a
    /// `.gz` file the first bytes inflated and the gzip trailer's length), so a file damaged in
    /// the middle still fails later, when it is loaded.
    /// `includingTest: false` checks the training files alone (a client's own data has no test
    /// split); the summary's test count is then 0.
    public static func inspect(_ name: DatasetName, directory: URL?, includingTest: Bool = true) throws(DatasetError) -> DatasetSummary {
        let directory = try resolvedDirectory(name, directory)
        switch name {
        case .fashionMNIST, .mnist:
            func split(_ stem: String) throws(DatasetError) -> (count: Int, rows: Int, columns: Int) {
                let imagesPath = idxPath("\(stem)-images-idx3-ubyte", in: directory)
                let labelsPath = idxPath("\(stem)-labels-idx1-ubyte", in: directory)
                let images = try DatasetFileHeader.idx(path: imagesPath, magic: IDXReader.imageMagic)
                let labels = try DatasetFileHeader.idx(path: labelsPath, magic: IDXReader.labelMagic)
                guard images.count == labels.count else { throw .countMismatch(images: images.count, labels: labels.count) }
                return (images.count, images.rows, images.columns)
            }
            let train = try split("train")
            let test = includingTest ? try split("t10k") : (count: 0, rows: train.rows, columns: train.columns)
            return DatasetSummary(trainCount: train.count, testCount: test.count, sampleShape: [1, train.rows, train.columns], classCount: 10)
        case .cifar10:
            let files = cifarFiles(in: directory)
            var trainCount = 0
            for path in files.train { trainCount += try DatasetFileHeader.cifar(path: path) }
            let testCount = includingTest ? try DatasetFileHeader.cifar(path: files.test) : 0
            return DatasetSummary(trainCount: trainCount, testCount: testCount, sampleShape: [3, 32, 32], classCount: 10)
        }
    }

    /// The training split's labels only (a few kilobytes for the IDX datasets; CIFAR-10 stores
    /// them between the images, so its batch files are read through), for checking a partition
    /// before anything starts.
    public static func trainingLabels(_ name: DatasetName, directory: URL?) throws(DatasetError) -> [Int32] {
        let directory = try resolvedDirectory(name, directory)
        switch name {
        case .fashionMNIST, .mnist:
            return try IDXReader.readLabels(path: idxPath("train-labels-idx1-ubyte", in: directory)).map { Int32($0) }
        case .cifar10:
            var labels = [Int32]()
            for path in cifarFiles(in: directory).train {
                let bytes = try FileBytes.read(path: path)
                guard !bytes.isEmpty, bytes.count % CIFAR10Reader.recordSize == 0 else {
                    throw .truncated(path: path, expectedBytes: (bytes.count / CIFAR10Reader.recordSize + 1) * CIFAR10Reader.recordSize, actualBytes: bytes.count)
                }
                for offset in stride(from: 0, to: bytes.count, by: CIFAR10Reader.recordSize) {
                    guard bytes[offset] < 10 else { throw .labelOutOfRange(label: Int(bytes[offset]), classCount: 10) }
                    labels.append(Int32(bytes[offset]))
                }
            }
            return labels
        }
    }

    private static func resolvedDirectory(_ name: DatasetName, _ directory: URL?) throws(DatasetError) -> URL {
        guard let directory = directory ?? defaultDirectory(for: name) else { throw .noDefaultLocation(name) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .directoryNotFound(path: directory.path)
        }
        return directory
    }
}

/// Reads the first bytes and the size of a dataset file, inflating only the start of a `.gz` one.
enum DatasetFileHeader {
    /// Count and geometry (rows and columns 1 for labels) from an IDX header, checked against the file's size.
    static func idx(path: String, magic: UInt32) throws(DatasetError) -> (count: Int, rows: Int, columns: Int) {
        let headerBytes = magic == IDXReader.imageMagic ? 16 : 8
        let (header, size) = try prefix(path: path, count: headerBytes)
        guard header.count >= 4 else { throw .truncated(path: path, expectedBytes: headerBytes, actualBytes: header.count) }
        let found = word(header, 0)
        guard found == magic else { throw .wrongMagic(path: path, expected: magic, actual: found) }
        guard header.count >= headerBytes else { throw .truncated(path: path, expectedBytes: headerBytes, actualBytes: header.count) }
        let count = Int(word(header, 4))
        var rows = 1, columns = 1
        if headerBytes == 16 {
            rows = Int(word(header, 8))
            columns = Int(word(header, 12))
            guard rows > 0, columns > 0, rows <= 4096, columns <= 4096 else {
                throw .invalidHeader(path: path, reason: "image size \(rows)×\(columns)")
            }
        }
        guard count > 0 else { throw .empty(path: path) }
        let expected = headerBytes + count * rows * columns
        if let size, size < expected { throw .truncated(path: path, expectedBytes: expected, actualBytes: size) }
        return (count, rows, columns)
    }

    /// Records in a CIFAR-10 batch file, from its size.
    static func cifar(path: String) throws(DatasetError) -> Int {
        let (first, size) = try prefix(path: path, count: 1)
        guard let size, size > 0, let label = first.first else { throw .empty(path: path) }
        guard size % CIFAR10Reader.recordSize == 0 else {
            throw .truncated(path: path, expectedBytes: (size / CIFAR10Reader.recordSize + 1) * CIFAR10Reader.recordSize, actualBytes: size)
        }
        guard label < 10 else { throw .labelOutOfRange(label: Int(label), classCount: 10) }
        return size / CIFAR10Reader.recordSize
    }

    /// The file's first `count` bytes (inflated, for gzip) and its size (for gzip the length its
    /// trailer records, which is the size modulo 2³²; nil when that cannot stand for the size).
    static func prefix(path: String, count: Int) throws(DatasetError) -> (bytes: [UInt8], size: Int?) {
        let manager = FileManager.default
        guard manager.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        guard manager.isReadableFile(atPath: path) else { throw .unreadable(path: path, reason: "permission denied") }
        let raw: [UInt8]
        let fileSize: Int
        let tail: [UInt8]
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            fileSize = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            raw = [UInt8](try handle.read(upToCount: 1 << 16) ?? Data())
            if fileSize >= 4 {
                try handle.seek(toOffset: UInt64(fileSize - 4))
                tail = [UInt8](try handle.read(upToCount: 4) ?? Data())
            } else {
                tail = []
            }
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        guard fileSize > 0 else { throw .empty(path: path) }
        guard raw.count >= 2, raw[0] == 0x1F, raw[1] == 0x8B else { return (Array(raw.prefix(count)), fileSize) }
        let inflated = try inflatePrefix(raw, count: count, path: path)
        // ISIZE: little-endian, the uncompressed length modulo 2^32.
        let recorded = tail.count == 4 ? Int(tail[0]) | Int(tail[1]) << 8 | Int(tail[2]) << 16 | Int(tail[3]) << 24 : nil
        return (inflated, recorded.flatMap { $0 > 0 ? $0 : nil })
    }

    /// Inflates the start of a gzip stream until `count` bytes came out (or the input ran out).
    static func inflatePrefix(_ compressed: [UInt8], count: Int, path: String) throws(DatasetError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .decompressionFailed(path: path, reason: "zlib init failed")
        }
        defer { inflateEnd(&stream) }
        var input = compressed
        var output = [UInt8](repeating: 0, count: max(count, 1))
        let status = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                var result = Z_OK
                while result == Z_OK && stream.avail_out > 0 && stream.avail_in > 0 {
                    result = inflate(&stream, Z_NO_FLUSH)
                }
                return result
            }
        }
        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
            throw .decompressionFailed(path: path, reason: "zlib error \(status)")
        }
        return Array(output.prefix(max(count, 1) - Int(stream.avail_out)))
    }

    private static func word(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
