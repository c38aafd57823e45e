/// What an error message quotes from a file (a row, a field, a header): at most `limit` characters,
/// then "…", so that a row of a million numbers does not become a message of megabytes. The file
/// and the line are named beside it.
public enum Excerpt {
    public static let limit = 60

    public static func of(_ text: String, limit: Int = Excerpt.limit) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }
}
