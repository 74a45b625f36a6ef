import Foundation
import Testing
@testable import WireProtocol

@Suite struct EnvelopeCodecTests {
    private func sampleFrame() throws -> (Envelope, [UInt8]) {
        let bid = try #require(SampleMessages.message(for: .bid) as? Bid)
        let envelope = try Envelope.make(bid, sender: "guardian-7", runID: "test-run", round: 1)
        return (envelope, try EnvelopeCodec.encode(envelope))
    }

    @Test func timestampsKeepMillisecondsAndRoundIsOptional() throws {
        let envelope = try Envelope.make(AuditEvent(kind: "x"), sender: "auditor", runID: "test-run", round: nil,
                                         timestamp: Date(timeIntervalSince1970: 1_700_000_000.1234))
        let decoded = try EnvelopeCodec.decode(EnvelopeCodec.encode(envelope))
        #expect(decoded.round == nil)
        #expect(decoded.timestamp.timeIntervalSince1970 == 1_700_000_000.123)
        #expect(decoded == envelope)
    }

    @Test func everyTruncationIsReportedAsTruncated() throws {
        let (_, frame) = try sampleFrame()
        for length in [0, 3, 4, 10, 30, frame.count / 2, frame.count - 33, frame.count - 1] {
            #expect(throws: ProtocolError.self) { try EnvelopeCodec.decode(Array(frame.prefix(length))) }
            do {
                _ = try EnvelopeCodec.decode(Array(frame.prefix(length)))
            } catch {
                guard case .truncated = error else {
                    Issue.record("length \(length): \(error)")
                    continue
                }
            }
        }
    }

    @Test func aFlippedBitIsAChecksumMismatch() throws {
        let (_, frame) = try sampleFrame()
        var tampered = frame
        tampered[frame.count / 2] ^= 0x01
        #expect(throws: ProtocolError.checksumMismatch(what: "envelope from 'guardian-7'")) {
            try EnvelopeCodec.decode(tampered)
        }
    }

    @Test func foreignBytesAreCorrupt() throws {
        let error = #expect(throws: ProtocolError.self) { try EnvelopeCodec.decode(Array("hello, kafka".utf8)) }
        guard case .corrupt = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func unknownTypeIsNamed() throws {
        let (envelope, _) = try sampleFrame()
        let frame = try EnvelopeCodec.encode(typeName: "weather-report", envelope: envelope)
        #expect(throws: ProtocolError.unknownMessageType("weather-report")) { try EnvelopeCodec.decode(frame) }
    }

    @Test func otherSchemaVersionsAreRejectedNotGuessed() throws {
        var (envelope, _) = try sampleFrame()
        let other = Bid.schemaVersion + 1
        envelope.schemaVersion = other
        let frame = try EnvelopeCodec.encode(envelope)
        #expect(throws: ProtocolError.unsupportedSchemaVersion(type: .bid, got: other, supported: Bid.schemaVersion)) {
            try EnvelopeCodec.decode(frame)
        }
        #expect(throws: ProtocolError.unsupportedSchemaVersion(type: .bid, got: other, supported: Bid.schemaVersion)) {
            try envelope.decode(as: Bid.self)
        }
    }

    @Test func decodingAsAnotherTypeFails() throws {
        let (envelope, _) = try sampleFrame()
        #expect(throws: ProtocolError.wrongMessageType(expected: .heartbeat, got: .bid)) {
            try envelope.decode(as: Heartbeat.self)
        }
    }

    @Test func tamperedTensorDataFailsItsChecksum() throws {
        let update = ClientUpdate(round: 1, clientID: 1, baseModelVersion: 0, sampleCount: 1, trainLoss: 0,
                                  trainSeconds: 0, parameters: Tensor([1, 2, 3, 4]))
        var payload = try PayloadCodec.encode(update)
        payload[payload.count - 2] ^= 0x40
        #expect(throws: ProtocolError.checksumMismatch(what: "tensor of shape [4]")) {
            try PayloadCodec.decode(ClientUpdate.self, from: payload)
        }
    }

    @Test func inconsistentTensorCannotBeEncoded() {
        let model = GlobalModel(version: 1, round: 0, architecture: "x", parameters: Tensor(shape: [3, 3], values: [1]), digest: "")
        #expect(throws: ProtocolError.self) { try PayloadCodec.encode(model) }
    }

    @Test func fiftyMegabyteTensorDecodesFast() throws {
        let count = 50 * (1 << 20) / 4
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = Float(index & 0xFFFF) }
            initialized = count
        }
        let update = ClientUpdate(round: 1, clientID: 1, baseModelVersion: 0, sampleCount: 1, trainLoss: 0,
                                  trainSeconds: 0, parameters: Tensor(shape: [count], values: values))
        let envelope = try Envelope.make(update, sender: "guardian-1", runID: "test-run", round: 1)
        let frame = try EnvelopeCodec.encode(envelope)
        // This thread's CPU time, not the wall clock: the decode never waits, and the suite's other
        // tests share the two cores, which stretches wall time without saying anything about it.
        let start = Self.threadCPUTime()
        let decoded = try EnvelopeCodec.decode(frame).decode(as: ClientUpdate.self)
        let elapsed = Self.threadCPUTime() - start
        #expect(decoded.parameters.values == values)
        #expect(decoded.digestMatches)
        // Two SHA-256 passes and two copies of 50 MB: well under a second even in a debug build.
        #expect(elapsed < .seconds(2), "decoding 50 MB took \(elapsed) of CPU time")
    }

    private static func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}
