import Foundation

/// How a sampling run holds its intermediate matrices. The run takes the fastest layout whose estimated
/// peak fits in 90 % of the available memory, chosen before anything is allocated
/// (`SamplingRequest.memoryPlan`; docs/performance.md, *Memory and time model*).
public struct StorageLayout: Sendable, Equatable, CustomStringConvertible {
    /// The Grams G_0 … G_{L−1} are kept from the forward pass until the NTK's backward pass uses them.
    /// Otherwise each is computed again from the stored pre-activations H_ℓ when it is needed (L more SYRKs).
    public var keepGrams: Bool
    /// The forward and backward products run over this many column chunks of the samples, so that no
    /// full d_ℓ × n temporary is needed besides the stored pre-activations; the weights are regenerated once
    /// per chunk.
    public var chunks: Int

    public init(keepGrams: Bool, chunks: Int) {
        self.keepGrams = keepGrams; self.chunks = max(1, chunks)
    }

    /// Everything kept, no chunks: the fastest.
    public static let fastest = StorageLayout(keepGrams: true, chunks: 1)
    /// The layouts tried, fastest first.
    public static let candidates: [StorageLayout] = [
        .fastest, StorageLayout(keepGrams: false, chunks: 1), StorageLayout(keepGrams: false, chunks: 2),
        StorageLayout(keepGrams: false, chunks: 4), StorageLayout(keepGrams: false, chunks: 8),
    ]

    public var description: String {
        (keepGrams ? "Grams kept" : "Grams recomputed") + (chunks > 1 ? ", \(chunks) column chunks" : "")
    }
}

/// The estimated peak of a run and what is resident at that moment.
public struct MemoryEstimate: Sendable, Equatable {
    /// Peak resident bytes (the largest item sum over the run's phases, plus a fixed allowance for the
    /// runtime and code).
    public let bytes: Int
    /// The phase where the peak occurs, e.g. "backward pass, layer 5".
    public let phase: String
    /// What is resident at the peak, largest first (name, bytes).
    public let items: [(String, Int)]

    public static func == (a: MemoryEstimate, b: MemoryEstimate) -> Bool {
        a.bytes == b.bytes && a.phase == b.phase && a.items.map(\.0) == b.items.map(\.0) && a.items.map(\.1) == b.items.map(\.1)
    }

    /// "backward pass, layer 5: H_1…H_4 11.9 GiB, S_5 2.98 GiB, …".
    public var breakdown: String {
        "\(phase): " + items.filter { $0.1 >= 1 << 20 }.map { "\($0.0) \(MemoryInfo.format($0.1))" }.joined(separator: ", ")
    }
}

/// The fixed allowance for the runtime, the code and small workspaces.
let runtimeAllowance = 48 << 20

extension SamplingRequest {
    /// The fastest memory layout whose estimate fits in `NetworkSampler.memoryShare` (90 %) of `available` bytes (all fit when nil), with its
    /// estimate; when none fits, the leanest layout and its estimate (the caller refuses the run).
    public func memoryPlan(available: Int?) throws(SamplingError) -> (layout: StorageLayout, estimate: MemoryEstimate) {
        let layouts = ntk ? StorageLayout.candidates : [.fastest]
        var last: (StorageLayout, MemoryEstimate)?
        for layout in layouts {
            let e = try memoryEstimate(layout: layout)
            if let available, Double(e.bytes) > NetworkSampler.memoryShare * Double(available) { last = (layout, e); continue }
            return (layout, e)
        }
        return last!
    }

    /// Estimated peak memory of the run in bytes, for the layout it would take with the memory available now.
    public func estimatedPeakBytes() throws(SamplingError) -> Int {
        try memoryPlan(available: MemoryInfo.available()).estimate.bytes
    }

    /// The rows of one weight block (W_ℓ, `rows` × `k`, is generated block by block): about `flopsPerBlock`
    /// flops per product with `cols` columns, at most `cols` rows (the block is never larger than the operand it
    /// multiplies), at least 64 rows (512 for large n, where fewer, larger
    /// calls stream the other operand less often).
    func weightBlockRows(k: Int, cols: Int, rows: Int) -> Int {
        min(rows, max(minimumBlockRows, min(16384, cols, Int(flopsPerBlock / (2 * Double(k) * Double(cols))))))
    }

    /// The rows of one SYRK call of an m×m Gram over `k` rows: about `flopsPerBlock` flops, at least 32 rows
    /// (up to 512 for large n, where each call rewrites the whole n×n result).
    func gramChunkRows(m: Int, k: Int) -> Int {
        min(k, max(max(32, min(512, sampleCount / 32)), Int(flopsPerBlock / (Double(m) * Double(m)))))
    }

    var minimumBlockRows: Int { max(64, min(512, sampleCount / 32)) }

    /// Width of the column tiles in which S_ℓᵀS_ℓ is formed and folded into the NTK.
    var tileColumns: Int { min(sampleCount * outputs, 256) }

    /// The peak memory of the run with `layout`: a walk over its phases, mirroring `Pipeline.run`.
    public func memoryEstimate(layout: StorageLayout) throws(SamplingError) -> MemoryEstimate {
        let w = try widths()
        let n = sampleCount, L = depth, k = outputs, nk = n * k
        let s = precision == .float32 ? 4 : 8
        let nn = n * n * s
        let wantCK = Set(kernels.compactMap { $0.layer })
        let keep = ntk && layout.keepGrams
        let chunkCols = (n + layout.chunks - 1) / layout.chunks
        let topCopy = topVectors > 0 ? nk * nk * s : 0
        // The eigen solver's workspaces (two-stage: V, W of n × 64, the band; one-stage: n × 32).
        let eigen = 4 * n * 64 * s
        let surrogateSum = surrogate ? nn : 0

        var best = (bytes: 0, phase: "", items: [(String, Int)]())
        func phase(_ name: String, _ items: [(String, Int)]) {
            let total = items.reduce(0) { $0 + $1.1 }
            if total > best.bytes { best = (total, name, items.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }) }
        }
        func block(_ l: Int, cols: Int) -> Int { weightBlockRows(k: w[l - 1], cols: cols, rows: w[l]) * w[l - 1] * s }
        func hName(_ a: Int, _ b: Int) -> String { a == b ? "H_\(a)" : "H_\(a)…H_\(b)" }

        // Input: the Double design (QR, data preprocessing) plus X₀ in the working precision.
        phase("input", [("X_0 and its double-precision design", w[0] * n * (8 + s))])
        let x0 = w[0] * n * s
        phase("Gram of layer 0", [("X_0", x0), ("G_0", nn), ("copy of G_0 for its eigenvalues", keep && wantCK.contains(0) ? nn : 0),
                                  ("surrogate sum", surrogateSum), ("eigen workspace", eigen), ("top-eigenpair copy", topCopy)])
        var stored = 0        // H_1 … H_ℓ (NTK)
        var kept = keep ? nn : 0   // G_0 … G_{ℓ−1}
        let x0Kept = ntk && !keep ? x0 : 0   // X_0 stays for G_0's recomputation
        for l in 1...L {
            if ntk {
                let source = l == 1 ? x0 : (layout.chunks == 1 ? w[l - 1] * n * s : w[l - 1] * chunkCols * s)
                phase("forward pass, layer \(l)", [
                    (l > 1 ? hName(1, l - 1) : "", stored), (l == 1 ? "X_0" : (layout.chunks == 1 ? "X_\(l - 1)" : "X_\(l - 1) chunk"), source),
                    ("X_0", l > 1 ? x0Kept : 0), ("H_\(l)", w[l] * n * s), ("weight block", block(l, cols: layout.chunks == 1 || l == 1 ? n : chunkCols)),
                    ("kept Grams", kept), ("surrogate sum", surrogateSum)])
                stored += w[l] * n * s
                let xl = layout.chunks == 1 ? w[l] * n * s : gramChunkRows(m: n, k: w[l]) * n * s
                let gramKept = keep && l < L
                phase("Gram of layer \(l)", [
                    (hName(1, l), stored), (layout.chunks == 1 ? "X_\(l)" : "X_\(l) rows", xl), ("X_0", x0Kept),
                    ("kept Grams", kept), ("G_\(l)", nn), ("copy of G_\(l) for its eigenvalues", gramKept && wantCK.contains(l) ? nn : 0),
                    ("NTK", l == L ? k * k * nn : 0), ("surrogate sum", surrogateSum), ("eigen workspace", eigen), ("top-eigenpair copy", topCopy)])
                if gramKept { kept += nn }
            } else {
                phase("forward pass, layer \(l)", [("X_\(l - 1)", w[l - 1] * n * s), ("H_\(l)", w[l] * n * s),
                                                    ("weight block", block(l, cols: n)), ("surrogate sum", surrogateSum)])
                phase("Gram of layer \(l)", [("X_\(l)", w[l] * n * s), ("G_\(l)", nn), ("surrogate sum", surrogateSum),
                                             ("eigen workspace", eigen), ("top-eigenpair copy", topCopy)])
            }
        }
        if surrogate { phase("surrogate eigenvalues", [(ntk ? hName(1, L) : "", stored), ("NTK", ntk ? k * k * nn : 0),
                                                       ("kept Grams", kept), ("surrogate", nn), ("eigen workspace", eigen), ("top-eigenpair copy", topCopy)]) }
        if ntk {
            let chunkNK = (nk + layout.chunks - 1) / layout.chunks
            for l in stride(from: L, through: 1, by: -1) {
                let below = w[1..<l].reduce(0, +) * n * s
                let sl = k == 1 ? w[l] * n * s : w[l] * nk * s
                let grams = keep ? l * nn : nn + (l > 1 ? gramChunkRows(m: n, k: w[l - 1]) * n * s : 0)
                phase("backward pass, layer \(l): S_\(l)ᵀS_\(l) ⊙ G_\(l - 1)", [
                    (l > 1 ? hName(1, l - 1) : "", below), ("S_\(l)", sl), ("NTK", k * k * nn), ("X_0", x0Kept),
                    (keep ? "kept Grams" : "G_\(l - 1)", grams), ("tile", nk * tileColumns * s)])
                if l > 1 {
                    phase("backward pass, layer \(l): W_\(l)ᵀS_\(l)", [
                        (hName(1, l - 1), below), ("S_\(l)", sl), ("S_\(l - 1)", k == 1 ? 0 : w[l - 1] * nk * s), ("NTK", k * k * nn),
                        ("X_0", x0Kept), ("kept Grams", keep ? (l - 1) * nn : 0), ("product chunk", w[l - 1] * chunkNK * s),
                        ("weight block", block(l, cols: chunkNK))])
                }
            }
            phase("NTK eigenvalues", [("NTK", k * k * nn), ("eigen workspace", k * eigen), ("top-eigenpair copy", topCopy)])
        }
        return MemoryEstimate(bytes: best.bytes + runtimeAllowance, phase: best.phase, items: best.items)
    }
}
