import Testing
@testable import LimitLaws
import RealModule

/// E f(ξ) by brute-force composite Simpson rules on [−12, 0] and [0, 12] (a kink or jump at 0
/// costs nothing): an independent oracle, O(h⁴) ≈ 1e−16 accurate for smooth pieces.
func bruteForceExpectation(_ f: (Double) -> Double) -> Double {
    let n = 120_000
    let h = 12.0 / Double(n)
    var s = 0.0
    for side in [-1.0, 1.0] {
        for i in 0...n {
            let x = side * Double(i) * h
            let value = i == 0 ? f(side * 1e-300) : f(x)
            let w = (i == 0 || i == n) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0)
            s += w * value * Double.exp(-x * x / 2)
        }
    }
    return s * h / 3 / (2 * Double.pi).squareRoot()
}

@Suite struct ActivationTests {
    @Test(arguments: Activation.cycle + ["b-family:0.3", "b-family:-0.8", "leaky-relu:0.2", "elu:0.5"])
    func normalisedAndConstantsConsistent(name: String) throws {
        let a = try Activation.named(name)
        let mean = bruteForceExpectation { a.value($0) }
        let second = bruteForceExpectation { a.value($0) * a.value($0) }
        let b = bruteForceExpectation { a.derivative($0) }
        let aa = bruteForceExpectation { a.derivative($0) * a.derivative($0) }
        #expect(abs(mean) < 1e-11)
        #expect(abs(second - 1) < 1e-11)
        #expect(abs(b - a.b) < 1e-11)
        #expect(abs(aa - a.a) < 1e-11)
        #expect(a.b * a.b <= 1 + 1e-12)
        #expect(a.a >= 1 - 1e-12)
    }

    @Test func reluClosedForms() throws {
        let r = try Activation.named("relu")
        // E relu = 1/√(2π), Var relu = 1/2 − 1/(2π); b = ½·scale, a = ½·scale².
        let variance = 0.5 - 1 / (2 * Double.pi)
        #expect(abs(r.shift - 1 / (2 * Double.pi).squareRoot()) < 1e-13)
        #expect(abs(r.scale - 1 / variance.squareRoot()) < 1e-12)
        #expect(abs(r.b - 0.5 / variance.squareRoot()) < 1e-12)
        #expect(abs(r.a - 0.5 / variance) < 1e-12)
    }

    @Test func smoothClosedForms() throws {
        // sin: E sin² = (1 − e^{−2})/2, E cos = e^{−1/2}, E cos² = (1 + e^{−2})/2.
        let s = try Activation.named("sin")
        let v = (1 - Double.exp(-2)) / 2
        #expect(abs(s.scale - 1 / v.squareRoot()) < 1e-13)
        #expect(abs(s.b - Double.exp(-0.5) / v.squareRoot()) < 1e-13)
        #expect(abs(s.a - (1 + Double.exp(-2)) / 2 / v) < 1e-12)
        // erf: E erf(ξ)² = (2/π) asin(2/3), E erf' = 2/√(3π)... b = scale·2/√(3π)
        let e = try Activation.named("erf")
        let ve = 2 / Double.pi * Double.asin(2.0 / 3.0)
        #expect(abs(e.scale - 1 / ve.squareRoot()) < 1e-12)
        #expect(abs(e.b - 2 / (3 * Double.pi).squareRoot() / ve.squareRoot()) < 1e-12)
    }

    @Test func bFamilyRealisesB() throws {
        for b in stride(from: -1.0, through: 1.0, by: 0.25) {
            let a = try Activation.bFamily(b)
            #expect(abs(a.b - b) < 1e-12)
            #expect(abs(a.shift) < 1e-12)
            #expect(abs(a.scale - 1) < 1e-12)
        }
        #expect(throws: ModelError.self) { try Activation.bFamily(1.5) }
    }

    @Test func zeroBActivation() throws {
        #expect(abs(try Activation.named("cos").b) < 1e-13)
    }

    @Test func badNamesAreRejectedWithTheField() {
        do {
            _ = try Activation.named("sigmoidish")
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "activation")
            #expect(error.value == "sigmoidish")
            #expect(error.description.contains("arctan"))
        }
        #expect(throws: ModelError.self) { try Activation.named("leaky-relu:2") }
        #expect(throws: ModelError.self) { try Activation.named("tanh:3") }
    }
}

@Suite struct InputLawTests {
    @Test func modelValidation() {
        var m = NetworkModel.figure1
        m.gammas = []
        #expect(throws: ModelError.self) { try m.validate() }
        m = .figure1
        m.gammas[2] = -1
        #expect(throws: ModelError.self) { try m.validate() }
        m = .figure1
        m.tau = [1, 1]
        #expect(throws: ModelError.self) { try m.validate() }
        #expect(throws: Never.self) { try NetworkModel.figure1.validate() }
    }
}
