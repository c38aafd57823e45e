import Foundation
import Testing
@testable import NetworkTraining
import NetworkSampling
import LimitLaws

@Suite struct TrainingRunTests {
    @Test func scheduleResolves() {
        #expect(SnapshotSchedule.every(30).resolve(epochs: 100) == [0, 30, 60, 90, 100])
        #expect(SnapshotSchedule.epochs([5, 2, 5]).resolve(epochs: 10) == [0, 2, 5, 10])
        #expect(SnapshotSchedule.logSpaced(4).resolve(epochs: 1000) == [0, 1, 10, 100, 1000])
        #expect(SnapshotSchedule.logSpaced(3).resolve(epochs: 0) == [0])
    }

    @Test func sameSettingsSameRunAndTrainingLearns() throws {
        let s = smallSettings { $0.epochs = 6; $0.snapshots = .epochs([6]) }
        let a = try record(s), b = try record(s)
        #expect(a.history.map(\.trainMSE) == b.history.map(\.trainMSE))
        #expect(a.snapshots.last!.kernels.map(\.eigenvalues) == b.snapshots.last!.kernels.map(\.eigenvalues))
        // Adam at lr 0.01 on the single-neuron teacher: the training error falls well below its start
        let first = try #require(a.history.first?.trainMSE), last = try #require(a.history.last?.trainMSE)
        #expect(last < 0.3 * first, "train MSE \(first) → \(last)")
        // a different seed gives a different network (and batch order)
        var t = s; t.seed = 22
        #expect(try record(t).history.last!.trainMSE != a.history.last!.trainMSE)
        // every kernel of every snapshot carries the full spectrum and the top-k pairs
        for snap in a.snapshots {
            #expect(snap.kernels.allSatisfy { $0.eigenvalues.count == 120 && $0.top.count == 3 })
        }
        #expect(a.snapshots.map(\.epoch) == [0, 6])
        #expect(a.snapshots[0].kernels.map(\.kernel) == [.ck(0), .ck(1), .ck(2), .ntk])
        #expect(a.snapshots[1].kernels.map(\.kernel) == [.ck(1), .ck(2), .ntk])
    }

    @Test func fullBatchGradientDescentLowersTheLoss() throws {
        let s = smallSettings { $0.optimizer = .gradientDescent; $0.batchSize = nil; $0.learningRate = 0.5; $0.epochs = 5; $0.precision = .float64 }
        let r = try record(s)
        let mse = r.history.compactMap(\.trainMSE)
        #expect(mse.count == 6)
        #expect(zip(mse, mse.dropFirst()).allSatisfy { $1 < $0 }, "\(mse)")
        #expect(r.plan?.stepsPerEpoch == 1)
    }

    @Test func divergenceIsReportedNotHidden() {
        let s = smallSettings { $0.optimizer = .gradientDescent; $0.batchSize = nil; $0.learningRate = 900; $0.epochs = 40
                                $0.activation = try! Activation.named("linear") }
        #expect {
            _ = try record(s)
        } throws: { error in
            if case TrainingError.diverged = error { return true }
            return false
        }
    }

    @Test func cancellingKeepsTheSnapshotsTaken() throws {
        let token = CancellationToken()
        var snapshotsSeen = 0
        var r = TrainingRecord()
        #expect(throws: TrainingError.cancelled) {
            try Trainer.run(smallSettings { $0.epochs = 50; $0.snapshots = .every(1) }, token: token) { event in
                r.apply(event)
                if case .snapshot = event {
                    snapshotsSeen += 1
                    if snapshotsSeen == 2 { token.cancel() }
                }
            }
        }
        #expect(r.snapshots.map(\.epoch) == [0, 1])
        #expect(!r.isComplete)
        #expect(r.eigenvalueCSV().split(separator: "\n").count == 1 + 120 * 4 + 120 * 3)
    }

    @Test func badSettingsNameTheOption() {
        var s = TrainingSettings()
        s.widths = [10, 0]
        #expect(throws: TrainingError.invalidSettings(option: "--widths", value: "0", allowed: "every width an integer from 1 to 20000")) { try s.validate() }
        s = TrainingSettings(); s.learningRate = -1
        #expect(throws: TrainingError.invalidSettings(option: "--lr", value: "-1.0", allowed: "a number in (0, 1000]")) { try s.validate() }
        s = TrainingSettings(); s.snapshots = .epochs([70])
        #expect(throws: TrainingError.invalidSettings(option: "--snapshots", value: "70", allowed: "epochs between 0 and --epochs 50")) { try s.validate() }
    }
}

@Suite struct ClassificationDataTests {
    static func labeled(_ labels: [Double]) -> LabeledData {
        let d = 6
        let values = (0..<(labels.count * d)).map { sin(Double($0) * 0.77) + 0.1 * Double($0 % 5) }
        return LabeledData(features: DataMatrix(samples: labels.count, features: d, values: values), labels: labels, source: "toy.csv")
    }

    @Test func splitMapsLabelsAndHoldsOutTheTestShare() throws {
        let labels = (0..<50).map { $0 % 3 == 0 ? 7.0 : 2.0 }
        var s = TrainingSettings()
        s.task = .classification(Self.labeled(labels)); s.n = nil; s.testFraction = 0.2
        let d = try TrainingData.make(s)
        #expect(d.n == 40 && d.test.samples == 10)
        #expect(d.metric == .accuracy)
        #expect(d.classes! == (negative: 2, positive: 7))
        #expect(Set(d.trainLabels + d.testLabels) == [-1, 1])
        #expect((d.trainLabels + d.testLabels).filter { $0 == 1 }.count == labels.filter { $0 == 7 }.count)
        // preprocessed: every sample has unit norm
        for a in 0..<d.n {
            let row = d.train.values[(a * 6)..<((a + 1) * 6)]
            #expect(abs(row.reduce(0) { $0 + $1 * $1 } - 1) < 1e-12)
        }
        // the split is a permutation: train and test rows together are the preprocessed rows
        let pre = try Self.labeled(labels).features.preprocessed()
        let rows = Set((0..<50).map { Array(pre.values[($0 * 6)..<(($0 + 1) * 6)]) })
        let got = Set((0..<40).map { Array(d.train.values[($0 * 6)..<(($0 + 1) * 6)]) } + (0..<10).map { Array(d.test.values[($0 * 6)..<(($0 + 1) * 6)]) })
        #expect(rows == got)
    }

    @Test func moreThanTwoClassesIsAnError() {
        var s = TrainingSettings()
        s.task = .classification(Self.labeled((0..<20).map { Double($0 % 3) })); s.n = nil
        #expect(throws: TrainingError.data("toy.csv: binary classification needs exactly two label values, found 3 (0.0, 1.0, 2.0)")) {
            _ = try TrainingData.make(s)
        }
    }

    @Test func accuracyAndR2AgainstTheirDefinitions() {
        #expect(TrainingData.score([0.3, -2, 0.1, -0.1], labels: [1, -1, -1, -1], metric: .accuracy) == 0.75)
        // R² = 1 − Σ(f−y)²/Σ(y−ȳ)²: y = (1, 2, 3), f = (1, 2, 4): 1 − 1/2
        #expect(TrainingData.score([1, 2, 4], labels: [1, 2, 3], metric: .r2) == 0.5)
    }

    @Test func trainsOnAFile() throws {
        // two Gaussian blobs in 20 dimensions, separable: accuracy well above chance after a few epochs
        let n = 160, d = 20
        var values = [Double](), labels = [Double]()
        var g = Xoshiro256StarStar(seed: 9)
        for a in 0..<n {
            let c = a % 2 == 0 ? 1.0 : -1.0
            for k in 0..<d { values.append(g.nextNormal() + (k < 4 ? 1.5 * c : 0)) }
            labels.append(c > 0 ? 1 : 0)
        }
        var s = TrainingSettings()
        s.task = .classification(LabeledData(features: DataMatrix(samples: n, features: d, values: values), labels: labels, source: "blobs"))
        s.n = nil; s.widths = [64, 64]; s.epochs = 10; s.snapshots = .every(10); s.topK = 2
        let r = try record(s)
        #expect(r.plan?.metric == .accuracy)
        let acc = try #require(r.summary?.finalTestMetric)
        #expect(acc >= 0.85, "test accuracy \(acc)")
        // the snapshots' input law is the data's own X₀ᵀX₀ spectrum (a discrete law)
        if case .discrete = r.laws!.model.input {} else { Issue.record("input law \(r.laws!.model.input)") }
    }
}

@Suite struct TrainingJobTests {
    @Test(.timeLimit(.minutes(10))) func backgroundJobStreamsAndCancels() async throws {
        // A finished job streams started … finished.
        let done = TrainingJob(smallSettings { $0.epochs = 2; $0.snapshots = .every(2) })
        var record = TrainingRecord()
        try await done.run { record.apply($0) }
        #expect(record.isComplete && record.snapshots.map(\.epoch) == [0, 2] && record.laws != nil)

        // Cancelling the consuming task at the first snapshot stops the job: `.cancelled`, that snapshot kept.
        let job = TrainingJob(smallSettings { $0.epochs = 200; $0.snapshots = .every(1) })
        let consumer = Task { () -> (Error?, TrainingRecord) in
            var r = TrainingRecord()
            do {
                try await job.run { event in
                    r.apply(event)
                    if case .snapshot = event { withUnsafeCurrentTask { $0?.cancel() } }
                }
            } catch { return (error, r) }
            return (nil, r)
        }
        let (error, partial) = await consumer.value
        #expect(error as? TrainingError == .cancelled && job.token.isCancelled)
        #expect(!partial.snapshots.isEmpty && !partial.isComplete && partial.epochsCompleted < 200)
    }

    @Test(.timeLimit(.minutes(10))) func aNewSubmissionCancelsTheStaleRun() async throws {
        let service = TrainingService()
        let stale = await service.submit(smallSettings { $0.epochs = 500; $0.snapshots = .every(100) })
        let fresh = await service.submit(smallSettings { $0.epochs = 1; $0.snapshots = .every(1) })
        var staleError: Error?
        do { for try await _ in stale.events {} } catch { staleError = error }
        #expect(staleError as? TrainingError == .cancelled)
        var snapshots = 0
        for try await e in fresh.events { if case .snapshot = e { snapshots += 1 } }
        #expect(snapshots == 2)
    }
}
