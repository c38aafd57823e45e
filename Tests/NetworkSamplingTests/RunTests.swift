import Foundation
import Testing
@testable import NetworkSampling
import LimitLaws

@Suite struct ReproducibilityTests {
    @Test func sameSeedSameSpectraDifferentSeedDifferent() throws {
        let m = try model("arctan", gammas: [0.7, 0.9])
        let a = try NetworkSampler.spectra(SamplingRequest(model: m, n: 60, seed: 11, surrogate: true))
        let b = try NetworkSampler.spectra(SamplingRequest(model: m, n: 60, seed: 11, surrogate: true))
        let c = try NetworkSampler.spectra(SamplingRequest(model: m, n: 60, seed: 12, surrogate: true))
        #expect(a.map(\.kernel) == [.ck(0), .ck(1), .ck(2), .ntk, .ntkSurrogate])
        #expect(a.map(\.eigenvalues) == b.map(\.eigenvalues))
        #expect(a[3].eigenvalues != c[3].eigenvalues)
    }

    @Test func blockSizeAndThreadsDoNotChangeTheNetwork() throws {
        let m = try model("tanh", gammas: [0.5, 0.5])
        let ref = try NetworkSampler.spectra(SamplingRequest(model: m, n: 80, seed: 4, precision: .float64, threads: 2))
        let small = try NetworkSampler.spectra(SamplingRequest(model: m, n: 80, seed: 4, precision: .float64, threads: 1,
                                                               flopsPerBlock: 1e4))
        for (x, y) in zip(ref, small) {
            let scale = x.eigenvalues.last!
            #expect(zip(x.eigenvalues, y.eigenvalues).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
        }
    }

    @Test func float32AgreesWithFloat64() throws {
        let m = try model("arctan", gammas: [0.5, 0.5])
        let d = try NetworkSampler.spectra(SamplingRequest(model: m, n: 200, seed: 8, precision: .float64))
        let f = try NetworkSampler.spectra(SamplingRequest(model: m, n: 200, seed: 8, precision: .float32))
        for (x, y) in zip(d, f) {
            let scale = x.eigenvalues.last!
            let err = zip(x.eigenvalues, y.eigenvalues).map { abs($0 - $1) }.max()! / scale
            #expect(err < 2e-5, "\(x.kernel): max eigenvalue error \(err) relative to λ_max")
        }
    }

    @Test func eventsStreamInOrderWithProgress() throws {
        var events: [SamplingEvent] = []
        try NetworkSampler.run(SamplingRequest(model: try model("relu", gammas: [0.5]), n: 100, seed: 1,
                                               flopsPerBlock: 1e5)) { events.append($0) }
        guard case .started = events.first, case .finished(let s) = events.last else { Issue.record("bad order"); return }
        let fractions = events.compactMap { if case .progress(let p) = $0 { return p.fraction }; return nil }
        #expect(fractions.count >= 3 && fractions == fractions.sorted() && fractions.last == 1)
        #expect(s.timings.total > 0)
    }
}

@Suite struct CancellationTests {
    static func request() throws -> SamplingRequest {
        SamplingRequest(model: try model("arctan", gammas: [0.5, 0.5, 0.5]), n: 300, seed: 2, flopsPerBlock: 1e6)
    }

    @Test func cancellingStopsAtTheNextCheck() throws {
        let token = CancellationToken()
        var blocksAtCancel = -1
        var spectraAfterCancel = 0
        #expect(throws: SamplingError.cancelled) {
            try NetworkSampler.run(try Self.request(), token: token) { event in
                if case .progress(let p) = event, p.stage == .forward, blocksAtCancel < 0 {
                    blocksAtCancel = token.blocksStarted
                    token.cancel()
                }
                if case .spectrum = event, blocksAtCancel >= 0 { spectraAfterCancel += 1 }
            }
        }
        // No BLAS block was started after the cancellation request.
        #expect(blocksAtCancel > 0 && token.blocksStarted == blocksAtCancel && spectraAfterCancel == 0)
    }

    @Test func cancellingDuringTheEigenSolveStopsIt() throws {
        let token = CancellationToken()
        var blocksAtCancel = -1
        var panelsAfter = 0
        let req = SamplingRequest(model: try model("tanh", gammas: [0.5]), n: 400, seed: 2, ckLayers: [1], ntk: false)
        #expect(throws: SamplingError.cancelled) {
            try NetworkSampler.run(req, token: token) { event in
                if case .progress(let p) = event, p.stage == .eigenvalues {
                    if blocksAtCancel < 0 { blocksAtCancel = token.blocksStarted; token.cancel() } else { panelsAfter += 1 }
                }
            }
        }
        #expect(blocksAtCancel > 0 && token.blocksStarted == blocksAtCancel && panelsAfter == 0)
    }

    @Test(.timeLimit(.minutes(10))) func cancellingTheConsumingTaskCancelsTheJob() async throws {
        let job = SamplingJob(SamplingRequest(model: try model("arctan", gammas: [0.5, 0.5]), n: 600,
                                              seed: 1, kernels: [.ck(2), .ntk]))
        // The consumer cancels its own task at the first event; the job must stop and report `.cancelled`.
        let consumer = Task { () -> (SamplingError?, Int) in
            var blocksAtCancel = -1
            do {
                try await job.run { _ in
                    if blocksAtCancel < 0 {
                        blocksAtCancel = job.token.blocksStarted
                        withUnsafeCurrentTask { $0?.cancel() }
                    }
                }
            } catch { return (error as? SamplingError, blocksAtCancel) }
            return (nil, blocksAtCancel)
        }
        let (outcome, blocksAtCancel) = await consumer.value
        #expect(outcome == .cancelled && job.token.isCancelled)
        await job.wait()
        // At most the block that was already running when the flag was set can have started since.
        #expect(job.token.blocksStarted <= blocksAtCancel + 1)
    }

    @Test(.timeLimit(.minutes(10))) func newRequestCancelsTheStaleOne() async throws {
        let service = SamplingService()
        let stale = await service.submit(SamplingRequest(model: try model("arctan", gammas: [0.25, 0.25, 0.25]),
                                                          n: 1500, seed: 1, flopsPerBlock: 1e7))
        let fresh = await service.submit(SamplingRequest(model: try model("tanh", gammas: [1]), n: 40, seed: 1))
        var staleError: Error?
        do { for try await _ in stale.events {} } catch { staleError = error }
        #expect(staleError as? SamplingError == .cancelled)
        await stale.wait()
        let blocks = stale.token.blocksStarted
        var spectra = 0
        for try await e in fresh.events { if case .spectrum = e { spectra += 1 } }
        #expect(spectra == 3)
        #expect(stale.token.blocksStarted == blocks)   // the stale worker has really stopped
    }
}
