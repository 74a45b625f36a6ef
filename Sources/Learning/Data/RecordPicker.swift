/// Picks fixed-size records out of a file's byte stream: the ones asked for, each handed over
/// with the position it takes in the output, so a reader can decode a few samples of a large
/// file in one pass without holding the file.
struct RecordPicker {
    let path: String
    let headerSize: Int
    let recordSize: Int
    let recordCount: Int
    /// Output position of each record (-1: not wanted), and the positions of records asked for twice.
    private var slots: [Int32]
    private var repeats: [(record: Int, position: Int)] = []
    /// Bytes of the stream seen so far, and the current record's bytes when it straddles chunks.
    private var consumed = 0
    private var pending: [UInt8] = []

    /// `records` in output order, or nil for every record in file order.
    init(path: String, headerSize: Int, recordSize: Int, recordCount: Int, records: [Int]?) throws(DatasetError) {
        self.path = path
        self.headerSize = headerSize
        self.recordSize = recordSize
        self.recordCount = recordCount
        guard let records else {
            slots = (0..<recordCount).map { Int32($0) }
            return
        }
        slots = Array(repeating: -1, count: recordCount)
        for (position, record) in records.enumerated() {
            guard record >= 0, record < recordCount else {
                throw .sampleOutOfRange(path: path, index: record, count: recordCount)
            }
            if slots[record] < 0 {
                slots[record] = Int32(position)
            } else {
                repeats.append((record, position))
            }
        }
    }

    /// Positions that repeat an earlier record, with the position holding its first copy.
    var repeatedPositions: [(position: Int, copyOf: Int)] {
        repeats.map { ($0.position, Int(slots[$0.record])) }
    }

    /// Feeds the next bytes of the stream; `emit` gets each wanted record's bytes, its index in
    /// the file and its output position.
    mutating func consume(
        _ chunk: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer, Int, Int) throws(DatasetError) -> Void
    ) throws(DatasetError) {
        var offset = 0
        let end = headerSize + recordSize * recordCount
        while offset < chunk.count, consumed < end {
            if consumed < headerSize {
                let skip = min(headerSize - consumed, chunk.count - offset)
                offset += skip
                consumed += skip
                continue
            }
            let record = (consumed - headerSize) / recordSize
            let within = (consumed - headerSize) % recordSize
            let take = min(recordSize - within, chunk.count - offset)
            let wanted = slots[record] >= 0
            if wanted {
                if within == 0 && take == recordSize {
                    try emit(UnsafeRawBufferPointer(rebasing: chunk[offset..<(offset + take)]), record, Int(slots[record]))
                } else {
                    pending.append(contentsOf: chunk[offset..<(offset + take)])
                    if pending.count == recordSize {
                        let position = Int(slots[record])
                        let result: Result<Void, DatasetError> = pending.withUnsafeBytes { buffer in
                            do throws(DatasetError) {
                                return .success(try emit(buffer, record, position))
                            } catch {
                                return .failure(error)
                            }
                        }
                        try result.get()
                        pending.removeAll(keepingCapacity: true)
                    }
                }
            }
            offset += take
            consumed += take
        }
    }

    /// Throws unless the whole stream (header and every record) went through.
    func finish() throws(DatasetError) {
        let end = headerSize + recordSize * recordCount
        guard consumed >= end else { throw .truncated(path: path, expectedBytes: end, actualBytes: consumed) }
    }
}
