import Logging
import Testing
@testable import WireProtocol

@Suite struct ChunkingTests {
    private let logger = Logger(label: "test.chunking")

    private func bytes(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    @Test func smallPayloadsStayOneUnchangedFrame() {
        let payload = bytes(1000)
        #expect(Chunker(maximumFrameSize: 1000).frames(for: payload) == [payload])
    }

    @Test func chunksReassembleByteIdenticalInAnyOrder() throws {
        let payload = bytes(10_000)
        let chunker = Chunker(maximumFrameSize: 1069)
        let frames = chunker.frames(for: payload)
        #expect(frames.count == 10)
        #expect(frames.allSatisfy { $0.count <= 1069 })
        var reassembler = Reassembler(logger: logger)
        var result: [UInt8]?
        for frame in frames.shuffled() + [frames[0]] {
            let chunk = try ChunkFrame.decode(frame)
            if let whole = try reassembler.accept(chunk) {
                #expect(result == nil)
                result = whole
            }
        }
        #expect(result == payload)
        #expect(reassembler.pendingSetCount == 0)
        #expect(reassembler.pendingBytes == 0)
    }

    @Test func interleavedSetsReassembleSeparately() throws {
        let a = bytes(5000, seed: 1), b = bytes(7000, seed: 2)
        let chunker = Chunker(maximumFrameSize: 2000)
        let framesA = chunker.frames(for: a), framesB = chunker.frames(for: b)
        var reassembler = Reassembler(logger: logger)
        var done: [[UInt8]] = []
        for index in 0..<max(framesA.count, framesB.count) {
            for frames in [framesA, framesB] where index < frames.count {
                if let whole = try reassembler.accept(ChunkFrame.decode(frames[index])) { done.append(whole) }
            }
        }
        #expect(done == [a, b])
    }

    @Test func incompleteSetsTimeOutWithACountedReason() throws {
        let frames = Chunker(maximumFrameSize: 1000).frames(for: bytes(5000))
        var reassembler = Reassembler(limits: .init(timeout: .seconds(5)), logger: logger)
        let start = ContinuousClock.now
        #expect(try reassembler.accept(ChunkFrame.decode(frames[0]), now: start) == nil)
        #expect(reassembler.expire(now: start + .seconds(4)) == 0)
        #expect(reassembler.expire(now: start + .seconds(6)) == 1)
        #expect(reassembler.dropCounts[.timedOut] == 1)
        let dropped = reassembler.takeDropped()
        #expect(dropped.count == 1 && dropped[0].reason == .timedOut && dropped[0].receivedChunks == 1)
        #expect(reassembler.pendingBytes == 0)
        #expect(reassembler.takeDropped().isEmpty)
    }

    @Test func pendingMemoryStaysBounded() throws {
        var reassembler = Reassembler(limits: .init(maximumPendingSets: 2, maximumPendingBytes: 10_000), logger: logger)
        let chunker = Chunker(maximumFrameSize: 1000)
        for seed in 0..<5 {
            let frames = chunker.frames(for: bytes(3000, seed: UInt8(seed)))
            _ = try reassembler.accept(ChunkFrame.decode(frames[0]))
        }
        #expect(reassembler.pendingSetCount == 2)
        #expect(reassembler.dropCounts[.evicted] == 3)

        var byBytes = Reassembler(limits: .init(maximumPendingSets: 100, maximumPendingBytes: 2500), logger: logger)
        for seed in 0..<4 {
            let frames = chunker.frames(for: bytes(5000, seed: UInt8(seed)))
            _ = try byBytes.accept(ChunkFrame.decode(frames[0]))
            _ = try byBytes.accept(ChunkFrame.decode(frames[1]))
        }
        #expect(byBytes.pendingBytes <= 2500)
        #expect(byBytes.dropCounts[.evicted, default: 0] >= 2)
    }

    @Test func aCorruptedChunkFailsTheWholeChecksum() throws {
        let payload = bytes(4000)
        let frames = Chunker(maximumFrameSize: 1500).frames(for: payload)
        var reassembler = Reassembler(logger: logger)
        var last = try ChunkFrame.decode(frames[frames.count - 1])
        last.data = ArraySlice(last.data.map { $0 ^ 0xFF })
        for frame in frames.dropLast() { _ = try reassembler.accept(ChunkFrame.decode(frame)) }
        #expect(throws: ProtocolError.self) { try reassembler.accept(last) }
        #expect(reassembler.dropCounts[.checksumMismatch] == 1)
    }

    @Test func chunkFramesRejectImpossibleHeaders() throws {
        let frame = try #require(Chunker(maximumFrameSize: 1000).frames(for: bytes(3000)).first)
        #expect(throws: ProtocolError.self) { try ChunkFrame.decode(Array(frame.prefix(40))) }
        var badIndex = frame
        badIndex[21] = 0xFF  // index far beyond count
        #expect(throws: ProtocolError.self) { try ChunkFrame.decode(badIndex) }
    }
}
