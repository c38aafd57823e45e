/// A rejected input: names the field, the value given, and what is allowed.
public struct ModelError: Error, CustomStringConvertible, Equatable, Sendable {
    public let field: String
    public let value: String
    public let allowed: String

    public init(field: String, value: String, allowed: String) {
        self.field = field
        self.value = value
        self.allowed = allowed
    }

    public var description: String {
        "invalid value '\(value)' for \(field): \(allowed)"
    }
}
