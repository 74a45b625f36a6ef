import Testing
@testable import WireProtocol

@Suite struct SigningTests {
    private let signer = EnvelopeSigner()

    private func signedEnvelope() throws -> Envelope {
        try signer.sign(Envelope.make(AuditRoot(round: 2, treeSize: 2, merkleRoot: "00", chainHead: "00", runID: "test-run", timestamp: 0, final: false),
                                      sender: "auditor", runID: "test-run", round: 2))
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

    @Test func theKeyringBindsEachSenderNameToItsKey() throws {
        let envelope = try signedEnvelope()
        let verifier = try KeyringVerifier(Keyring(keys: ["auditor": signer.publicKeyBase64]))
        try verifier.verify(envelope)
        #expect(throws: ProtocolError.unknownSigner(sender: "auditor")) {
            try KeyringVerifier(Keyring(keys: ["server": signer.publicKeyBase64])).verify(envelope)
        }
        // A key listed for one guardian does not speak for another.
        let guardianKey = EnvelopeSigner()
        let keyring = Keyring(keys: ["guardian-1": guardianKey.publicKeyBase64, "guardian-2": EnvelopeSigner().publicKeyBase64])
        let bid = try #require(SampleMessages.message(for: .bid) as? Bid)
        let asOther = try guardianKey.sign(Envelope.make(bid, sender: "guardian-2", runID: "test-run", round: 1))
        #expect(throws: ProtocolError.badSignature(sender: "guardian-2")) { try KeyringVerifier(keyring).verify(asOther) }
    }

    @Test func theSignedDigestIsRecomputableFromTheJSONAndTheAttachmentDigests() throws {
        let update = try #require(SampleMessages.message(for: .clientUpdate, round: 2, tensorElements: 64) as? ClientUpdate)
        let envelope = try signer.sign(Envelope.make(update, sender: "guardian-7", runID: "test-run", round: 2))
        let content = try envelope.signedContent()
        #expect(content.attachmentDigests.count == 1)
        // What an audit log keeps — header, JSON verbatim, attachment digests — rebuilds the digest.
        let rebuilt = SignedContent(
            type: "client-update", schemaVersion: ClientUpdate.schemaVersion, messageID: envelope.id, sender: "guardian-7",
            runID: "test-run", round: 2, timestampMilliseconds: content.timestampMilliseconds, json: content.json,
            attachmentDigests: content.attachmentDigests)
        #expect(try rebuilt.digest() == envelope.signingDigest())
        var edited = rebuilt
        edited.json[edited.json.count / 2] ^= 0x01
        #expect(try edited.digest() != envelope.signingDigest())
        var otherRun = rebuilt
        otherRun.runID = "another-run"
        #expect(try otherRun.digest() != envelope.signingDigest())
    }

    @Test func authorshipBindsTheSenderTheClientAndTheRound() throws {
        let bid = try #require(SampleMessages.message(for: .bid, round: 4) as? Bid)
        try bid.authorship.check(Envelope.make(bid, sender: "guardian-7", runID: "r", round: 4))
        #expect(throws: ProtocolError.self) { try bid.authorship.check(Envelope.make(bid, sender: "guardian-8", runID: "r", round: 4)) }
        #expect(throws: ProtocolError.self) { try bid.authorship.check(Envelope.make(bid, sender: "guardian-7", runID: "r", round: 5)) }
        #expect(throws: ProtocolError.senderNotAllowed(sender: "server", type: .bid)) {
            try bid.authorship.check(Envelope.make(bid, sender: "server", runID: "r", round: 4))
        }
        let assignment = try #require(SampleMessages.message(for: .assignment, round: 4) as? Assignment)
        #expect(throws: ProtocolError.senderNotAllowed(sender: "guardian-7", type: .assignment)) {
            try assignment.authorship.check(Envelope.make(assignment, sender: "guardian-7", runID: "r", round: 4))
        }
        let call = try #require(SampleMessages.message(for: .roundAnnouncement, round: 4) as? RoundAnnouncement)
        #expect(throws: ProtocolError.self) { try call.authorship.check(Envelope.make(call, sender: "server", runID: "other", round: 4)) }
        #expect(SenderName.client(ofGuardian: "guardian-12") == 12)
        #expect(SenderName.client(ofGuardian: "guardian-012") == nil)
        #expect(SenderName.client(ofGuardian: "guardian") == nil)
    }

    @Test func keysSurviveBase64AndGarbageIsATypedError() throws {
        let restored = try EnvelopeSigner(privateKeyBase64: signer.privateKeyBase64)
        #expect(restored.publicKeyBase64 == signer.publicKeyBase64)
        #expect(throws: ProtocolError.self) { try EnvelopeSigner(privateKeyBase64: "not base64!") }
        #expect(throws: ProtocolError.self) { try PublicKeyCoding.publicKey(base64: "AAAA") }
    }
}
