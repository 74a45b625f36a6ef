import Testing
@testable import WireProtocol

@Suite struct SigningTests {
    private let signer = EnvelopeSigner()

    private func signedEnvelope() throws -> Envelope {
        try signer.sign(Envelope.make(AuditRoot(round: 2, merkleRoot: "00", firstIndex: 0, lastIndex: 1, entryCount: 2),
                                      sender: "auditor", round: 2))
    }

    @Test func aSignedEnvelopeVerifiesAfterTheWire() throws {
        let envelope = try signedEnvelope()
        #expect(envelope.signature?.count == 64)
        let decoded = try EnvelopeCodec.decode(EnvelopeCodec.encode(envelope))
        try EnvelopeVerifier(publicKeyBase64: signer.publicKeyBase64).verify(decoded)
    }

    @Test func aTamperedPayloadIsDetected() throws {
        var envelope = try signedEnvelope()
        envelope.payload[envelope.payload.count / 2] ^= 0x01
        // Re-encoding gives the frame a fresh checksum: only the signature can catch this.
        let decoded = try EnvelopeCodec.decode(EnvelopeCodec.encode(envelope))
        #expect(throws: ProtocolError.badSignature(sender: "auditor")) {
            try EnvelopeVerifier(publicKeyBase64: signer.publicKeyBase64).verify(decoded)
        }
    }

    @Test func tamperedHeaderFieldsAreDetected() throws {
        var envelope = try signedEnvelope()
        envelope.round = 3
        #expect(throws: ProtocolError.badSignature(sender: "auditor")) {
            try EnvelopeVerifier(publicKeyBase64: signer.publicKeyBase64).verify(envelope)
        }
    }

    @Test func aWrongKeyIsDetected() throws {
        let envelope = try signedEnvelope()
        #expect(throws: ProtocolError.badSignature(sender: "auditor")) {
            try EnvelopeVerifier(publicKeyBase64: EnvelopeSigner().publicKeyBase64).verify(envelope)
        }
    }

    @Test func unsignedEnvelopesAreReported() throws {
        var envelope = try signedEnvelope()
        envelope.signature = nil
        #expect(throws: ProtocolError.unsigned(sender: "auditor")) {
            try EnvelopeVerifier(publicKeyBase64: signer.publicKeyBase64).verify(envelope)
        }
    }

    @Test func keyRingPinsOnFirstUseAndRefusesAnotherKey() throws {
        let ring = SenderKeyRing()
        let envelope = try signedEnvelope()
        #expect(throws: ProtocolError.unknownSigner(sender: "auditor")) { try ring.verify(envelope) }
        #expect(try ring.pin(sender: "auditor", publicKeyBase64: signer.publicKeyBase64))
        #expect(try !ring.pin(sender: "auditor", publicKeyBase64: signer.publicKeyBase64))
        #expect(throws: ProtocolError.keyMismatch(sender: "auditor")) {
            try ring.pin(sender: "auditor", publicKeyBase64: EnvelopeSigner().publicKeyBase64)
        }
        try ring.verify(envelope)
    }

    @Test func keysSurviveBase64AndGarbageIsATypedError() throws {
        let restored = try EnvelopeSigner(privateKeyBase64: signer.privateKeyBase64)
        #expect(restored.publicKeyBase64 == signer.publicKeyBase64)
        #expect(throws: ProtocolError.self) { try EnvelopeSigner(privateKeyBase64: "not base64!") }
        #expect(throws: ProtocolError.self) { try PublicKeyCoding.publicKey(base64: "AAAA") }
    }
}
