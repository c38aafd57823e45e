import CSV
import Dispatch
import Foundation
import LimitLaws

/// A table of numbers read from a text file: CSV (comma, semicolon or tab separated) or columns
/// separated by spaces, as written by numpy.savetxt, pandas or a spreadsheet.
///
/// The rows are read by CSV.swift (RFC 4180: quoted fields, CR, LF and CRLF line ends). On top of
/// it: a UTF-8 byte-order mark is dropped (UTF-16 with a mark is decoded), `#` starts a comment
/// to the end of the line, blank lines are skipped, and a first line that is not numeric is a
/// header. Errors name the file and the line, the value and what is allowed.
public struct NumericTable: Sendable {
    /// Rows of numbers read (header, comments and blank lines not counted).
    public private(set) var rows: Int
    /// Numbers per row (1 when only the first column was read).
    public private(set) var columns: Int
    /// Row-major values, rows × columns.
    public private(set) var values: [Double]
    /// Whether the first line was taken for a header.
    public private(set) var header: Bool
    /// How many fields of the first row of data are numbers, counting the columns that
    /// `.first` does not keep (a single row "0.5,1,1.5" has 3).
    public private(set) var numbersInFirstRow = 0
    /// (row, line) where the line of a row stops being the line of the row before plus one.
    private var lineBreaks: [(row: Int, line: Int)]

    /// Which columns to read.
    public enum Columns: Sendable { case first, all }

    /// The line (1-based, in the file) of a row (0-based).
    public func line(ofRow row: Int) -> Int {
        var lo = 0, hi = lineBreaks.count - 1
        guard hi >= 0 else { return row + 1 }
        if row < lineBreaks[0].row { return row + 1 }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineBreaks[mid].row <= row { lo = mid } else { hi = mid - 1 }
        }
        return lineBreaks[lo].line + (row - lineBreaks[lo].row)
    }

    /// Reads `data` (the bytes of the file `source`, named in errors). Files of more than a few MB
    /// are cut at line ends into pieces read in parallel; `progress` gets the fraction done (from
    /// any thread). A file with a `"` is read in one piece (a quoted field may hold a line end).
    /// `pieceBytes`: the smallest piece (tests make it small to exercise the pieces' joins).
    public static func read(_ data: Data, source: String, columns: Columns,
                            progress: (@Sendable (Double) -> Void)? = nil, pieceBytes: Int = 1 << 20) throws(ModelError) -> NumericTable {
        let bytes = try TextDecoding.utf8(data, source: source)
        let delimiter = detectDelimiter(bytes)
        let pieces = cut(bytes, into: bytes.contains(UInt8(ascii: "\"")) ? 1 : pieceCount(bytes.count, pieceBytes: max(1, pieceBytes)))
        let results = PieceResults(count: pieces.count)
        DispatchQueue.concurrentPerform(iterations: pieces.count) { k in
            let text = String(decoding: bytes[pieces[k]], as: UTF8.self)
            results.set(k, readPiece(text, first: k == 0, delimiter: delimiter, columns: columns))
            if let progress { progress(results.fractionDone) }
        }
        return try merge(results.all, source: source, columns: columns)
    }

    // MARK: pieces

    private static func pieceCount(_ size: Int, pieceBytes: Int) -> Int {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        return max(1, min(size / pieceBytes, 8 * cores))  // several per core for progress
    }

    /// Ranges of about equal size, each ending just after a line feed (or at the end).
    private static func cut(_ bytes: [UInt8], into n: Int) -> [Range<Int>] {
        guard n > 1 else { return [0..<bytes.count] }
        var ranges = [Range<Int>](), start = 0
        for k in 1..<n {
            var end = max(start, bytes.count * k / n)
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            if end < bytes.count { end += 1 }
            if end > start { ranges.append(start..<end); start = end }
        }
        if start < bytes.count || ranges.isEmpty { ranges.append(start..<bytes.count) }
        return ranges
    }

    /// Comma if the first content line has one, else semicolon, else tab, else space.
    static func detectDelimiter(_ bytes: [UInt8]) -> UnicodeScalar {
        var i = 0
        while i < bytes.count {
            var j = i
            while j < bytes.count && bytes[j] != UInt8(ascii: "\n") && bytes[j] != UInt8(ascii: "\r") { j += 1 }
            var line = bytes[i..<j]
            if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = line[..<hash] }
            if line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) {
                for d in [",", ";", "\t"] as [UnicodeScalar] where line.contains(UInt8(d.value)) { return d }
                return " "
            }
            i = j + 1
        }
        return ","
    }

    /// What one piece gave: its numbers and where its lines were, or the first bad line.
    struct Piece: Sendable {
        var values: [Double] = []
        var rows = 0
        var columns: Int?
        /// Lines in the piece (every CSV row is one line when the file has no quotes).
        var lines = 0
        var lineBreaks: [(row: Int, line: Int)] = []
        var header = false
        /// Numeric fields of the piece's first row of data, all columns counted.
        var numbersInFirstRow: Int?
        /// (line in the piece, value, what is allowed)
        var error: (line: Int, value: String, allowed: String)?
    }

    static func readPiece(_ text: String, first: Bool, delimiter: UnicodeScalar, columns: Columns) -> Piece {
        var piece = Piece()
        // fields are trimmed here (CSV.swift's trimming goes through NSString: 40% of the time)
        guard let reader = try? CSVReader(string: text, hasHeaderRow: false, trimFields: false, delimiter: delimiter) else {
            piece.error = (1, "", "the file could not be read as text")
            return piece
        }
        var sawContent = false
        var previousLine = -1   // line of the previous row read (none yet: the first row is a break)
        while let raw = reader.next() {
            piece.lines += 1
            let line = piece.lines
            var fields = raw.map(trimmed)
            // `#` to the end of the line is a comment
            if let k = fields.firstIndex(where: { $0.utf8.contains(UInt8(ascii: "#")) }) {
                fields[k] = trimmed(String(fields[k].prefix { $0 != "#" }))
                fields.removeSubrange((k + 1)...)
            }
            if delimiter == " " { fields.removeAll { $0.isEmpty } }   // runs of spaces
            if fields.allSatisfy(\.isEmpty) { continue }
            let numbersInRow = fields.reduce(0) { $0 + (Double($1) != nil ? 1 : 0) }
            if columns == .first { fields = [fields[0]] }
            var numbers = [Double]()
            numbers.reserveCapacity(fields.count)
            var bad: (String, String)?
            for (c, f) in fields.enumerated() {
                guard let v = Double(f) else {
                    bad = (f, columns == .first ? "the first column must hold one number per line" : "column \(c + 1) must be a number")
                    break
                }
                guard v.isFinite else {
                    bad = (f, "must be a finite number (a Double holds magnitudes up to 1.8e308)")
                    break
                }
                numbers.append(v)
            }
            if let (value, allowed) = bad {
                if first && !sawContent && !fields.contains(where: { Double($0) != nil }) {   // a header line: names, no numbers
                    piece.header = true
                    sawContent = true
                    continue
                }
                piece.error = (line, value, allowed)
                return piece
            }
            sawContent = true
            if let c = piece.columns, c != numbers.count {
                piece.error = (line, fields.joined(separator: String(Character(delimiter))),
                               "every row must have \(c) numbers like the first one (this one has \(numbers.count))")
                return piece
            }
            piece.columns = numbers.count
            if piece.numbersInFirstRow == nil { piece.numbersInFirstRow = numbersInRow }
            if line != previousLine + 1 { piece.lineBreaks.append((piece.rows, line)) }
            previousLine = line
            piece.values.append(contentsOf: numbers)
            piece.rows += 1
        }
        return piece
    }

    /// The field without leading and trailing spaces and tabs (a copy only when there are some).
    static func trimmed(_ s: String) -> String {
        let u = s.utf8
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        guard let f = u.first, let l = u.last, blank(f) || blank(l) else { return s }
        guard let start = u.firstIndex(where: { !blank($0) }), let end = u.lastIndex(where: { !blank($0) }) else { return "" }
        return String(s[start...end])
    }

    static func merge(_ pieces: [Piece], source: String, columns: Columns) throws(ModelError) -> NumericTable {
        var table = NumericTable(rows: 0, columns: 0, values: [], header: pieces.first?.header ?? false, lineBreaks: [])
        table.values.reserveCapacity(pieces.reduce(0) { $0 + $1.values.count })
        var linesBefore = 0
        for piece in pieces {
            if let e = piece.error {
                throw ModelError(field: "\(source) line \(linesBefore + e.line)", value: Excerpt.of(e.value), allowed: e.allowed)
            }
            if let c = piece.columns {
                if table.rows == 0 { table.numbersInFirstRow = piece.numbersInFirstRow ?? c }
                if table.rows > 0 && c != table.columns {
                    let line = linesBefore + (piece.lineBreaks.first?.line ?? 1)
                    throw ModelError(field: "\(source) line \(line)", value: "\(c) numbers",
                                     allowed: "every row must have \(table.columns) numbers like the first one")
                }
                table.columns = c
            }
            // every piece records the line of its first row, so its breaks place all its rows
            table.lineBreaks += piece.lineBreaks.map { (row: $0.row + table.rows, line: $0.line + linesBefore) }
            table.values += piece.values
            table.rows += piece.rows
            linesBefore += piece.lines
        }
        guard table.rows > 0 else {
            throw ModelError(field: source, value: "(no numbers)", allowed: "the file must hold at least one row of numbers")
        }
        if columns == .first { table.columns = 1 }
        return table
    }
}

/// Results of the pieces, written from the worker threads.
private final class PieceResults: @unchecked Sendable {
    private var pieces: [NumericTable.Piece]
    private var done = 0
    private let lock = NSLock()
    init(count: Int) { pieces = Array(repeating: .init(), count: count) }
    func set(_ k: Int, _ p: NumericTable.Piece) { lock.lock(); pieces[k] = p; done += 1; lock.unlock() }
    var fractionDone: Double { lock.lock(); defer { lock.unlock() }; return Double(done) / Double(pieces.count) }
    var all: [NumericTable.Piece] { lock.lock(); defer { lock.unlock() }; return pieces }
}

/// Bytes of a text file as UTF-8: a UTF-8 byte-order mark is dropped, UTF-16 with a mark is
/// converted, anything else must be valid UTF-8.
enum TextDecoding {
    static func utf8(_ data: Data, source: String) throws(ModelError) -> [UInt8] {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Array(bytes.dropFirst(3)) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard let text = String(data: data, encoding: .utf16) else {
                throw ModelError(field: source, value: "(UTF-16 text)", allowed: "must be valid UTF-8 or UTF-16 text")
            }
            return Array(text.utf8)
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ModelError(field: source, value: "binary data", allowed: "must be text or .npy")
        }
        return bytes
    }
}
