package io.stillpoint.bench.harness;

import java.util.Arrays;
import java.util.List;

/**
 * Order statistics over samples. Percentiles use the nearest-rank definition (the smallest sample such that at
 * least p percent of the samples are at or below it), so p99 of 100 samples is the 99th smallest, never an
 * interpolated value that was not measured. The median of an even count is the mean of the two middle samples.
 */
final class Stats {

    private Stats() {
    }

    static double median(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("median of no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    static double median(List<Double> samples) {
        return median(samples.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Nearest-rank percentile of already sorted samples; {@code p} in (0, 100]. */
    static long percentileOfSorted(long[] sorted, int count, double p) {
        if (count == 0) {
            throw new IllegalArgumentException("percentile of no samples [p=" + p + "]");
        }
        int rank = (int) Math.ceil(p / 100.0 * count);
        return sorted[Math.max(0, Math.min(count, rank) - 1)];
    }

    /** Sorts the first {@code count} samples in place and returns {p50, p99}, in the samples' unit. */
    static long[] p50p99(long[] samples, int count) {
        Arrays.sort(samples, 0, count);
        return new long[] {percentileOfSorted(samples, count, 50), percentileOfSorted(samples, count, 99)};
    }
}
