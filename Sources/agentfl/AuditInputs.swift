import ArgumentParser
import Audit
import Foundation
import WireProtocol

/// The log, heads and keyring the audit subcommands read, with the heads file found next to
/// the log when `--roots` is not given.
struct AuditInputs {
    var heads: [AuditRoot]
    var keyring: Keyring?
    /// Where the heads came from, for the user.
    var headsNote: String

    /// - Throws: a readable message naming the input that cannot be read.
    static func load(log: URL, roots: String?, keyring: String?) throws -> AuditInputs {
        let defaultHeads = log.deletingLastPathComponent().appendingPathComponent(TreeHeadFile.fileName)
        let heads: [AuditRoot]
        let note: String
        if let roots {
            heads = try TreeHeadFile.read(URL(fileURLWithPath: roots))
            note = "tree heads: \(roots)"
        } else if FileManager.default.fileExists(atPath: defaultHeads.path) {
            heads = try TreeHeadFile.read(defaultHeads)
            note = "tree heads: \(defaultHeads.path)"
        } else {
            heads = []
            note = "tree heads: none given and no \(TreeHeadFile.fileName) next to the log; only heads inside the log are checked"
        }
        let ring = try keyring.map { try Keyring.load(from: URL(fileURLWithPath: $0)) }
        return AuditInputs(heads: heads, keyring: ring, headsNote: note)
    }

    /// A proof builder over the verified log; exits 2 for an unreadable input, 1 for a damaged log.
    static func builder(log: String, roots: String?, keyring: String?) throws -> AuditProofBuilder {
        let url = URL(fileURLWithPath: log)
        let inputs: AuditInputs
        do {
            inputs = try load(log: url, roots: roots, keyring: keyring)
        } catch {
            standardError("error: \(error)")
            throw ExitCode(2)
        }
        standardError(inputs.headsNote)
        do {
            return try AuditProofBuilder(log: url, heads: inputs.heads, keyring: inputs.keyring)
        } catch {
            throw exit(for: error, "no proof is made from a log that does not verify (see agentfl audit verify)")
        }
    }

    /// Says why the log did not verify and gives the exit: 2 for an unreadable input, 1 for a
    /// damaged log (`consequence` says what is then not done).
    static func exit(for failure: AuditVerificationFailure, _ consequence: String) -> ExitCode {
        if case .unreadable = failure.kind {
            standardError("error: \(failure)")
            return ExitCode(2)
        }
        standardError("DAMAGED (\(failure.kind.name)): \(failure); \(consequence)")
        return ExitCode(1)
    }
}
