package io.stillpoint.bench.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the runs of one label as a human table (one row per metric, one column per run, then the median over
 * runs) and as machine-readable lines, one per run and metric plus one per metric for the median:
 * <pre>RESULT label=stillpoint run=2 metric=insert_rows_per_s value=151234.5
 * RESULT label=stillpoint run=median metric=insert_rows_per_s value=150987.1</pre>
 * Values in RESULT lines are plain decimals in the metric's unit, no thousands separators.
 */
final class Report {

    static final String RESULT_PREFIX = "RESULT ";

    private Report() {
    }

    static void print(PrintStream out, String label, List<Map<Metric, Double>> runs) {
        List<Metric> present = new ArrayList<>();
        for (Metric m : Metric.values()) {
            if (runs.stream().allMatch(r -> r.containsKey(m))) {
                present.add(m);
            }
        }

        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-22s %-7s", "metric", "unit"));
        for (int r = 1; r <= runs.size(); r++) {
            header.append(String.format(Locale.ROOT, " %14s", "run " + r));
        }
        header.append(String.format(Locale.ROOT, " %14s", "median"));
        out.println();
        out.println("== " + label + " ==");
        out.println(header);
        for (Metric m : present) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s %-7s", m.key, m.unit));
            for (Map<Metric, Double> run : runs) {
                line.append(String.format(Locale.ROOT, " %14s", m.format(run.get(m))));
            }
            line.append(String.format(Locale.ROOT, " %14s", m.format(median(runs, m))));
            out.println(line);
        }
        out.println();
        for (int r = 0; r < runs.size(); r++) {
            for (Metric m : present) {
                out.println(resultLine(label, Integer.toString(r + 1), m.key, runs.get(r).get(m)));
            }
        }
        for (Metric m : present) {
            out.println(resultLine(label, "median", m.key, median(runs, m)));
        }
        out.flush();
    }

    static double median(List<Map<Metric, Double>> runs, Metric m) {
        return Stats.median(runs.stream().map(r -> r.get(m)).toList());
    }

    static String resultLine(String label, String run, String metric, double value) {
        return String.format(Locale.ROOT, "%slabel=%s run=%s metric=%s value=%s",
                RESULT_PREFIX, label, run, metric, plain(value));
    }

    /** A decimal without exponent or grouping, rounded to 4 places: easy for awk, sort -n and spreadsheets. */
    static String plain(double value) {
        return new java.math.BigDecimal(value).setScale(4, java.math.RoundingMode.HALF_EVEN)
                .stripTrailingZeros().toPlainString();
    }
}
