//! Random counts for the traffic model: Poisson arrivals per slot and the
//! binomial splits of a count over sub-intervals and endpoints.
//!
//! Poisson draws are exact (multiplication below a mean of 30, Hörmann's
//! PTRS transformed rejection above). Binomial draws are exact (BINV
//! inversion) while `n·min(p, 1−p) < 30`, and above use the normal
//! approximation with continuity rounding, clamped to `0..=n` — its error
//! in any probability is O(1/√(npq)), under 2 % there.
//!
//! Invariant: every draw takes its randomness only from the stream it is
//! handed, a fixed number of draws per call given the same inputs and
//! stream state, so streams stay reproducible.

use rand::Rng;

fn unit<R: Rng>(rng: &mut R) -> f64 {
    // In (0, 1]: safe for logarithms.
    1.0 - rng.random::<f64>()
}

/// `ln(k!)`: a table below 10, Stirling's series above (error < 1e-10).
fn ln_factorial(k: f64) -> f64 {
    const T: [f64; 10] = [
        0.0,
        0.0,
        std::f64::consts::LN_2,
        1.791_759_469_228_055,
        3.178_053_830_347_146,
        4.787_491_742_782_046,
        6.579_251_212_010_101,
        8.525_161_361_065_415,
        10.604_602_902_745_25,
        12.801_827_480_081_469,
    ];
    if k < 10.0 {
        return T[k.max(0.0) as usize];
    }
    let k2 = k * k;
    k * k.ln() - k + 0.5 * (2.0 * std::f64::consts::PI * k).ln() + 1.0 / (12.0 * k)
        - 1.0 / (360.0 * k * k2)
        + 1.0 / (1260.0 * k * k2 * k2)
}

/// A Poisson count of mean `mean`.
pub fn poisson<R: Rng>(mean: f64, rng: &mut R) -> u64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let limit = (-mean).exp();
        let mut k = 0u64;
        let mut p = unit(rng);
        while p > limit {
            k += 1;
            p *= unit(rng);
        }
        return k;
    }
    // PTRS (W. Hörmann, "The transformed rejection method for generating
    // Poisson random variables", 1993).
    let slam = mean.sqrt();
    let loglam = mean.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v = unit(rng);
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + mean + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k.max(0.0) as u64;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln()
            <= -mean + k * loglam - ln_factorial(k)
        {
            return k as u64;
        }
    }
}

/// A Binomial(`n`, `p`) count.
pub fn binomial<R: Rng>(n: u64, p: f64, rng: &mut R) -> u64 {
    if n == 0 || p.is_nan() || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if p > 0.5 {
        return n - binomial(n, 1.0 - p, rng);
    }
    let nf = n as f64;
    if nf * p < 30.0 {
        // BINV (Kachitvichyanukul & Schmeiser 1988).
        let q = 1.0 - p;
        let s = p / q;
        let a = (nf + 1.0) * s;
        let mut r = q.powf(nf);
        let mut u = rng.random::<f64>();
        let mut x = 0u64;
        while u > r {
            u -= r;
            x += 1;
            if x >= n {
                return n;
            }
            r *= a / x as f64 - s;
            if r <= 0.0 {
                break;
            }
        }
        return x;
    }
    let z = {
        // Box–Muller: two uniforms, one normal.
        let (u1, u2) = (unit(rng), rng.random::<f64>());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    };
    let x = (nf * p + (nf * p * (1.0 - p)).sqrt() * z).round();
    x.clamp(0.0, nf) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubesim_core::entity_rng;

    fn moments(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        (
            m,
            xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0),
        )
    }

    #[test]
    fn poisson_moments() {
        let mut rng = entity_rng(7, "test", "poisson");
        for mean in [0.5, 5.0, 29.0, 31.0, 200.0, 2000.0] {
            let xs: Vec<f64> = (0..20_000)
                .map(|_| poisson(mean, &mut rng) as f64)
                .collect();
            let (m, v) = moments(&xs);
            let se = (mean / 20_000.0).sqrt();
            assert!((m - mean).abs() < 5.0 * se, "mean {mean}: {m}");
            assert!((v / mean - 1.0).abs() < 0.06, "var {mean}: {v}");
        }
    }

    #[test]
    fn binomial_moments() {
        let mut rng = entity_rng(7, "test", "binomial");
        for (n, p) in [(10, 0.3), (100, 0.9), (1000, 0.02), (5000, 0.4), (3, 1.0)] {
            let xs: Vec<f64> = (0..20_000)
                .map(|_| {
                    let x = binomial(n, p, &mut rng);
                    assert!(x <= n);
                    x as f64
                })
                .collect();
            let (m, v) = moments(&xs);
            let (mean, var) = (n as f64 * p, n as f64 * p * (1.0 - p));
            assert!(
                (m - mean).abs() <= 5.0 * (var / 20_000.0).sqrt() + 1e-9,
                "{n},{p}: {m}"
            );
            if var > 0.0 {
                assert!((v / var - 1.0).abs() < 0.06, "{n},{p}: var {v}");
            }
        }
    }

    #[test]
    fn ln_factorial_matches_the_product() {
        let mut exact = 0.0f64;
        for k in 1..60 {
            exact += (k as f64).ln();
            assert!((ln_factorial(k as f64) - exact).abs() < 1e-9, "{k}");
        }
    }
}
