import Foundation
import LimitLaws

public struct InputFileError: Error, CustomStringConvertible {
    public let description: String
}

/// Reads an input law (eigenvalues of XᵀX) with the engine's parser (`InputLaw.parseEigenvalues`).
public enum InputFile {
    public static func load(_ path: String) -> Result<(eigenvalues: [Double], notice: String?), InputFileError> {
        let expanded = (path as NSString).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded), let text = String(data: data, encoding: .utf8) else {
            return .failure(InputFileError(description: "cannot read \(path)"))
        }
        do {
            let parsed = try InputLaw.parseEigenvalues(text, source: path)
            return .success(parsed)
        } catch {
            return .failure(InputFileError(description: error.description))
        }
    }
}
