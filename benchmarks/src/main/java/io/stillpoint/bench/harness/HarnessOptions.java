package io.stillpoint.bench.harness;

import java.util.Locale;

/**
 * The load harness's command line, parsed and checked. A mistake is an {@link IllegalArgumentException} whose
 * message is printed as is, followed by {@link #USAGE}.
 */
record HarnessOptions(String url, String user, String password, long rows, int batch, int lookups,
                      int lookupSeconds, int queryRepeats, int runs, long seed, String label, Dialect dialect,
                      boolean pgIndex, long copyRows, int rewriteDays, boolean checkpoint, long checkpointRows,
                      int checkpointCycles, int checkpointSegments, long warmupRows, boolean help) {

    /** Which CREATE TABLE the server understands. */
    enum Dialect {
        /** {@code ... TIMESTAMP(ts) PARTITION BY DAY}: Stillpoint's designated-timestamp table. */
        STILLPOINT,
        /** Plain heap table, no index unless {@code --pg-index}. */
        POSTGRES
    }

    static final String USAGE = """
            usage: java -cp benchmarks/target/benchmarks.jar io.stillpoint.bench.harness.LoadHarness \\
                     --url jdbc:postgresql://127.0.0.1:PORT/DB --user U --password P [options]

              --rows N              rows to insert per run (default 1000000)
              --warmup-rows N       before each run's timed insert, insert N rows the same way into a scratch
                                    table w, untimed, then drop it: warms this client JVM (pgjdbc and the
                                    harness are compiled by the JIT while they run) and the server alike, so
                                    the timed insert measures the server, not the client's warm-up (default 0)
              --batch N             rows per executeBatch, one commit each (default 1000)
              --lookups N           point lookups by id per run (default 10000)
              --lookup-seconds S    stop the lookup phase after S seconds even if fewer were done (default 300)
              --query-repeats N     times the count/sum query is run per run; the median is reported (default 5)
              --runs N              whole-workload repetitions; medians are reported (default 3)
              --seed N              seed of the lookup ids (default 42)
              --label NAME          name in the report and RESULT lines (default: the dialect)
              --dialect D           stillpoint | postgres: which CREATE TABLE to send (default postgres)
              --pg-index            postgres only: add a primary key on id after the load, before the lookups
              --copy-rows N         rows loaded with COPY FROM STDIN per run, then the table copied out with
                                    COPY TO STDOUT (default 1000000; 0 skips both)
              --rewrite-days N      UPDATE t SET v = v + 1 of one whole day, N times on different days, then
                                    DELETE of one whole day, N times (default 3; 0 skips both)
              --checkpoint          stillpoint only: insert --checkpoint-rows rows into a fresh table, a warm-up
                                    segment then without, with, with, without an active CHECKPOINT CREATE and
                                    again (--checkpoint-segments in all), then time
                                    --checkpoint-cycles CHECKPOINT CREATE / CHECKPOINT RELEASE pairs
              --checkpoint-rows N   rows per insert segment of --checkpoint (default 100000)
              --checkpoint-segments N  measured insert segments, a multiple of 4: ABBA ABBA ... (default 8)
              --checkpoint-cycles N CREATE/RELEASE pairs timed by --checkpoint (default 20)
              --help                print this and exit
            """;

    static HarnessOptions parse(String[] args) {
        String url = null;
        String user = null;
        String password = null;
        long rows = 1_000_000;
        int batch = 1_000;
        int lookups = 10_000;
        int lookupSeconds = 300;
        int queryRepeats = 5;
        int runs = 3;
        long seed = 42;
        String label = null;
        Dialect dialect = Dialect.POSTGRES;
        boolean pgIndex = false;
        long copyRows = 1_000_000;
        int rewriteDays = 3;
        boolean checkpoint = false;
        long checkpointRows = 100_000;
        int checkpointSegments = 8;
        int checkpointCycles = 20;
        long warmupRows = 0;
        boolean help = false;

        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            switch (name) {
                case "--help", "-h" -> help = true;
                case "--pg-index" -> pgIndex = true;
                case "--checkpoint" -> checkpoint = true;
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(name.startsWith("--")
                                ? "option needs a value [option=" + name + "]"
                                : "unknown argument [argument=" + name + "]");
                    }
                    String value = args[++i];
                    switch (name) {
                        case "--url" -> url = value;
                        case "--user" -> user = value;
                        case "--password" -> password = value;
                        case "--rows" -> rows = longValue(name, value, 1, Long.MAX_VALUE);
                        case "--warmup-rows" -> warmupRows = longValue(name, value, 0, 100_000_000L);
                        case "--batch" -> batch = (int) longValue(name, value, 1, 1_000_000);
                        case "--lookups" -> lookups = (int) longValue(name, value, 0, Integer.MAX_VALUE);
                        case "--lookup-seconds" -> lookupSeconds = (int) longValue(name, value, 1, 86_400);
                        case "--query-repeats" -> queryRepeats = (int) longValue(name, value, 1, 1_000);
                        case "--runs" -> runs = (int) longValue(name, value, 1, 1_000);
                        case "--copy-rows" -> copyRows = longValue(name, value, 0, 100_000_000L);
                        case "--rewrite-days" -> rewriteDays = (int) longValue(name, value, 0, 1_000);
                        case "--checkpoint-rows" -> checkpointRows = longValue(name, value, 1, 100_000_000L);
                        case "--checkpoint-segments" -> {
                            checkpointSegments = (int) longValue(name, value, 4, 1_000);
                            if (checkpointSegments % 4 != 0) {
                                throw new IllegalArgumentException("checkpoint segments must be a multiple of 4 "
                                        + "[segments=" + value + "]");
                            }
                        }
                        case "--checkpoint-cycles" -> checkpointCycles = (int) longValue(name, value, 1, 100_000);
                        case "--seed" -> seed = longValue(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
                        case "--label" -> label = value;
                        case "--dialect" -> dialect = switch (value.toLowerCase(Locale.ROOT)) {
                            case "stillpoint" -> Dialect.STILLPOINT;
                            case "postgres", "postgresql" -> Dialect.POSTGRES;
                            default -> throw new IllegalArgumentException(
                                    "unknown dialect [dialect=" + value + ", expected=stillpoint|postgres]");
                        };
                        default -> throw new IllegalArgumentException("unknown option [option=" + name + "]");
                    }
                }
            }
        }
        if (!help) {
            if (url == null || user == null || password == null) {
                throw new IllegalArgumentException("--url, --user and --password are required");
            }
            if (pgIndex && dialect != Dialect.POSTGRES) {
                throw new IllegalArgumentException("--pg-index needs --dialect postgres [dialect="
                        + dialect.name().toLowerCase(Locale.ROOT) + "]");
            }
            if (checkpoint && dialect != Dialect.STILLPOINT) {
                throw new IllegalArgumentException("--checkpoint needs --dialect stillpoint [dialect="
                        + dialect.name().toLowerCase(Locale.ROOT) + "]");
            }
            // The sum check relies on every partial sum of i * 0.5 being exact in a double (below 2^53).
            if (rows > 100_000_000L) {
                throw new IllegalArgumentException("too many rows for an exact sum check [rows=" + rows
                        + ", max=100000000]");
            }
        }
        if (label == null) {
            label = dialect.name().toLowerCase(Locale.ROOT);
        }
        return new HarnessOptions(url, user, password, rows, batch, lookups, lookupSeconds, queryRepeats, runs,
                seed, label, dialect, pgIndex, copyRows, rewriteDays, checkpoint, checkpointRows, checkpointCycles, checkpointSegments, warmupRows, help);
    }

    private static long longValue(String name, String value, long min, long max) {
        long parsed;
        try {
            parsed = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number [option=" + name + ", value=" + value + "]");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException("out of range [option=" + name + ", value=" + value
                    + ", min=" + min + ", max=" + max + "]");
        }
        return parsed;
    }
}
