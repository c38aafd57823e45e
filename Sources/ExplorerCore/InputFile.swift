import Foundation

public struct InputFileError: Error, CustomStringConvertible {
    public let description: String
}

/// Reads an input law: eigenvalues of XᵀX, whitespace/comma/newline separated, `#` comments.
public enum InputFile {
    public static func parse(_ text: String, source: String) -> Result<[Double], InputFileError> {
        var values: [Double] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let body = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for word in body.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" || $0 == "\r" }) {
                guard let v = Double(word), v.isFinite else {
                    return .failure(InputFileError(description: "\(source), line \(i + 1): '\(word)' is not a number"))
                }
                guard v >= 0 else {
                    return .failure(InputFileError(description: "\(source), line \(i + 1): eigenvalue \(word) is negative"))
                }
                values.append(v)
            }
        }
        if values.isEmpty { return .failure(InputFileError(description: "\(source): no eigenvalues")) }
        return .success(values)
    }

    public static func load(_ path: String) -> Result<[Double], InputFileError> {
        let expanded = (path as NSString).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded), let text = String(data: data, encoding: .utf8) else {
            return .failure(InputFileError(description: "cannot read \(path)"))
        }
        return parse(text, source: path)
    }
}
