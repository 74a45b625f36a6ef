/// The selection policies `--policy` names.
public enum SelectionPolicies {
    public static let names = ["random"]

    public static func make(_ name: String) throws -> any SelectionPolicy {
        switch name {
        case "random": RandomSelectionPolicy()
        default:
            throw AgentError.invalidConfiguration("unknown selection policy \(name); known: \(names.joined(separator: ", "))")
        }
    }
}
