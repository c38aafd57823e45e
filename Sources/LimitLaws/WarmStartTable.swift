/// The chain's solutions at the abscissae solved so far, for warm starts: `nearest(to:)` gives the
/// solution at the solved x closest to a new one (at equal distances the lower x).
///
/// New points go to a short unsorted buffer that is merged into the sorted arrays every
/// `bufferCapacity` points, so an insert costs O(1) amortised plus O(n / capacity) for the merge
/// instead of the O(n) shift of a sorted insert (2.4% of a depth-20 solve); a lookup is a binary
/// search plus a scan of the buffer. Lookups answer exactly as one sorted array would (every
/// finite or infinite x).
struct WarmStartTable: Sendable {
    static let bufferCapacity = 32

    private(set) var sortedX: [Double] = []
    private(set) var sortedU: [[ComplexDouble]] = []
    private var pendingX: [Double] = []
    private var pendingU: [[ComplexDouble]] = []

    init() {}

    /// From abscissae sorted increasingly (no repeats) and their solutions.
    init(sortedX: [Double], sortedU: [[ComplexDouble]]) {
        self.sortedX = sortedX
        self.sortedU = sortedU
    }

    var isEmpty: Bool { sortedX.isEmpty && pendingX.isEmpty }

    /// Every solved point, sorted by x.
    var sorted: (x: [Double], u: [[ComplexDouble]]) {
        var copy = self
        copy.merge()
        return (copy.sortedX, copy.sortedU)
    }

    /// The first index of `sortedX` whose x is ≥ `x`.
    private func lowerBound(_ x: Double) -> Int {
        var lo = 0, hi = sortedX.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sortedX[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Records the solution at x (replacing one already recorded at the same x).
    mutating func insert(_ x: Double, _ u: [ComplexDouble]) {
        let k = lowerBound(x)
        if k < sortedX.count && sortedX[k] == x { sortedU[k] = u; return }
        if let j = pendingX.firstIndex(of: x) { pendingU[j] = u; return }
        pendingX.append(x)
        pendingU.append(u)
        if pendingX.count >= Self.bufferCapacity { merge() }
    }

    /// The solution at the recorded x nearest to `x`: of the largest recorded x below `x` and the
    /// smallest at or above it, the upper one only when it is strictly nearer (so at equal
    /// distances the lower one), exactly as a binary search of one sorted array.
    func nearest(to x: Double) -> [ComplexDouble]? {
        // Candidates as (x, index): index ≥ 0 into the sorted arrays, < 0 as −1 − j into the buffer,
        // so that no solution is copied until the one answer.
        var below: (x: Double, index: Int)? = nil, above: (x: Double, index: Int)? = nil
        let k = lowerBound(x)
        if k > 0 { below = (sortedX[k - 1], k - 1) }
        if k < sortedX.count { above = (sortedX[k], k) }
        for j in pendingX.indices {
            let y = pendingX[j]
            if y < x {
                if below.map({ y > $0.x }) ?? true { below = (y, -1 - j) }
            } else if above.map({ y < $0.x }) ?? true {
                above = (y, -1 - j)
            }
        }
        func solution(_ index: Int) -> [ComplexDouble] { index >= 0 ? sortedU[index] : pendingU[-1 - index] }
        guard let b = below else { return above.map { solution($0.index) } }
        guard let a = above else { return solution(b.index) }
        return solution(abs(a.x - x) < abs(b.x - x) ? a.index : b.index)
    }

    /// Moves the buffer into the sorted arrays: one merge pass from the top, in place, moving each
    /// solution by a swap (no reference counting, no new arrays); the entries below the smallest
    /// buffered x stay where they are.
    private mutating func merge() {
        guard !pendingX.isEmpty else { return }
        let order = pendingX.indices.sorted { pendingX[$0] < pendingX[$1] }
        let n = sortedX.count, p = order.count
        sortedX.append(contentsOf: repeatElement(0, count: p))
        sortedU.append(contentsOf: repeatElement([], count: p))
        sortedX.withUnsafeMutableBufferPointer { x in
            sortedU.withUnsafeMutableBufferPointer { u in
                pendingU.withUnsafeMutableBufferPointer { pu in
                    var i = n - 1, j = p - 1, w = n + p - 1
                    while j >= 0 {
                        let k = order[j]
                        if i >= 0 && x[i] > pendingX[k] {
                            x[w] = x[i]; u.swapAt(w, i); i -= 1
                        } else {
                            x[w] = pendingX[k]; swap(&u[w], &pu[k]); j -= 1
                        }
                        w -= 1
                    }
                }
            }
        }
        pendingX.removeAll(keepingCapacity: true)
        pendingU.removeAll(keepingCapacity: true)
    }
}
