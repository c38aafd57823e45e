/// The chain's solutions at the abscissae solved so far, for warm starts: `nearest(to:)` gives the
/// solution at the solved x closest to a new one (at equal distances the lower x).
///
/// New points go to a short unsorted buffer that is merged into the sorted arrays every
/// `bufferCapacity` points, so an insert costs O(1) amortised plus O(n / capacity) for the merge
/// instead of the O(n) shift of a sorted insert (2.4% of a depth-20 solve); a lookup is a binary
/// search plus a scan of the buffer. Lookups answer exactly as one sorted array would.
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

    /// The solution at the recorded x nearest to `x`; at equal distances, the lower x's.
    func nearest(to x: Double) -> [ComplexDouble]? {
        var best: (distance: Double, x: Double, u: [ComplexDouble])? = nil
        func consider(_ y: Double, _ u: [ComplexDouble]) {
            let d = abs(y - x)
            if let b = best, d > b.distance || (d == b.distance && y >= b.x) { return }
            best = (d, y, u)
        }
        if !sortedX.isEmpty {
            let k = lowerBound(x)
            if k < sortedX.count { consider(sortedX[k], sortedU[k]) }
            if k > 0 { consider(sortedX[k - 1], sortedU[k - 1]) }
        }
        for j in pendingX.indices { consider(pendingX[j], pendingU[j]) }
        return best?.u
    }

    /// Moves the buffer into the sorted arrays (one merge pass).
    private mutating func merge() {
        guard !pendingX.isEmpty else { return }
        let order = pendingX.indices.sorted { pendingX[$0] < pendingX[$1] }
        var x = [Double](), u = [[ComplexDouble]]()
        x.reserveCapacity(sortedX.count + order.count)
        u.reserveCapacity(sortedX.count + order.count)
        var i = 0
        for j in order {
            while i < sortedX.count && sortedX[i] < pendingX[j] {
                x.append(sortedX[i]); u.append(sortedU[i]); i += 1
            }
            x.append(pendingX[j]); u.append(pendingU[j])
        }
        x.append(contentsOf: sortedX[i...]); u.append(contentsOf: sortedU[i...])
        sortedX = x; sortedU = u
        pendingX.removeAll(keepingCapacity: true)
        pendingU.removeAll(keepingCapacity: true)
    }
}
