import Foundation
import LimitLaws

/// A NumPy `.npy` array of numbers (format versions 1.0, 2.0 and 3.0), read as Doubles.
///
/// The header is checked completely before any arithmetic on its numbers or any allocation:
/// the magic bytes and the version; a header length inside the file; a header that is exactly a
/// Python dict literal with the keys 'descr' (a quoted dtype: <f8, <f4, <f2, <i1…<i8, <u1…<u8,
/// |b1, either byte order), 'fortran_order' (True or False) and 'shape' (a tuple of one or two
/// integers ≥ 1, each written as decimal digits) and nothing else; the byte count implied by the
/// shape (computed with overflow checks) must equal what follows the header in the file.
public struct NPYArray: Sendable {
    /// One or two dimensions.
    public let shape: [Int]
    /// Values in C (row-major) order, whatever the file's order.
    public let values: [Double]

    public var shapeText: String { "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")") }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]   // \x93NUMPY

    public static func hasMagic(_ data: Data) -> Bool { data.starts(with: magic) }

    /// The element types read, by dtype code without the byte-order character.
    enum Element: String {
        case f8, f4, f2, i8, i4, i2, i1, u8, u4, u2, u1, b1
        var size: Int { Int(String(rawValue.last!))! }
    }

    /// The parsed header.
    struct Header: Equatable {
        var element: Element
        var bigEndian: Bool
        var fortranOrder: Bool
        var shape: [Int]
        /// Offset of the first data byte.
        var dataOffset: Int
    }

    public static func parse(_ data: Data, source: String) throws(ModelError) -> NPYArray {
        let bytes = [UInt8](data)
        let header = try parseHeader(bytes, source: source)
        let count = header.shape.reduce(1, *)   // checked in parseHeader: no overflow
        let size = header.element.size
        var out = [Double](repeating: 0, count: count)
        let rows = header.shape[0], cols = header.shape.count == 2 ? header.shape[1] : 1
        bytes.withUnsafeBufferPointer { p in
            for k in 0..<count {
                var u: UInt64 = 0
                let off = header.dataOffset + k * size
                for b in 0..<size { u |= UInt64(p[off + (header.bigEndian ? size - 1 - b : b)]) << (8 * UInt64(b)) }
                let v: Double
                switch header.element {
                case .f8: v = Double(bitPattern: u)
                case .f4: v = Double(Float(bitPattern: UInt32(truncatingIfNeeded: u)))
                case .f2: v = Double(halfToFloat(UInt16(truncatingIfNeeded: u)))
                case .i8: v = Double(Int64(bitPattern: u))
                case .i4: v = Double(Int32(truncatingIfNeeded: u))
                case .i2: v = Double(Int16(truncatingIfNeeded: u))
                case .i1: v = Double(Int8(truncatingIfNeeded: u))
                case .u8, .u4, .u2, .u1, .b1: v = Double(u)
                }
                let (r, c) = header.fortranOrder ? (k % rows, k / rows) : (k / cols, k % cols)
                out[r * cols + c] = v
            }
        }
        return NPYArray(shape: header.shape, values: out)
    }

    static func parseHeader(_ bytes: [UInt8], source: String) throws(ModelError) -> Header {
        func fail(_ value: String, _ allowed: String) -> ModelError {
            ModelError(field: "\(source) (.npy header)", value: Excerpt.of(value), allowed: allowed)
        }
        guard bytes.count >= 10, bytes.starts(with: magic) else {
            throw fail(bytes.count < 10 ? "\(bytes.count) bytes" : "no \\x93NUMPY magic", "a .npy file starts with \\x93NUMPY, a version and a header")
        }
        let major = bytes[6], minor = bytes[7]
        guard [1, 2, 3].contains(major), minor == 0 else {
            throw fail("version \(major).\(minor)", "versions 1.0, 2.0 and 3.0 are read")
        }
        let headerLength: Int, start: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        } else {
            guard bytes.count >= 12 else { throw fail("\(bytes.count) bytes", "the file ends inside the header length") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        }
        guard headerLength <= bytes.count - start else {
            throw fail("header length \(headerLength)", "the file has only \(bytes.count - start) bytes after the header length")
        }
        let headerBytes = Array(bytes[start..<(start + headerLength)])
        guard headerBytes.allSatisfy({ $0 < 0x80 }) else {
            throw fail("(non-ASCII header)", "the header must be an ASCII Python dict")
        }
        var parser = DictParser(text: headerBytes)
        let dict: [String: DictParser.Value]
        do { dict = try parser.parse() } catch {
            throw fail(String(decoding: headerBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                       "the header must be a dict {'descr': '<f8', 'fortran_order': False, 'shape': (n, d)}: \(error.reason)")
        }
        let keys = Set(dict.keys)
        guard keys == ["descr", "fortran_order", "shape"] else {
            let extra = keys.subtracting(["descr", "fortran_order", "shape"]).sorted()
            let missing = Set(["descr", "fortran_order", "shape"]).subtracting(keys).sorted()
            throw fail((extra.isEmpty ? "" : "unknown key \(extra.joined(separator: ", "))") + (missing.isEmpty ? "" : "\(extra.isEmpty ? "" : "; ")missing key \(missing.joined(separator: ", "))"),
                       "the header holds exactly the keys 'descr', 'fortran_order' and 'shape'")
        }
        guard case .string(let descr)? = dict["descr"] else { throw fail("descr", "'descr' must be a quoted dtype such as '<f8'") }
        var code = Substring(descr)
        var bigEndian = false
        if let order = code.first, "<>|=".contains(order) {
            bigEndian = order == ">"
            code = code.dropFirst()
        }
        guard let element = Element(rawValue: String(code)) else {
            throw fail("descr '\(descr)'", "supported dtypes: float64, float32, float16, int8…int64, uint8…uint64, bool (<f8, <f4, <f2, <i8, …, |b1)")
        }
        if descr.first == "|" && element.size != 1 { throw fail("descr '\(descr)'", "'|' (no byte order) is for 1-byte types only") }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw fail("fortran_order", "'fortran_order' must be True or False")
        }
        guard case .tuple(let dims)? = dict["shape"] else { throw fail("shape", "'shape' must be a tuple of integers") }
        guard dims.count == 1 || dims.count == 2 else {
            throw fail("shape (\(dims.joined(separator: ", ")))", "a 1-D or 2-D array (one sample per row)")
        }
        var shape = [Int]()
        for d in dims {
            guard let v = Int(d) else { throw fail("shape dimension \(d)", "dimensions must be integers below 2^63") }
            guard v >= 1 else { throw fail("shape dimension \(d)", "dimensions must be >= 1 (the array must not be empty)") }
            shape.append(v)
        }
        var count = 1
        for v in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: v)
            guard !overflow else { throw fail("shape (\(dims.joined(separator: ", ")))", "more elements than a file can hold") }
            count = p
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: element.size)
        let available = bytes.count - start - headerLength
        guard !overflow, byteCount == available else {
            throw fail("shape (\(dims.joined(separator: ", "))) of \(descr)",
                       "implies \(overflow ? "more than 2^63" : String(byteCount)) bytes of data but the file holds \(available) after the header")
        }
        return Header(element: element, bigEndian: bigEndian, fortranOrder: fortran, shape: shape, dataOffset: start + headerLength)
    }

    /// IEEE half precision to Float.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F), fraction = Float(h & 0x3FF)
        if exponent == 0 { return sign * fraction * Float.pow2(-24) }
        if exponent == 31 { return fraction == 0 ? sign * .infinity : .nan }
        return sign * (1 + fraction / 1024) * Float.pow2(exponent - 15)
    }
}

private extension Float {
    static func pow2(_ e: Int) -> Float { Float(sign: .plus, exponent: e, significand: 1) }
}

/// A strict parser of the header's dict literal: keys and strings in single or double quotes,
/// True/False, tuples of decimal digit strings; whitespace between tokens; one optional trailing
/// comma in the dict and in tuples; nothing after the closing brace but whitespace.
struct DictParser {
    enum Value: Equatable { case string(String), bool(Bool), tuple([String]) }
    struct Failure: Error { let reason: String }

    let text: [UInt8]
    var i = 0

    init(text: [UInt8]) { self.text = text }

    mutating func skipSpace() { while i < text.count, [0x20, 0x09, 0x0A, 0x0D].contains(text[i]) { i += 1 } }

    mutating func expect(_ c: Character) throws(Failure) {
        skipSpace()
        guard i < text.count, text[i] == c.asciiValue! else { throw Failure(reason: "expected '\(c)' at character \(i + 1)") }
        i += 1
    }

    mutating func peek() -> UInt8? { skipSpace(); return i < text.count ? text[i] : nil }

    mutating func string() throws(Failure) -> String {
        skipSpace()
        guard i < text.count, text[i] == 0x27 || text[i] == 0x22 else { throw Failure(reason: "expected a quoted string at character \(i + 1)") }
        let quote = text[i]
        i += 1
        let begin = i
        while i < text.count, text[i] != quote {
            guard text[i] != 0x5C else { throw Failure(reason: "escapes are not allowed in strings") }
            i += 1
        }
        guard i < text.count else { throw Failure(reason: "unterminated string") }
        let s = String(decoding: text[begin..<i], as: UTF8.self)
        i += 1
        return s
    }

    mutating func word() -> String {
        skipSpace()
        let begin = i
        while i < text.count, (0x30...0x39).contains(text[i]) || (0x41...0x5A).contains(text[i]) || (0x61...0x7A).contains(text[i]) || text[i] == 0x2D || text[i] == 0x2B {
            i += 1
        }
        return String(decoding: text[begin..<i], as: UTF8.self)
    }

    /// A tuple item: everything up to the next ',', ')' or whitespace.
    mutating func item() -> String {
        skipSpace()
        let begin = i
        while i < text.count, ![0x2C, 0x29, 0x20, 0x09, 0x0A, 0x0D].contains(text[i]) { i += 1 }
        return String(decoding: text[begin..<i], as: UTF8.self)
    }

    mutating func value() throws(Failure) -> Value {
        switch peek() {
        case 0x27?, 0x22?: return .string(try string())
        case 0x28?:   // (
            i += 1
            var items = [String]()
            while true {
                if peek() == 0x29 { i += 1; break }
                let w = item()
                guard !w.isEmpty, w.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    throw Failure(reason: "a shape holds non-negative decimal integers, found '\(w)'")
                }
                items.append(w)
                if peek() == 0x2C { i += 1; continue }   // ,
                try expect(")")
                break
            }
            return .tuple(items)
        default:
            let w = word()
            switch w {
            case "True": return .bool(true)
            case "False": return .bool(false)
            default: throw Failure(reason: "unexpected value '\(w)' (True, False, a quoted string or a tuple)")
            }
        }
    }

    mutating func parse() throws(Failure) -> [String: Value] {
        try expect("{")
        var out = [String: Value]()
        while true {
            if peek() == 0x7D { i += 1; break }   // }
            let key = try string()
            try expect(":")
            guard out[key] == nil else { throw Failure(reason: "key '\(key)' given twice") }
            out[key] = try value()
            if peek() == 0x2C { i += 1; continue }
            try expect("}")
            break
        }
        skipSpace()
        guard i == text.count else { throw Failure(reason: "text after the closing brace") }
        return out
    }
}
