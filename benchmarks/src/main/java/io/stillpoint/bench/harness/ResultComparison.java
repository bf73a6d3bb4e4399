package io.stillpoint.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the {@code RESULT} lines of several {@link LoadHarness} invocations (files, or standard input when none is
 * given), takes for each label and metric the median over all its runs (lines with {@code run=median} are
 * skipped, so invocations with {@code --runs 1} can be pooled), and prints the two labels side by side with the
 * ratio other/base. It also prints one {@code RATIO metric=... value=...} line per metric both labels have.
 *
 * <p>usage: {@code ResultComparison [--base postgres] [--other stillpoint] [FILE...]}
 */
public final class ResultComparison {

    private ResultComparison() {
    }

    public static void main(String[] args) throws IOException {
        String base = "postgres";
        String other = "stillpoint";
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            boolean named = args[i].equals("--base") || args[i].equals("--other");
            if (named && i + 1 >= args.length) {
                System.err.println("result-comparison: option needs a value [option=" + args[i] + "]");
                System.exit(2);
            }
            switch (args[i]) {
                case "--base" -> base = args[++i];
                case "--other" -> other = args[++i];
                default -> files.add(Path.of(args[i]));
            }
        }
        Map<String, Map<String, List<Double>>> samples = new HashMap<>();
        if (files.isEmpty()) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                in.lines().forEach(line -> collect(line, samples));
            }
        } else {
            for (Path file : files) {
                Files.readAllLines(file).forEach(line -> collect(line, samples));
            }
        }
        Map<String, List<Double>> b = samples.getOrDefault(base, Map.of());
        Map<String, List<Double>> o = samples.getOrDefault(other, Map.of());
        if (b.isEmpty() && o.isEmpty()) {
            System.err.println("result-comparison: no RESULT lines for either label [base=" + base
                    + ", other=" + other + "]");
            System.exit(1);
        }

        System.out.printf(Locale.ROOT, "%-22s %-7s %16s %16s %12s  %s%n", "metric (median)", "unit",
                base + " (n)", other + " (n)", other + "/" + base, "better");
        List<String> ratios = new ArrayList<>();
        for (String key : metricOrder(b, o)) {
            Metric metric = Metric.byKey(key).orElse(null);
            String unit = metric == null ? "" : metric.unit;
            List<Double> bs = b.get(key);
            List<Double> os = o.get(key);
            String ratio = "-";
            if (bs != null && os != null) {
                double r = Stats.median(os) / Stats.median(bs);
                ratio = String.format(Locale.ROOT, "%.3f", r);
                ratios.add(String.format(Locale.ROOT, "RATIO %s/%s metric=%s value=%s", other, base, key,
                        Report.plain(r)));
            }
            System.out.printf(Locale.ROOT, "%-22s %-7s %16s %16s %12s  %s%n", key, unit, cell(metric, bs),
                    cell(metric, os), ratio, metric == null ? "" : metric.higherIsBetter ? "higher" : "lower");
        }
        ratios.forEach(System.out::println);
    }

    private static String cell(Metric metric, List<Double> values) {
        if (values == null) {
            return "-";
        }
        double median = Stats.median(values);
        String text = metric == null ? Report.plain(median) : metric.format(median);
        return text + " (" + values.size() + ")";
    }

    /** Known metrics in their declared order, then any unknown ones in the order first seen. */
    private static List<String> metricOrder(Map<String, List<Double>> b, Map<String, List<Double>> o) {
        List<String> keys = new ArrayList<>();
        for (Metric m : Metric.values()) {
            if (b.containsKey(m.key) || o.containsKey(m.key)) {
                keys.add(m.key);
            }
        }
        for (Map<String, List<Double>> side : List.of(b, o)) {
            for (String key : side.keySet()) {
                if (!keys.contains(key)) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    private static void collect(String line, Map<String, Map<String, List<Double>>> samples) {
        if (!line.startsWith(Report.RESULT_PREFIX)) {
            return;
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : line.substring(Report.RESULT_PREFIX.length()).trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        String label = fields.get("label");
        String metric = fields.get("metric");
        String value = fields.get("value");
        if (label == null || metric == null || value == null || "median".equals(fields.get("run"))) {
            return;
        }
        samples.computeIfAbsent(label, k -> new LinkedHashMap<>())
                .computeIfAbsent(metric, k -> new ArrayList<>())
                .add(Double.parseDouble(value));
    }
}
