import Foundation

/// The order of work of one sampling run (docs/empirical.md, *The lean plan*):
///
/// 1. X₀ and G₀.
/// 2. Forward, ℓ = 1…L: H_ℓ = W_ℓ X_{ℓ−1} with W_ℓ generated in row blocks; X_ℓ = σ(H_ℓ)/√d_ℓ; G_ℓ = X_ℓᵀX_ℓ,
///    its eigenvalues at once. For the NTK, H_ℓ is kept (σ and σ′ are both computed from it when needed) and
///    X_ℓ is a temporary — or, in a chunked layout, formed a column chunk at a time from H_ℓ.
/// 3. The surrogate, from the sum of the Grams accumulated on the way.
/// 4. Backward, ℓ = L…1: K += τ_ℓ (S_ℓᵀS_ℓ) ⊙ G_{ℓ−1} in column tiles; S_{ℓ−1} = (W_ℓᵀS_ℓ) ⊙ σ′(H_{ℓ−1})/√d_{ℓ−1}
///    written over H_{ℓ−1}, W_ℓ regenerated from its row streams.
/// 5. The NTK's eigenvalues.
extension Pipeline {
    var layout: StorageLayout { plan.layout }
    var outputs: Int { req.outputs }

    func run() throws(SamplingError) {
        let t0 = Date()
        BLASThreads.set(threads)
        if req.surrogate { surrogateSum = Matrix<T>(rows: n, cols: n, zeroed: true) }

        try token.check()
        x0 = try timed(\.input) { () throws(SamplingError) -> Matrix<T> in try makeInput() }
        progress(.input, layer: 0, work: 0)
        if needsGram(0) {
            let g = Matrix<T>(rows: n, cols: n)
            try timed(\.grams) { () throws(SamplingError) in try gram(x0!, into: g, stage: .grams, layer: 0) }
            try useGram(g, layer: 0)
        }

        // Forward pass. `x` is X_{ℓ−1} when it is materialised whole (always X₀ for ℓ = 1); each step
        // releases it as soon as its product is done.
        var x: Matrix<T>? = x0
        for l in 1...L {
            if req.ntk {
                x = try forwardKeepingPreactivations(layer: l, x: &x)
            } else {
                x = try forwardInPlace(layer: l, x: &x)
            }
        }

        if let sum = surrogateSum {
            // τ·r₊ = Σ_{ℓ<L} τ_{ℓ+1}(r_ℓ − q_ℓ), r_ℓ = a^{L−ℓ}, q_ℓ = (b²)^{L−ℓ} (Lemma 3.5).
            let a = req.model.activation.a, b2 = req.model.activation.b * req.model.activation.b
            var rPlus = 0.0
            for l in 0..<L { rPlus += req.tau[l] * (pow(a, Double(L - l)) - pow(b2, Double(L - l))) }
            for i in 0..<n { sum.data[i + i * n] += T(rPlus) }
            surrogateSum = nil
            try eigenvalues(sum, kernel: .ntkSurrogate)
        }

        if req.ntk {
            try timed(\.ntk) { () throws(SamplingError) in try backward() }
            let k = ntkMatrix!
            ntkMatrix = nil
            try eigenvalues(k, kernel: .ntk)
        }
        timings.total = Date().timeIntervalSince(t0)
        progress(.done, layer: nil, work: 0)
        emit(.finished(SamplingSummary(plan: plan, timings: timings, peakResidentBytes: MemoryInfo.peakResident())))
    }

    // MARK: forward

    func needsGram(_ l: Int) -> Bool {
        wantCK.contains(l) || req.surrogate || (req.ntk && (l == L || (layout.keepGrams && l < L)))
    }

    /// Surrogate weight of G_ℓ: τ_{L+1} for ℓ = L, τ_{ℓ+1} q_ℓ = τ_{ℓ+1} (b²)^{L−ℓ} below.
    func surrogateCoefficient(_ l: Int) -> T {
        let b2 = req.model.activation.b * req.model.activation.b
        return T(l == L ? req.tau[L] : req.tau[l] * pow(b2, Double(L - l)))
    }

    /// G_ℓ has just been formed in `g` (upper triangle): adds it to the surrogate, starts the NTK with it
    /// (ℓ = L), keeps it for the backward pass, and computes CK ℓ's spectrum — in `g` itself when nothing
    /// else needs it afterwards.
    func useGram(_ g: Matrix<T>, layer l: Int) throws(SamplingError) {
        if let sum = surrogateSum { copyUpper(g, into: sum, scale: surrogateCoefficient(l), add: true) }
        var gIsFree = true
        if req.ntk && l == L {
            // K = τ_{L+1} I_k ⊗ X_LᵀX_L
            let cL = T(req.tau[L])
            if outputs == 1 && !wantCK.contains(L) {
                copyUpper(g, into: g, scale: cL)
                ntkMatrix = g
                gIsFree = false
            } else {
                let nk = n * outputs
                let k = Matrix<T>(rows: nk, cols: nk, zeroed: outputs > 1)
                let n = self.n
                for j in 0..<outputs {
                    let off = j * n * nk + j * n
                    parallelChunks(n, threads: threads) { cols in
                        for b in cols { for a in 0...b { k.data[off + a + b * nk] = cL * g.data[a + b * n] } }
                    }
                }
                ntkMatrix = k
            }
        } else if req.ntk && layout.keepGrams && l < L {
            grams[l] = g
            gIsFree = false
        }
        guard wantCK.contains(l) else { return }
        if gIsFree {
            try eigenvalues(g, kernel: .ck(l))
        } else {
            let scratch = Matrix<T>(rows: n, cols: n)
            copyUpper(g, into: scratch)
            try eigenvalues(scratch, kernel: .ck(l))
        }
    }

    /// CK-only runs: H_ℓ = W_ℓ X_{ℓ−1}, then X_ℓ = σ(H_ℓ)/√d_ℓ in place; returns X_ℓ.
    func forwardInPlace(layer l: Int, x: inout Matrix<T>?) throws(SamplingError) -> Matrix<T> {
        let dl = widths[l]
        let h = Matrix<T>(rows: dl, cols: n)
        try timed(\.forward) { () throws(SamplingError) in
            try forwardProduct(layer: l, x: x!.data, cols: n, into: h.data)
        }
        x = nil
        if l == 1 { x0 = nil }
        try timed(\.forward) { () throws(SamplingError) in
            let xs = 1 / Double(dl).squareRoot(), act = self.act
            parallelChunks(dl * n, threads: threads) { r in act.apply(h.data, deriv: nil, range: r, xScale: xs, dScale: xs) }
        }
        if needsGram(l) {
            let g = Matrix<T>(rows: n, cols: n)
            try timed(\.grams) { () throws(SamplingError) in try gram(h, into: g, stage: .grams, layer: l) }
            try useGram(g, layer: l)
        }
        return h
    }

    /// NTK runs: H_ℓ = W_ℓ X_{ℓ−1} is kept in `pre[ℓ]`. With one chunk X_ℓ = σ(H_ℓ)/√d_ℓ is formed whole (and
    /// returned for the next layer); otherwise the next layer forms it chunk by chunk and G_ℓ is computed from
    /// H_ℓ a block of rows at a time.
    func forwardKeepingPreactivations(layer l: Int, x: inout Matrix<T>?) throws(SamplingError) -> Matrix<T>? {
        let dl = widths[l], dp = widths[l - 1]
        let h = Matrix<T>(rows: dl, cols: n)
        try timed(\.forward) { () throws(SamplingError) in
            if let x {
                try forwardProduct(layer: l, x: x.data, cols: n, into: h.data)
            } else {
                // X_{ℓ−1} = σ(H_{ℓ−1})/√d_{ℓ−1}, one column chunk at a time (W_ℓ regenerated for each).
                let hp = pre[l - 1]!
                let cw = (n + layout.chunks - 1) / layout.chunks
                let xc = Matrix<T>(rows: dp, cols: cw)
                let xs = 1 / Double(dp).squareRoot(), act = self.act
                for c0 in stride(from: 0, to: n, by: cw) {
                    try token.check()
                    let cn = min(cw, n - c0)
                    parallelChunks(cn, threads: threads) { cols in
                        for a in cols { act.values(hp.data + (c0 + a) * dp, into: xc.data + a * dp, count: dp, xScale: xs) }
                    }
                    try forwardProduct(layer: l, x: xc.data, cols: cn, into: h.data + c0 * dl)
                }
            }
        }
        x = nil
        if l == 1 && layout.keepGrams { x0 = nil }   // G₀ is kept: X₀ is not needed again
        pre[l] = h
        var xl: Matrix<T>?
        if layout.chunks == 1 {
            let out = Matrix<T>(rows: dl, cols: n)
            let xs = 1 / Double(dl).squareRoot(), act = self.act
            try timed(\.forward) { () throws(SamplingError) in
                try token.check()
                parallelChunks(n, threads: threads) { cols in
                    for a in cols { act.values(h.data + a * dl, into: out.data + a * dl, count: dl, xScale: xs) }
                }
            }
            xl = out
        }
        if needsGram(l) {
            let g = Matrix<T>(rows: n, cols: n)
            try timed(\.grams) { () throws(SamplingError) in
                if let xl { try gram(xl, into: g, stage: .grams, layer: l) } else { try gramFromPreactivations(h, into: g, stage: .grams, layer: l) }
            }
            if l == L { xl = nil }
            try useGram(g, layer: l)
        }
        return l == L ? nil : xl
    }

    /// c (d_ℓ × cols, leading dimension d_ℓ) = W_ℓ x (x: d_{ℓ−1} × cols), W_ℓ regenerated in row blocks.
    func forwardProduct(layer l: Int, x: UnsafePointer<T>, cols: Int, into c: UnsafeMutablePointer<T>) throws(SamplingError) {
        let dl = widths[l], dp = widths[l - 1]
        try forEachWeightBlock(layer: l, cols: cols, stage: .forward) { wt, r0, bb in
            T.gemm(transA: true, transB: false, m: bb, n: cols, k: dp, alpha: 1, a: wt, lda: dp,
                   b: x, ldb: dp, beta: 0, c: c + r0, ldc: dl)
        }
    }

    /// Generates W_ℓ (d_ℓ × d_{ℓ−1}) row block by row block from its streams and calls `body(Wᵀ block, first row,
    /// rows)` for each (the block is d_{ℓ−1} × rows, column j = row r0 + j of W_ℓ), checking for cancellation
    /// before each.
    func forEachWeightBlock(layer l: Int, cols: Int, stage: SamplingStage,
                            _ body: (UnsafePointer<T>, Int, Int) -> Void) throws(SamplingError) {
        let dl = widths[l], dp = widths[l - 1]
        let b = req.weightBlockRows(k: dp, cols: cols, rows: dl)
        let wt = Matrix<T>(rows: dp, cols: b)
        var r0 = 0
        while r0 < dl {
            try token.check()
            let bb = min(b, dl - r0)
            generateWeightRows(layer: l, r0: r0, b: bb, k: dp, into: wt.data)
            body(wt.data, r0, bb)
            r0 += bb
            progress(stage, layer: l, work: (2 * Double(cols) + 30) * Double(bb) * Double(dp))
        }
    }

    // MARK: backward

    /// Steps 4 of the run: the NTK accumulator (holding τ_{L+1} I_k ⊗ G_L) receives every backward term.
    func backward() throws(SamplingError) {
        let k = ntkMatrix!
        let nk = n * outputs
        // S_L = [diag(w⁽¹⁾) σ′(H_L)/√d_L | … | diag(w⁽ᵏ⁾) σ′(H_L)/√d_L]  (d_L × nk); in place of H_L when k = 1.
        let dL = widths[L], hL = pre[L]!
        let s0 = outputs == 1 ? hL : Matrix<T>(rows: dL, cols: nk)
        let w = UnsafeMutableBufferPointer<T>.allocate(capacity: dL)
        defer { w.deallocate() }
        let ds = 1 / Double(dL).squareRoot(), act = self.act
        for j in 0..<outputs {
            if let weights = req.weights {
                weights.copyOutput(j, into: w.baseAddress!)
            } else {
                var g = RandomStreams.generator(seed: req.seed, purpose: .outputWeights, index: UInt64(j))
                T.fillNormal(&g, w, scale: 1)
            }
            let n = self.n
            parallelChunks(n, threads: threads) { cols in
                for a in cols {
                    act.derivativeProduct(hL.data + a * dL, w.baseAddress!, into: s0.data + (a + j * n) * dL, count: dL, dScale: ds)
                }
            }
        }
        if outputs > 1 { pre[L] = nil }
        var s = s0
        for l in stride(from: L, through: 1, by: -1) {
            // K += τ_ℓ (S_ℓᵀS_ℓ) ⊙ (1_k 1_kᵀ ⊗ G_{ℓ−1})
            let g: Matrix<T>
            if let kept = grams[l - 1] {
                g = kept
            } else {
                g = Matrix<T>(rows: n, cols: n)
                if l == 1 { try gram(x0!, into: g, stage: .ntk, layer: 0) } else { try gramFromPreactivations(pre[l - 1]!, into: g, stage: .ntk, layer: l - 1) }
            }
            try accumulateHadamard(s, gram: g, into: k, coefficient: T(req.tau[l - 1]), layer: l)
            grams[l - 1] = nil
            if l == 1 { break }
            // S_{ℓ−1} = (W_ℓᵀ S_ℓ) ⊙ σ′(H_{ℓ−1})/√d_{ℓ−1}
            let hp = pre[l - 1]!
            let target = outputs == 1 ? hp : Matrix<T>(rows: widths[l - 1], cols: nk)
            try backwardProduct(layer: l, s: s, preactivations: hp, into: target)
            pre[l] = nil
            if outputs > 1 { pre[l - 1] = nil }
            s = target
        }
        pre = []
        x0 = nil
    }

    /// K (upper) += c · (SᵀS) ⊙ (1_k 1_kᵀ ⊗ G), with SᵀS formed in tiles of columns (`xGEMM` above the diagonal
    /// block, `xSYRK` on it) and folded into K at once, so no nk × nk temporary is needed.
    func accumulateHadamard(_ s: Matrix<T>, gram g: Matrix<T>, into k: Matrix<T>, coefficient c: T, layer l: Int) throws(SamplingError) {
        let d = s.rows, nk = s.cols, n = self.n
        let tb = req.tileColumns
        let tile = Matrix<T>(rows: nk, cols: tb)
        for j0 in stride(from: 0, to: nk, by: tb) {
            try token.check()
            let jn = min(tb, nk - j0)
            if j0 > 0 {
                T.gemm(transA: true, transB: false, m: j0, n: jn, k: d, alpha: 1, a: s.data, lda: d,
                       b: s.data + j0 * d, ldb: d, beta: 0, c: tile.data, ldc: nk)
            }
            T.syrkTrans(n: jn, k: d, alpha: 1, a: s.data + j0 * d, lda: d, beta: 0, c: tile.data + j0, ldc: nk)
            parallelChunks(jn, threads: jn * nk >= 1 << 14 ? threads : 1) { cols in
                for jj in cols {
                    // G is valid in its upper triangle only: read G[min(a,b), max(a,b)].
                    let j = j0 + jj, bj = j % n
                    let kc = k.data + j * nk, tc = tile.data + jj * nk
                    for i in 0...j {
                        let ai = i % n
                        let gv = ai <= bj ? g.data[ai + bj * n] : g.data[bj + ai * n]
                        kc[i] += c * tc[i] * gv
                    }
                }
            }
            progress(.ntk, layer: l, work: Double(j0 + jn) * Double(jn) * Double(d))
        }
    }

    /// target = (W_ℓᵀ S) ⊙ σ′(H_{ℓ−1})/√d_{ℓ−1} (d_{ℓ−1} × nk; column α + j·n uses σ′ of sample α), over column
    /// chunks of S; W_ℓ is regenerated row block by row block for every chunk. `target` may be `preactivations`.
    func backwardProduct(layer l: Int, s: Matrix<T>, preactivations hp: Matrix<T>, into target: Matrix<T>) throws(SamplingError) {
        let dl = widths[l], dp = widths[l - 1], nk = s.cols, n = self.n
        let cw = (nk + layout.chunks - 1) / layout.chunks
        let p = Matrix<T>(rows: dp, cols: cw)
        let ds = 1 / Double(dp).squareRoot(), act = self.act
        for c0 in stride(from: 0, to: nk, by: cw) {
            let cn = min(cw, nk - c0)
            try forEachWeightBlock(layer: l, cols: cn, stage: .ntk) { wt, r0, bb in
                T.gemm(transA: false, transB: false, m: dp, n: cn, k: bb, alpha: 1, a: wt, lda: dp,
                       b: s.data + r0 + c0 * dl, ldb: dl, beta: r0 == 0 ? 0 : 1, c: p.data, ldc: dp)
            }
            parallelChunks(cn, threads: threads) { cols in
                for a in cols {
                    let col = c0 + a
                    act.derivativeProduct(hp.data + (col % n) * dp, p.data + a * dp, into: target.data + col * dp, count: dp, dScale: ds)
                }
            }
        }
    }
}
