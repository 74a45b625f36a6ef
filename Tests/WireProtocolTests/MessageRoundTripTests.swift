import Foundation
import Testing
@testable import WireProtocol

@Suite struct MessageRoundTripTests {
    /// Encodes `message` into an envelope frame and back, and checks the decoded payload equals it.
    private func roundTrip<Message: ProtocolMessage & Equatable>(_ message: Message) throws {
        let envelope = try Envelope.make(message, sender: "guardian-7", runID: "test-run", round: 3)
        let bytes = try EnvelopeCodec.encode(envelope)
        let decoded = try EnvelopeCodec.decode(bytes)
        #expect(decoded == envelope)
        #expect(decoded.type == Message.messageType)
        #expect(decoded.schemaVersion == Message.schemaVersion)
        #expect(try decoded.decode(as: Message.self) == message)
    }

    private func roundTripAny(_ message: any ProtocolMessage) throws {
        switch message {
        case let m as RoundAnnouncement: try roundTrip(m)
        case let m as Bid: try roundTrip(m)
        case let m as Assignment: try roundTrip(m)
        case let m as GlobalModel: try roundTrip(m)
        case let m as ClientUpdate: try roundTrip(m)
        case let m as RoundMetrics: try roundTrip(m)
        case let m as AuditEvent: try roundTrip(m)
        case let m as AuditRoot: try roundTrip(m)
        case let m as Heartbeat: try roundTrip(m)
        case let m as PlaceOffer: try roundTrip(m)
        case let m as OfferAnswer: try roundTrip(m)
        default: Issue.record("no round trip for \(type(of: message))")
        }
    }

    @Test(arguments: MessageType.allCases)
    func everyMessageTypeRoundTrips(type: MessageType) throws {
        let message = SampleMessages.message(for: type)
        #expect(Swift.type(of: message).messageType == type)
        try roundTripAny(message)
    }

    @Test func declinedBidAndEmptyOptionalsRoundTrip() throws {
        try roundTrip(Bid(
            round: 2, clientID: 3, decision: .decline(reason: "battery low"), askPrice: 0, sampleCount: 0,
            labelHistogram: [], device: DeviceProfile(samplesPerSecond: 1, memoryMiB: 1), privacyBudgetRemaining: nil))
        try roundTrip(AuditEvent(kind: "start"))
    }

    @Test func tensorsTravelAsBinaryAttachmentsNotJSONNumbers() throws {
        let model = GlobalModel(version: 1, round: 0, architecture: "mlp",
                                parameters: Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
        let payload = try PayloadCodec.encode(model)
        let jsonLength = Int(payload[0]) | Int(payload[1]) << 8 | Int(payload[2]) << 16 | Int(payload[3]) << 24
        let json = String(decoding: payload[4..<(4 + jsonLength)], as: UTF8.self)
        #expect(json.contains(#""parameters":{"attachment":0}"#))
        #expect(payload.count == 4 + jsonLength + 4 + 8 + TensorBinaryFormat.encodedSize(of: model.parameters))
        #expect(try PayloadCodec.decode(GlobalModel.self, from: payload) == model)
        #expect(model.digestMatches)
    }

    @Test func tensorFallsBackToBase64WithAPlainJSONEncoder() throws {
        let tensor = Tensor(shape: [2, 2], values: [0.5, -1, .infinity, 3])
        let json = try JSONEncoder().encode(tensor)
        #expect(try JSONDecoder().decode(Tensor.self, from: json) == tensor)
    }

    @Test func jsonValueRoundTripsEveryShape() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", nil, true], "b": ["nested": false]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    @Test func payloadWithMissingFieldNamesIt() throws {
        let json = Array(#"{"kind":"x","detail":{}}"#.utf8)
        var payload: [UInt8] = []
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { payload.append(contentsOf: $0) }
        payload += json
        payload += [0, 0, 0, 0]
        #expect(try PayloadCodec.decode(AuditEvent.self, from: payload).kind == "x")
        let error = #expect(throws: ProtocolError.self) { try PayloadCodec.decode(AuditRoot.self, from: payload) }
        #expect(error?.description.contains("missing field 'round'") == true)
    }
}
