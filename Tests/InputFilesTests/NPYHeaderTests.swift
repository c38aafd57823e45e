import Foundation
import Testing
@testable import InputFiles
import LimitLaws

/// Builds .npy files: magic, version, header length, the header padded to a multiple of 64 with
/// a final newline (as numpy writes it), then `body`.
enum NPYCorpus {
    static func file(header: String, version: UInt8 = 1, body: Data = Data(), rawLength: Int? = nil) -> Data {
        var h = Array(header.utf8)
        let prefix = version == 1 ? 10 : 12
        while (prefix + h.count + 1) % 64 != 0 { h.append(0x20) }
        h.append(0x0A)
        var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0])
        let n = rawLength ?? h.count
        if version == 1 { d.append(contentsOf: [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF)]) }
        else { d.append(contentsOf: [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8((n >> 24) & 0xFF)]) }
        d.append(contentsOf: h)
        return d + body
    }

    static func doubles(_ v: [Double], bigEndian: Bool = false) -> Data {
        var d = Data()
        for x in v { withUnsafeBytes(of: bigEndian ? x.bitPattern.bigEndian : x.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    /// Malformed files and a fragment of the message each must give. None may trap or allocate
    /// by its shape: the first three are the reported crashes (arithmetic overflow traps).
    static let malformed: [(name: String, data: Data, message: String)] = [
        ("shape overflows", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }", body: doubles([1, 2])), "more elements"),
        ("negative dimension", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (-5, 3), }", body: doubles([1, 2])), "non-negative"),
        ("byte count overflows", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", body: doubles([1])), "more elements"),
        ("fortran_order Maybe", file(header: "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2, 1), }", body: doubles([1, 2])), "Maybe"),
        ("fortran_order a string", file(header: "{'descr': '<f8', 'fortran_order': 'False', 'shape': (2, 1), }", body: doubles([1, 2])), "fortran_order"),
        ("shape larger than the file", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", body: doubles([1, 2])), "implies 48 bytes"),
        ("bytes after the data", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", body: doubles([1, 2])), "holds 16"),
        ("zero dimension", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }"), ">= 1"),
        ("dimension beyond Int", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 1), }"), "below 2^63"),
        ("three dimensions", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }", body: doubles([1])), "1-D or 2-D"),
        ("scalar shape", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", body: doubles([1])), "1-D or 2-D"),
        ("float dimension", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2.5, 1), }"), "decimal integers"),
        ("hex dimension", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (0x10, 1), }"), "decimal integers"),
        ("expression dimension", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2*3, 1), }"), "decimal integers"),
        ("missing shape", file(header: "{'descr': '<f8', 'fortran_order': False, }", body: doubles([1])), "missing key shape"),
        ("extra key", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': True, }", body: doubles([1])), "unknown key x"),
        ("key twice", file(header: "{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", body: doubles([1])), "twice"),
        ("structured dtype", file(header: "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", body: doubles([1])), "descr"),
        ("complex dtype", file(header: "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", body: doubles([1, 2])), "supported dtypes"),
        ("object dtype", file(header: "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", body: doubles([1])), "supported dtypes"),
        ("| on a wide type", file(header: "{'descr': '|f8', 'fortran_order': False, 'shape': (1,), }", body: doubles([1])), "1-byte"),
        ("not a dict", file(header: "['descr', '<f8']", body: doubles([1])), "dict"),
        ("text after the dict", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } x", body: doubles([1])), "after the closing brace"),
        ("unterminated string", file(header: "{'descr': '<f8, 'fortran_order': False, 'shape': (1,) }", body: doubles([1])), "header"),
        ("header length beyond the file", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", rawLength: 60000), "header length 60000"),
        ("version 2 header length beyond the file", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", version: 2, rawLength: Int(UInt32.max)), "header length"),
        ("version 9", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", version: 9, body: doubles([1])), "version 9.0"),
        ("truncated magic", Data([0x93, 0x4E, 0x55]), "bytes"),
        ("non-ASCII header", file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'é': 1}", body: doubles([1])), "ASCII"),
    ]
}

@Suite struct NPYHeaderTests {
    @Test(arguments: NPYCorpus.malformed.indices)
    func malformedHeadersAreRefusedWithAMessage(index: Int) {
        let c = NPYCorpus.malformed[index]
        do {
            _ = try NPYArray.parse(c.data, source: "x.npy")
            Issue.record("\(c.name): accepted")
        } catch {
            #expect(error.field == "x.npy (.npy header)", "\(c.name)")
            #expect(error.description.contains(c.message), "\(c.name): \(error.description)")
        }
    }

    @Test func wellFormedArraysInEveryLayout() throws {
        let values: [Double] = [1, 2, 3, 4, 5, 6]
        let c = try NPYArray.parse(NPYCorpus.file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", body: NPYCorpus.doubles(values)), source: "c")
        #expect(c.shape == [2, 3] && c.values == values)
        // Fortran order: column-major bytes 1,4,2,5,3,6 are the same matrix
        let f = try NPYArray.parse(NPYCorpus.file(header: "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", body: NPYCorpus.doubles([1, 4, 2, 5, 3, 6])), source: "f")
        #expect(f.values == values)
        let big = try NPYArray.parse(NPYCorpus.file(header: "{\"descr\": \">f8\", \"fortran_order\": False, \"shape\": (6,)}", version: 2, body: NPYCorpus.doubles(values, bigEndian: true)), source: "b")
        #expect(big.shape == [6] && big.values == values)
        var ints = Data()
        for v: Int32 in [-1, 7] { withUnsafeBytes(of: v.littleEndian) { ints.append(contentsOf: $0) } }
        #expect(try NPYArray.parse(NPYCorpus.file(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", body: ints), source: "i").values == [-1, 7])
        let half = try NPYArray.parse(NPYCorpus.file(header: "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", body: Data([0x00, 0x3C, 0x00, 0xC0])), source: "h")
        #expect(half.values == [1, -2])
    }

    /// The same files through `DataFile`, as `sample --data` reads them.
    @Test func dataFilesReadNPYAndCRLFText() throws {
        let npy = try DataFile.parse(NPYCorpus.file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", body: NPYCorpus.doubles([1, 2, 3, 4, 5, 6])), source: "d.npy")
        #expect(npy.samples == 3 && npy.features == 2)
        let csv = try DataFile.parse(Data("\u{FEFF}a,b\r\n1,2\r\n3,4\r\n5,6\r\n".utf8), source: "d.csv")
        #expect(csv.samples == 3 && csv.features == 2 && csv.values == [1, 2, 3, 4, 5, 6])
        #expect(throws: ModelError.self) { try DataFile.parse(NPYCorpus.malformed[0].data, source: "bad.npy") }
    }
}
