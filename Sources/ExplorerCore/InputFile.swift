import Foundation
import InputFiles
import LimitLaws

public struct InputFileError: Error, CustomStringConvertible {
    public let description: String
}

/// Reads an input law (eigenvalues of XᵀX) with the one parser of every front end (`EigenvalueFile`).
public enum InputFile {
    public static func load(_ path: String) -> Result<(law: DiscreteLaw, notice: String?), InputFileError> {
        do {
            let file = try EigenvalueFile.load(path: path, field: ":input")
            return .success((file.law, file.notices.isEmpty ? nil : file.notices.joined(separator: "; ")))
        } catch {
            return .failure(InputFileError(description: error.naming(option: ":input").description))
        }
    }
}
