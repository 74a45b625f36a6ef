/// Why a dataset could not be read or built.
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case decompressionFailed(path: String, reason: String)
    case wrongMagic(path: String, expected: UInt32, actual: UInt32)
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    case invalidHeader(path: String, reason: String)
    case countMismatch(images: Int, labels: Int)
    case sizeMismatch(what: String, expected: Int, actual: Int)
    case invalidShape([Int])
    case labelOutOfRange(label: Int, classCount: Int)
    case noDefaultLocation(DatasetName)
    /// A data file (or a split after its limit) that holds no samples.
    case empty(path: String)
    case directoryNotFound(path: String)
    /// A sample asked for by index that the file does not hold.
    case sampleOutOfRange(path: String, index: Int, count: Int)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            "dataset file not found: \(path)"
        case .unreadable(let path, let reason):
            "cannot read dataset file \(path): \(reason)"
        case .decompressionFailed(let path, let reason):
            "cannot decompress \(path): \(reason)"
        case .wrongMagic(let path, let expected, let actual):
            "wrong magic number in \(path): expected 0x\(String(expected, radix: 16)), found 0x\(String(actual, radix: 16))"
        case .truncated(let path, let expected, let actual):
            "\(path) is truncated: expected \(expected) bytes, found \(actual)"
        case .invalidHeader(let path, let reason):
            "invalid header in \(path): \(reason)"
        case .countMismatch(let images, let labels):
            "image and label counts differ: \(images) images, \(labels) labels"
        case .sizeMismatch(let what, let expected, let actual):
            "\(what) has \(actual) values, expected \(expected)"
        case .invalidShape(let shape):
            "invalid sample shape \(shape): expected [channels, height, width] with positive sizes"
        case .labelOutOfRange(let label, let classCount):
            "label \(label) is outside 0..<\(classCount)"
        case .empty(let path):
            "\(path) holds no samples"
        case .directoryNotFound(let path):
            "data directory not found: \(path)"
        case .sampleOutOfRange(let path, let index, let count):
            "sample \(index) asked of \(path), which holds \(count) (0..<\(count))"
        case .noDefaultLocation(let name):
            "\(name.rawValue) has no default location on this machine: pass a data directory"
        }
    }
}
