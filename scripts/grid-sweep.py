#!/usr/bin/env python3
"""The resolved-grid sweep of docs/performance.md: random models through `ntkscope density --format json`,
the trapezoid mass of the x/density columns against continuousMass and the cumulative trapezoid plus atoms
against the cdf column. Usage: grid-sweep.py NTKSCOPE_BINARY MODELS [SEED]."""
import json, math, random, subprocess, sys, time
B = sys.argv[1]; N = int(sys.argv[2]); seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
rng = random.Random(seed)
acts = ["arctan","tanh","relu","leaky-relu","gelu","silu","softplus","elu","sin","erf","linear","cos"]
worst_m = worst_c = 0; laws = 0; pts = 0; bad = []; deficit = 0; t0 = time.time()
for i in range(N):
    L = rng.randint(1, 32) if rng.random() < 0.5 else rng.randint(1, 6)
    g = [math.exp(rng.uniform(math.log(1e-3), math.log(1e3))) for _ in range(L)]
    args = ["density", "--format", "json", "--gammas", ",".join(f"{x:.6g}" for x in g)]
    r = rng.random()
    if r < 0.15: args += ["--b-sigma", f"{rng.uniform(-1,1):.4f}"]
    else: args += ["--activation", rng.choice(acts)]
    k = rng.random()
    if k < 0.4: args += ["--gamma0", f"{math.exp(rng.uniform(math.log(1e-3), math.log(1e3))):.6g}"]
    elif k < 0.7: args += ["--orthonormal-input"]
    if rng.random() < 0.3: args += ["--tau", ",".join(f"{math.exp(rng.uniform(-2.3,2.3)):.4g}" for _ in range(L+1))]
    layer = rng.randint(1, L)
    for kern in (["--kernel","ck","--layer",str(layer)], ["--kernel","ntk"]):
        p = subprocess.run([B] + args + kern, capture_output=True, text=True)
        if p.returncode != 0: bad.append((args+kern, p.stderr[:200])); continue
        l = json.loads(p.stdout)["laws"][0]
        x = l["x"]; d = [v if v is not None else float("nan") for v in l["density"]]; c = l["cdf"]
        cm = l["continuousMass"]; am = sum(a["mass"] for a in l["atoms"])
        if l["solver"]["massDeficit"] > 1e-4: deficit += 1
        norm = (1 - am) / cm if cm > 0 else 0
        run = 0; wc = 0
        for j in range(len(x)):
            if j: run += (x[j]-x[j-1])*(d[j]+d[j-1])/2
            at = sum(a["mass"] for a in l["atoms"] if a["location"] <= x[j])
            wc = max(wc, abs(min(1, run*norm + at) - c[j]))
        wm = abs(run - cm)
        if wm > 1e-4 or wc > 1e-4 or not (wm == wm): bad.append((args+kern, wm, wc))
        worst_m = max(worst_m, wm); worst_c = max(worst_c, wc); laws += 1; pts += len(x)
print(f"{laws} laws, {pts//max(laws,1)} points/law, worst trapezoid mass error {worst_m:.2e}, worst CDF error {worst_c:.2e}, laws with massDeficit>1e-4: {deficit}, {time.time()-t0:.0f} s")
for b in bad[:20]: print("BAD", b)
