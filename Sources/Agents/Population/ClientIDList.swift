/// Client ids written as ids and ranges, `0-9,42`: the notation of `--mislabeled-clients`,
/// `--tiny-clients` and a population file's `clients`.
public enum ClientIDList {
    /// The ids in order of writing; nil when the text is not ids and ranges (or holds none).
    public static func parse(_ text: String) -> [Int]? {
        var ids: [Int] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch bounds.count {
            case 1:
                guard let id = bounds[0] else { return nil }
                ids.append(id)
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                ids += Array(low...high)
            default:
                return nil
            }
        }
        return ids.isEmpty ? nil : ids
    }
}
