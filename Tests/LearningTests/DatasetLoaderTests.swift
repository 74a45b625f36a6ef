import Foundation
import Testing
@testable import Learning

/// Writes small files in the real IDX and CIFAR-10 binary formats and reads them back.
@Suite struct DatasetLoaderTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("learning-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func idxImages(count: Int, rows: Int = 28, columns: Int = 28, magic: UInt32 = 0x803) -> [UInt8] {
        var bytes = bigEndian(magic) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(columns))
        for i in 0..<(count * rows * columns) { bytes.append(UInt8(i % 256)) }
        return bytes
    }

    static func idxLabels(_ labels: [UInt8]) -> [UInt8] {
        bigEndian(0x801) + bigEndian(UInt32(labels.count)) + labels
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func gzip(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    func writeIDXSet(gzipped: Bool) throws {
        let sets: [(String, [UInt8])] = [
            ("train-images-idx3-ubyte", Self.idxImages(count: 5)),
            ("train-labels-idx1-ubyte", Self.idxLabels([0, 1, 2, 3, 9])),
            ("t10k-images-idx3-ubyte", Self.idxImages(count: 2)),
            ("t10k-labels-idx1-ubyte", Self.idxLabels([4, 5])),
        ]
        for (name, bytes) in sets {
            let path = try write(bytes, name)
            if gzipped { try gzip(path) }
        }
    }

    @Test(arguments: [false, true])
    func readsIDXRawAndGzipped(gzipped: Bool) throws {
        try writeIDXSet(gzipped: gzipped)
        let (train, test) = try DatasetLoader.load(.mnist, directory: directory)
        #expect(train.count == 5)
        #expect(test.count == 2)
        #expect(train.sampleShape == [1, 28, 28])
        #expect(train.labels == [0, 1, 2, 3, 9])
        #expect(test.labels == [4, 5])
        // Pixel 1 of sample 0 is byte 1: (1/255 - 0.1307) / 0.3081.
        #expect(abs(train.features[1] - (1 / 255 - 0.1307) / 0.3081) < 1e-5)
        #expect(train.features.count == 5 * 784)
    }

    @Test func missingFileIsReported() throws {
        #expect(throws: DatasetError.fileNotFound(path: directory.appendingPathComponent("train-images-idx3-ubyte").path)) {
            try DatasetLoader.load(.mnist, directory: directory)
        }
    }

    @Test func wrongMagicIsReported() throws {
        let path = try write(Self.idxImages(count: 1, magic: 0x801), "images")
        #expect(throws: DatasetError.wrongMagic(path: path, expected: 0x803, actual: 0x801)) {
            try IDXReader.readImages(path: path)
        }
    }

    @Test func truncatedIDXIsReported() throws {
        let bytes = Self.idxImages(count: 3)
        let path = try write(Array(bytes.dropLast(100)), "images")
        #expect(throws: DatasetError.truncated(path: path, expectedBytes: bytes.count, actualBytes: bytes.count - 100)) {
            try IDXReader.readImages(path: path)
        }
    }

    @Test func truncatedGzipIsReported() throws {
        let path = try write(Self.idxImages(count: 3), "images")
        try gzip(path)
        let gz = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
        let cut = try write(Array(gz.prefix(gz.count / 2)), "cut.gz")
        do {
            _ = try IDXReader.readImages(path: cut)
            Issue.record("a truncated .gz must not load")
        } catch {
            guard case .decompressionFailed(let reportedPath, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(reportedPath == cut)
        }
    }

    @Test func imageAndLabelCountsMustAgree() throws {
        let images = try write(Self.idxImages(count: 3), "i")
        let labels = try write(Self.idxLabels([1, 2]), "l")
        #expect(throws: DatasetError.countMismatch(images: 3, labels: 2)) {
            try IDXReader.readDataset(imagesPath: images, labelsPath: labels, mean: 0, std: 1)
        }
    }

    @Test func labelOutOfRangeIsReported() throws {
        let images = try write(Self.idxImages(count: 1), "i")
        let labels = try write(Self.idxLabels([12]), "l")
        #expect(throws: DatasetError.labelOutOfRange(label: 12, classCount: 10)) {
            try IDXReader.readDataset(imagesPath: images, labelsPath: labels, mean: 0, std: 1)
        }
    }

    static func cifarRecords(_ labels: [UInt8]) -> [UInt8] {
        var bytes = [UInt8]()
        for (n, label) in labels.enumerated() {
            bytes.append(label)
            for channel in 0..<3 {
                bytes.append(contentsOf: [UInt8](repeating: UInt8(n * 10 + channel), count: 1024))
            }
        }
        return bytes
    }

    @Test func readsCIFAR10Binary() throws {
        for i in 1...5 { _ = try write(Self.cifarRecords([UInt8(i), 0]), "data_batch_\(i).bin") }
        _ = try write(Self.cifarRecords([7]), "test_batch.bin")
        let (train, test) = try DatasetLoader.load(.cifar10, directory: directory)
        #expect(train.count == 10)
        #expect(train.labels == [1, 0, 2, 0, 3, 0, 4, 0, 5, 0])
        #expect(test.sampleShape == [3, 32, 32])
        #expect(test.labels == [7])
        // Sample 0 of the test set: all green pixels are byte 1.
        let green = (1 / 255 - CIFAR10Reader.mean[1]) / CIFAR10Reader.std[1]
        #expect(abs(test.features[1024 + 5] - green) < 1e-5)
    }

    @Test func truncatedCIFARIsReported() throws {
        let path = try write(Array(Self.cifarRecords([1, 2]).dropLast(5)), "test_batch.bin")
        #expect(throws: DatasetError.truncated(path: path, expectedBytes: 2 * 3073, actualBytes: 2 * 3073 - 5)) {
            try CIFAR10Reader.readDataset(paths: [path])
        }
    }

    @Test func datasetWithoutDefaultLocationSaysSo() {
        #expect(throws: DatasetError.noDefaultLocation(.cifar10)) {
            try DatasetLoader.load(.cifar10, directory: nil)
        }
    }
}

/// Reading chosen samples out of a streamed file.
extension DatasetLoaderTests {
    @Test(arguments: [false, true])
    func readsChosenSamplesInTheirOrder(gzipped: Bool) throws {
        try writeIDXSet(gzipped: gzipped)
        let whole = try DatasetLoader.load(.mnist, split: .train, directory: directory)
        let chosen = [4, 1, 4, 0]
        let some = try DatasetLoader.load(.mnist, split: .train, directory: directory, samples: chosen)
        #expect(some.count == 4)
        #expect(some.labels == chosen.map { whole.labels[$0] })
        let size = whole.sampleSize
        for (position, sample) in chosen.enumerated() {
            #expect(Array(some.features[(position * size)..<((position + 1) * size)]) == Array(whole.features[(sample * size)..<((sample + 1) * size)]))
        }
        let none = try DatasetLoader.load(.mnist, split: .train, directory: directory, samples: [])
        #expect(none.count == 0)
        #expect(throws: DatasetError.self) { try DatasetLoader.load(.mnist, split: .train, directory: directory, samples: [5]) }
    }

    @Test func readsChosenCIFARSamplesAcrossBatchFiles() throws {
        for i in 1...5 { _ = try write(Self.cifarRecords([UInt8(i), 0]), "data_batch_\(i).bin") }
        _ = try write(Self.cifarRecords([7]), "test_batch.bin")
        let whole = try DatasetLoader.load(.cifar10, split: .train, directory: directory)
        let some = try DatasetLoader.load(.cifar10, split: .train, directory: directory, samples: [8, 3, 8])
        #expect(some.labels == [5, 0, 5])
        let size = whole.sampleSize
        #expect(Array(some.features[size..<(2 * size)]) == Array(whole.features[(3 * size)..<(4 * size)]))
        #expect(Array(some.features[(2 * size)..<(3 * size)]) == Array(whole.features[(8 * size)..<(9 * size)]))
    }
}
