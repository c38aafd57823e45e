import ArgumentParser
import ExplorerCore
import LimitLaws

extension CommandLineValues {
    /// The `transform` of an integer option: text that is not a whole number ("inf", "2.5") is
    /// refused with what is allowed (the parser names the option and the value); a whole number
    /// goes on to the option's own range check.
    static func integer(_ allowed: String) -> @Sendable (String) throws -> Int {
        { text in
            guard let v = Int(text.trimmingCharacters(in: .whitespaces)) else { throw ValidationError(allowed) }
            return v
        }
    }

    /// What `--remove-pcs` may be (with `--data`).
    static let removePCsAllowed = "must be an integer ≥ 0"

    static func integer(_ bound: NumberBound) -> @Sendable (String) throws -> Int { integer(bound.allowed) }

    /// An integer option that sets a mode's session key: what the key allows.
    static func integer(regime: RegimeID, key: String) -> @Sendable (String) throws -> Int {
        integer(Regimes.regime(regime).session?.keys.first { $0.name == key }?.kind.allowed ?? "must be an integer")
    }
}
