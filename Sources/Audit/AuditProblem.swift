/// A one-line reason something in the log does not hold, written as a string literal.
public struct AuditProblem: Error, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    public var description: String

    public init(_ description: String) { self.description = description }
    public init(stringLiteral value: String) { self.description = value }
}
