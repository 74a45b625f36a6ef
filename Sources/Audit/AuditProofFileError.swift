/// Why a proof file cannot be read as an audit proof: unreadable, not JSON, not a proof of this
/// format, or a proof whose field is missing or of the wrong form (named).
public enum AuditProofFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notJSON(String)
    /// No, or an unknown, `format` or `kind`: some other file.
    case notAProof(String)
    /// A field missing, unknown, or not of the form the format calls for.
    case malformed(field: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read proof file \(path): \(reason)"
        case .notJSON(let reason): "the proof file is not JSON: \(reason)"
        case .notAProof(let reason): "not an audit proof file: \(reason)"
        case .malformed(let field, let reason): "the proof's \"\(field)\" \(reason)"
        }
    }
}
