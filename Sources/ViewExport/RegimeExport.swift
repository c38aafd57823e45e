import ExplorerCore
import Foundation
import PlotCanvas

/// The exports of a regime that draws something other than the linear-width laws: csv, json and
/// svg of its views (txt and ansi are the screen, toml the session, for every regime). A regime
/// without an entry in `ViewExport.regimeExports` exports as the linear-width regime does.
protocol RegimeExport: Sendable {
    /// The whole csv of the view.
    func csv(state: ExplorerState, content: FrameContent) -> String
    /// Objects added to the json export's root (after `laws`).
    func jsonSections(state: ExplorerState, content: FrameContent) -> [(String, JSON)]
    /// The whole svg figure of the view.
    func svg(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String
    /// The json export's `laws` (and linear-width `empirical`) are left empty: the regime's model is
    /// not the linear-width one, whose laws would otherwise be written beside its own.
    var replacesLinearLaws: Bool { get }
}

extension RegimeExport {
    var replacesLinearLaws: Bool { false }
}

extension ViewExport {
    /// The regimes' export writers, by regime.
    static let regimeExports: [RegimeID: any RegimeExport] = [.infiniteWidth: InfiniteWidthExport(), .quadratic: QuadraticExport(),
                                                              .training: TrainingExport()]

    static func regimeExport(_ state: ExplorerState) -> (any RegimeExport)? { regimeExports[state.regime] }

    /// "mode=infinite dimension=40 points=30 order=24" for a regime with a session table (nil otherwise).
    static func regimeConfigWords(_ s: Session) -> String? {
        guard let section = Regimes.regime(s.regime).session else { return nil }
        return (["mode=\(s.regime.rawValue)"] + section.keys.filter { $0.isWritten(s.regimeSettings) }.map { "\($0.name)=\(word($0.get(s.regimeSettings)))" }).joined(separator: " ")
    }

    /// Every regime's table as json objects (the session file's tables).
    static func regimeConfigJSON(_ s: Session) -> [(String, JSON)] {
        Regimes.all.compactMap { r -> (String, JSON)? in
            guard let section = r.session else { return nil }
            let keys = section.keys.filter { $0.isWritten(s.regimeSettings) }.map { ($0.name, json($0.get(s.regimeSettings))) }
            return (section.table, .object([("enabled", .bool(s.regime == r.id))] + keys))
        }
    }

    public static func word(_ v: SessionValue) -> String {
        switch v {
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }

    static func json(_ v: SessionValue) -> JSON {
        switch v {
        case .int(let i): return .int(i)
        case .double(let d): return .number(d)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        }
    }
}
