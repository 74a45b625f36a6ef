/// Appends fixed-width little-endian integers and length-prefixed fields to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8]

    init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    /// A string with a one-byte length prefix; callers check the 255-byte limit first.
    mutating func writeShortString(_ string: String) {
        let utf8 = Array(string.utf8)
        write(UInt8(truncatingIfNeeded: utf8.count))
        write(utf8.prefix(255))
    }

    /// A string with a two-byte length prefix.
    mutating func writeString(_ string: String) {
        let utf8 = Array(string.utf8)
        write(UInt16(truncatingIfNeeded: utf8.count))
        write(utf8.prefix(Int(UInt16.max)))
    }
}
