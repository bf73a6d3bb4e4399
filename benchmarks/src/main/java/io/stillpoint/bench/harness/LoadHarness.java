package io.stillpoint.bench.harness;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Entry point of the side-by-side load harness: runs {@link Workload} {@code --runs} times against one
 * PostgreSQL-wire URL and prints the {@link Report}. Exit codes: 0 done, 1 the server failed or answered wrong,
 * 2 bad command line. {@code benchmarks/scripts/side-by-side.sh} runs it against PostgreSQL and Stillpoint.
 */
public final class LoadHarness {

    private LoadHarness() {
    }

    public static void main(String[] args) {
        HarnessOptions options;
        try {
            options = HarnessOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("load-harness: " + e.getMessage());
            System.err.print(HarnessOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(HarnessOptions.USAGE);
            return;
        }

        System.out.printf("load harness [label=%s, url=%s, dialect=%s, rows=%d, batch=%d, lookups=%d, "
                        + "queryRepeats=%d, runs=%d, seed=%d, pgIndex=%s, rewriteDays=%d, checkpoint=%s, java=%s, start=%s]%n",
                options.label(), options.url(), options.dialect().name().toLowerCase(), options.rows(),
                options.batch(), options.lookups(), options.queryRepeats(), options.runs(), options.seed(),
                options.pgIndex(), options.rewriteDays(),
                options.checkpoint() ? options.checkpointRows() + " rows x 4, " + options.checkpointCycles() + " cycles"
                        : "no", System.getProperty("java.version"), Instant.now());

        List<Map<Metric, Double>> runs = new ArrayList<>();
        Workload workload = new Workload(options);
        for (int r = 1; r <= options.runs(); r++) {
            try {
                Map<Metric, Double> metrics = workload.run();
                runs.add(metrics);
                System.out.printf("run %d/%d done [label=%s, insert_rows_per_s=%s, count_sum_ms=%s, "
                                + "lookup_p50_us=%s]%n", r, options.runs(), options.label(),
                        Metric.INSERT_ROWS_PER_S.format(metrics.get(Metric.INSERT_ROWS_PER_S)),
                        Metric.COUNT_SUM_MS.format(metrics.get(Metric.COUNT_SUM_MS)),
                        metrics.containsKey(Metric.LOOKUP_P50_US)
                                ? Metric.LOOKUP_P50_US.format(metrics.get(Metric.LOOKUP_P50_US)) : "-");
            } catch (Exception e) {
                System.err.printf("load-harness: run failed [label=%s, run=%d, error=%s]%n", options.label(), r, e);
                System.exit(1);
                return;
            }
        }
        Report.print(System.out, options.label(), runs);
    }
}
