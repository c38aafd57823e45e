import Foundation
import Testing
@testable import InputFiles
import LimitLaws

func bytes(_ s: String) -> Data { Data(s.utf8) }

@Suite struct NumericTableTests {
    @Test(arguments: ["\n", "\r\n", "\r"])
    func lineEndsOfEveryKindGiveOneRowPerLine(end: String) throws {
        // 100 values with a header and a second column: the reported fault read CRLF as one line
        let text = "value,other" + end + (1...100).map { "\($0),x" }.joined(separator: end) + end
        let t = try NumericTable.read(bytes(text), source: "f.csv", columns: .first)
        #expect(t.rows == 100 && t.values == (1...100).map(Double.init))
        #expect(t.header)
        let one = try NumericTable.read(bytes((1...100).map(String.init).joined(separator: end)), source: "f.txt", columns: .first)
        #expect(one.values == (1...100).map(Double.init))
    }

    @Test func byteOrderMarksAreDropped() throws {
        let utf8 = Data([0xEF, 0xBB, 0xBF]) + bytes("1\n2\n3\n")
        #expect(try NumericTable.read(utf8, source: "b", columns: .first).values == [1, 2, 3])
        var utf16 = Data([0xFF, 0xFE])
        for u in "4\r\n5\r\n".utf16 { utf16.append(UInt8(u & 0xFF)); utf16.append(UInt8(u >> 8)) }
        #expect(try NumericTable.read(utf16, source: "b", columns: .first).values == [4, 5])
    }

    @Test func commentsBlankLinesHeaderAndQuotes() throws {
        let text = "# a spectrum\n\nlambda;other\n0.5;1\n\n\"1.5\"; 2 # trailing\n  # indented comment\n"
        let t = try NumericTable.read(bytes(text), source: "f.csv", columns: .all)
        #expect(t.values == [0.5, 1, 1.5, 2] && t.columns == 2 && t.rows == 2)
        #expect(t.line(ofRow: 0) == 4 && t.line(ofRow: 1) == 6)
    }

    @Test func delimitersAreDetected() throws {
        #expect(try NumericTable.read(bytes("1\t2\n3\t4\n"), source: "t", columns: .all).values == [1, 2, 3, 4])
        #expect(try NumericTable.read(bytes("1  2\n 3 4\n"), source: "t", columns: .all).values == [1, 2, 3, 4])
        #expect(try NumericTable.read(bytes("1.5e-3 2\n"), source: "t", columns: .first).values == [1.5e-3])
    }

    @Test func errorsNameTheFileTheLineAndTheValue() {
        func error(_ text: String, _ columns: NumericTable.Columns = .first) -> ModelError? {
            do { _ = try NumericTable.read(bytes(text), source: "spec.txt", columns: columns); return nil } catch { return error }
        }
        #expect(error("1\n2\nthree\n")?.field == "spec.txt line 3")
        #expect(error("1\n2\nthree\n")?.value == "three")
        #expect(error("1\r\n\r\n2\r\nnan\r\n")?.field == "spec.txt line 4")
        #expect(error("1,2\n3\n", .all)?.field == "spec.txt line 2")
        #expect(error("1,,2\n", .all)?.field == "spec.txt line 1")
        #expect(error("1e400\n")?.allowed.contains("finite") == true)
        #expect(error("# nothing\n\n")?.value == "(no numbers)")
        #expect(error("")?.value == "(no numbers)")
        #expect(error("header\n")?.value == "(no numbers)")
    }

    /// A file large enough to be read in pieces: every line number is still right.
    @Test func piecesKeepLineNumbers() throws {
        var lines = (0..<20_000).map { "\(Double($0) * 0.25)" }
        lines.insert("# comment", at: 12_347)
        lines.insert("", at: 15_001)
        let text = lines.joined(separator: "\r\n") + "\r\n"
        let t = try NumericTable.read(bytes(text), source: "big", columns: .first, pieceBytes: 4096)
        #expect(t.rows == 20_000)
        #expect(t.values == (0..<20_000).map { Double($0) * 0.25 })
        #expect(t.line(ofRow: 0) == 1)
        #expect(t.line(ofRow: 12_346) == 12_347 && t.line(ofRow: 12_347) == 12_349)
        #expect(t.line(ofRow: 19_999) == 20_002)
        var bad = lines
        bad[17_000] = "oops"
        do {
            _ = try NumericTable.read(bytes(bad.joined(separator: "\n")), source: "big", columns: .first, pieceBytes: 4096)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "big line 17001" && error.value == "oops")
        }
    }

    /// A row that breaks the rule is quoted in at most `Excerpt.limit` (60) characters and "…":
    /// a ragged row of 20 000 numbers and a field of 10 000 letters, each with its file and line.
    /// The expected text is the row's own first 60 characters.
    @Test func longRowsAreQuotedShort() throws {
        let long = (1...20_000).map(String.init).joined(separator: ",")
        let ragged = "1,2\n3,4\n" + long + "\n"
        do {
            _ = try NumericTable.read(bytes(ragged), source: "d.csv", columns: .all)
            Issue.record("a ragged row was read")
        } catch {
            #expect(error.field == "d.csv line 3")
            #expect(error.value == String(long.prefix(60)) + "…")
            #expect(error.allowed.contains("2 numbers"))
        }
        let word = String(repeating: "x", count: 10_000)
        do {
            _ = try NumericTable.read(bytes("1\n" + word + "\n"), source: "e.txt", columns: .first)
            Issue.record("a word was read as a number")
        } catch {
            #expect(error.field == "e.txt line 2" && error.value == String(repeating: "x", count: 60) + "…")
        }
        // short values are quoted whole
        #expect(Excerpt.of("1,2,3") == "1,2,3" && Excerpt.of(String(repeating: "y", count: 60)) == String(repeating: "y", count: 60))
    }
}
