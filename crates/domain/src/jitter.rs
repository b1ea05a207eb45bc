//! Cheap, dependency-free jitter for spreading retries and refreshes over time.

/// A pseudo-random fraction in `[0, 1)` from `seed` (SplitMix64): good enough to keep
/// thousands of tenants from acting in lockstep, and deterministic for a given seed.
#[must_use]
pub(crate) fn fraction(seed: u64) -> f64 {
    let mut x = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    // The top 53 bits fill an f64 mantissa exactly.
    #[expect(clippy::cast_precision_loss, reason = "53 bits fit an f64 exactly")]
    let top = (x >> 11) as f64;
    top / (1_u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn fractions_stay_in_the_unit_interval_and_spread() {
        let values: Vec<f64> = (0..1000).map(super::fraction).collect();
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        let low = values.iter().filter(|v| **v < 0.5).count();
        assert!((400..600).contains(&low), "{low} of 1000 below one half");
    }
}
