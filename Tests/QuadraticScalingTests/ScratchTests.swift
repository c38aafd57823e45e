import Testing
import Foundation
@testable import QuadraticScaling
import LimitLaws

@Test func scratchGeneral() throws {
    for (name, g2) in [("relu", 1.0), ("quadratic", 0.5), ("relu", 0.3), ("tanh", 2.0)] {
        let act = try DerivativeActivation.named(name)
        let t0 = Date()
        let g = try PopulationLaw.general(law: .rademacher, a2: act.a2, c1Squared: act.c1Squared, gamma2: g2, cells: 256)
        let t1 = Date()
        let c = PopulationLaw.constantMagnitude(deltaSquared: 1, a2: act.a2, c1Squared: act.c1Squared, gamma2: g2, cells: 256)
        var err = 0.0
        for x in stride(from: c.range.lowerBound, through: c.range.upperBound, by: max(1e-9, (c.range.upperBound - c.range.lowerBound) / 200)) {
            err = max(err, abs(g.cdf(x) - c.cdf(x)))
        }
        print("gen", name, g2, "time", t1.timeIntervalSince(t0), "maxerr", err, g.support, c.support, g.atoms, c.atoms)
    }
    let act = try DerivativeActivation.named("relu")
    let t0 = Date()
    let s = QuadraticSettings(gamma1: 1.5, gamma2: 0.5, activation: act, outputLaw: .twoPoint(a: 0.5, b: 1.5, p: 0.5))
    let r = try QuadraticScalingSolver.solve(s)
    print("gen two-point time", Date().timeIntervalSince(t0), r.population.support, r.population.atoms, r.ntkKSBound)
    for c in r.checks { print("gen", c.summary) }
}
