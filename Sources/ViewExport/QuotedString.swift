import Foundation

/// A double-quoted string literal valid in both JSON and TOML: quotes, backslashes and control
/// characters (and DEL) escaped, everything else as UTF-8.
func quotedString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default: appendEscapingControl(u, to: &out)
        }
    }
    return out + "\""
}

/// Text from a file as a message quotes it: control characters (and DEL) as \uXXXX, so that they
/// do not act on the terminal, everything else as it is.
func escapingControlCharacters(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars { appendEscapingControl(u, to: &out) }
    return out
}

private func appendEscapingControl(_ u: Unicode.Scalar, to out: inout String) {
    if u.value < 0x20 || u.value == 0x7f { out += String(format: "\\u%04X", u.value) } else { out.unicodeScalars.append(u) }
}
