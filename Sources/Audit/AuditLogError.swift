/// Why the audit log could not be opened or appended to.
public enum AuditLogError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    /// Another `AuditLog` (in this or another process) holds the file.
    case alreadyOpen(path: String)
    /// The existing file does not verify; it is left untouched.
    case corrupt(AuditVerificationFailure)
    /// The last line has no newline: an earlier write did not finish.
    case tornTail(line: Int)
    /// The entry has no canonical JSON form.
    case unencodable(CanonicalJSONError)
    case writeFailed(String)
    case closed

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open audit log \(path): \(reason)"
        case .alreadyOpen(let path): "audit log \(path) is already open by another writer"
        case .corrupt(let failure): "audit log does not verify, refusing to append: \(failure)"
        case .tornTail(let line): "audit log ends in an unfinished line (line \(line)); refusing to append after it"
        case .unencodable(let error): "entry cannot be written: \(error)"
        case .writeFailed(let reason): "writing the audit log failed: \(reason)"
        case .closed: "the audit log is closed"
        }
    }
}
