package io.stillpoint.bench.harness;

import java.util.Optional;

/**
 * One number the harness reports per run: its machine-readable name (used in {@code RESULT} lines), its unit and
 * which direction is better, so that a comparison can say who won.
 */
enum Metric {
    INSERT_ROWS_PER_S("insert_rows_per_s", "rows/s", true, "%,.0f"),
    INSERT_S("insert_s", "s", false, "%.3f"),
    INSERT_BATCH_P50_MS("insert_batch_p50_ms", "ms", false, "%.3f"),
    INSERT_BATCH_P99_MS("insert_batch_p99_ms", "ms", false, "%.3f"),
    COUNT_SUM_MS("count_sum_ms", "ms", false, "%.3f"),
    INDEX_BUILD_MS("index_build_ms", "ms", false, "%.1f"),
    LOOKUPS("lookups", "count", true, "%.0f"),
    LOOKUP_TOTAL_S("lookup_total_s", "s", false, "%.3f"),
    LOOKUPS_PER_S("lookups_per_s", "1/s", true, "%,.1f"),
    LOOKUP_P50_US("lookup_p50_us", "us", false, "%,.1f"),
    LOOKUP_P99_US("lookup_p99_us", "us", false, "%,.1f"),
    COPY_IN_ROWS_PER_S("copy_in_rows_per_s", "rows/s", true, "%,.0f"),
    COPY_OUT_ROWS_PER_S("copy_out_rows_per_s", "rows/s", true, "%,.0f"),
    UPDATE_DAY_MS("update_day_ms", "ms", false, "%.2f"),
    DELETE_DAY_MS("delete_day_ms", "ms", false, "%.2f"),
    CKPT_OFF_INSERT_ROWS_PER_S("ckpt_off_insert_rows_per_s", "rows/s", true, "%,.0f"),
    CKPT_ON_INSERT_ROWS_PER_S("ckpt_on_insert_rows_per_s", "rows/s", true, "%,.0f"),
    CKPT_ON_OFF_INSERT_RATIO("ckpt_on_off_insert_ratio", "ratio", true, "%.3f"),
    CHECKPOINT_CREATE_P50_MS("checkpoint_create_p50_ms", "ms", false, "%.2f"),
    CHECKPOINT_CREATE_P99_MS("checkpoint_create_p99_ms", "ms", false, "%.2f"),
    CHECKPOINT_RELEASE_P50_MS("checkpoint_release_p50_ms", "ms", false, "%.2f"),
    CHECKPOINT_RELEASE_P99_MS("checkpoint_release_p99_ms", "ms", false, "%.2f");

    final String key;
    final String unit;
    final boolean higherIsBetter;
    private final String format;

    Metric(String key, String unit, boolean higherIsBetter, String format) {
        this.key = key;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
        this.format = format;
    }

    String format(double value) {
        return String.format(java.util.Locale.ROOT, format, value);
    }

    static Optional<Metric> byKey(String key) {
        for (Metric m : values()) {
            if (m.key.equals(key)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
