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

    /// A file's error with the option (or command) that named the file in front of it, once:
    /// "invalid value '(binary data)' for --data x.bin: …"; an error already for `option` is kept.
    public func naming(option: String) -> ModelError {
        field == option || field.hasPrefix(option + " ") ? self : ModelError(field: "\(option) \(field)", value: value, allowed: allowed)
    }
}
