import Foundation

/// The JSON every command writes (`--format json`): one encoder, and absent values as `null`.
enum JSONOutput {
    /// Pretty-printed with sorted keys. A number out of range (never expected: inputs are bounded)
    /// is written as a string instead of aborting the output.
    static func string<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// An optional key written as `null` when it has no value, as the documents say (Swift's
/// synthesised encoding leaves the key out): `"approximation": null`, not a missing key.
@propertyWrapper
struct NullWhenAbsent<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = wrappedValue { try container.encode(value) } else { try container.encodeNil() }
    }
}
