/// Reads fixed-width little-endian integers and length-prefixed fields from a byte buffer,
/// throwing ``ProtocolError/truncated(what:)`` instead of reading past the end.
struct ByteReader<Bytes: RandomAccessCollection<UInt8>> where Bytes.Index == Int {
    let bytes: Bytes
    private(set) var position: Int

    init(_ bytes: Bytes) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - position }
    var isAtEnd: Bool { position == bytes.endIndex }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws(ProtocolError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(what: what) }
        var value: T = 0
        for offset in 0..<size {
            value |= T(truncatingIfNeeded: bytes[position + offset]) << (offset * 8)
        }
        position += size
        return value
    }

    mutating func readBytes(_ count: Int, _ what: String) throws(ProtocolError) -> Bytes.SubSequence {
        guard count >= 0, remaining >= count else { throw .truncated(what: what) }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func readShortString(_ what: String) throws(ProtocolError) -> String {
        let count = Int(try read(UInt8.self, "\(what) length"))
        return try decodeUTF8(readBytes(count, what), what)
    }

    mutating func readString(_ what: String) throws(ProtocolError) -> String {
        let count = Int(try read(UInt16.self, "\(what) length"))
        return try decodeUTF8(readBytes(count, what), what)
    }

    private func decodeUTF8(_ raw: Bytes.SubSequence, _ what: String) throws(ProtocolError) -> String {
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw .corrupt(reason: "\(what) is not valid UTF-8")
        }
        return string
    }
}
