import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Solves the laws of one model on several threads with the serial result, bit for bit.
///
/// The laws are solved in order (CK layers upwards, then the NTK): law i's search interval uses
/// the right edges of the CK layers before it (`knownEdges`, by chain level), so it cannot simply
/// run beside them. But a law's edge is fixed once its support scan is done, before its quadrature
/// (about half of its time): from then on law i + 1 can start on another thread with that
/// *predicted* edge. Law i is committed (in order) when it is done and the edges it was started
/// with equal the edges of the committed laws before it; otherwise (a quadrature that moved the
/// support, or a law whose self-check failed and so gives no edge) it is solved again from the
/// committed edges. Each law is a pure function of its edges, so the committed laws are exactly
/// what the serial loop computes, whatever the timing or the number of threads.
///
/// `shouldStop` (optional) is asked before each law is started; once it answers true no law is
/// started any more, and `run` returns with the laws committed so far (`stopped` true). A law
/// already running on another thread then finishes on its own and is discarded.
final class LawPipeline<Value>: @unchecked Sendable {
    /// The right edge a CK law gives the laws above it: its chain level and the edge.
    typealias Edge = (level: Int, edge: Double)
    /// A law's result and its edge (nil: none).
    typealias Outcome = (value: Value, edge: Edge?)
    /// Solves law i from `knownEdges`; may call the third argument (once, from the solving thread)
    /// with the edge the law's support scan predicts. Nil: the law is not solved (out of range).
    typealias Solve = (_ index: Int, _ knownEdges: [Int: Double], _ predicted: @escaping (Edge?) -> Void) -> Outcome?

    enum Phase { case waiting, running, done }

    private let count: Int
    /// Whether law i can give an edge (a CK law); the law after one that cannot starts at once.
    private let contributes: [Bool]
    private let solve: Solve
    private let shouldStop: (@Sendable () -> Bool)?
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`:
    private var phase: [Phase]
    /// The edges law i was started with.
    private var input: [[Int: Double]?]
    /// The edges after law i (its input plus its predicted, then its actual edge): law i + 1's input.
    private var after: [[Int: Double]?]
    private var outcome: [Outcome?]
    /// Laws 0..<committed are final; `known` holds their edges.
    private var committed = 0
    private var known: [Int: Double] = [:]
    /// Laws solved again because the edges they were started with were not the committed ones.
    private var resolved = 0
    /// `shouldStop` answered true: no law is started any more.
    private var stopped = false

    init(count: Int, contributes: [Bool], shouldStop: (@Sendable () -> Bool)? = nil, solve: @escaping Solve) {
        self.count = count
        self.contributes = contributes
        self.shouldStop = shouldStop
        self.solve = solve
        phase = Array(repeating: .waiting, count: count)
        input = Array(repeating: nil, count: count)
        after = Array(repeating: nil, count: count)
        outcome = Array(repeating: nil, count: count)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// The committed outcomes, in order. The calling thread works too; `threads` − 1 helpers join it
    /// (a helper that starts late finds nothing left and returns; the caller never waits for one
    /// that has not taken a law). When stopped, `committed` < `count` and the outcomes from
    /// `committed` on are to be ignored.
    func run(threads: Int) -> (outcomes: [Outcome?], resolved: Int, committed: Int, stopped: Bool) {
        if count > 1 {
            for _ in 1..<max(1, min(threads, 4)) {
                DispatchQueue.global(qos: .userInitiated).async { self.work() }
            }
        }
        work()
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let complete = committed == count
        return (complete ? outcome : Array(outcome.prefix(committed)) + Array(repeating: nil, count: count - committed),
                resolved, committed, !complete)
    }

    private func work() {
        pthread_mutex_lock(mutex)
        while committed < count && !stopped {
            commitReady()
            guard committed < count else { break }
            // Asked under the lock: the closure is cheap and never calls back into the pipeline.
            if let shouldStop, shouldStop() { stopped = true; break }
            guard let i = nextStartable() else {
                pthread_cond_wait(condition, mutex)
                continue
            }
            let edges = input[i]!
            phase[i] = .running
            if !contributes[i] { after[i] = edges; pthread_cond_broadcast(condition) }
            pthread_mutex_unlock(mutex)
            let result = solve(i, edges) { [self] predicted in
                pthread_mutex_lock(mutex)
                if after[i] == nil, phase[i] == .running, input[i] == edges {
                    after[i] = Self.adding(predicted, to: edges)
                    pthread_cond_broadcast(condition)
                }
                pthread_mutex_unlock(mutex)
            }
            pthread_mutex_lock(mutex)
            if phase[i] == .running, input[i] == edges {
                outcome[i] = result
                phase[i] = .done
                after[i] = Self.adding(result?.edge, to: edges)
            }
            pthread_cond_broadcast(condition)
        }
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Commits done laws in order; a law started from other edges than the committed ones is
    /// reset to be solved again.
    private func commitReady() {
        while committed < count, phase[committed] == .done {
            let i = committed
            guard input[i] == known else {
                phase[i] = .waiting
                input[i] = nil
                after[i] = nil
                outcome[i] = nil
                resolved += 1
                return
            }
            known = Self.adding(outcome[i]?.edge, to: known)
            committed += 1
        }
    }

    /// The first waiting law whose input edges are available, with them set.
    private func nextStartable() -> Int? {
        guard let i = (committed..<count).first(where: { phase[$0] == .waiting }),
              let edges = i == committed ? known : after[i - 1] else { return nil }
        input[i] = edges
        return i
    }

    private static func adding(_ edge: Edge?, to edges: [Int: Double]) -> [Int: Double] {
        guard let e = edge else { return edges }
        var copy = edges
        copy[e.level] = e.edge
        return copy
    }
}
