package io.stillpoint.server.it;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;

/**
 * A small COPY FROM STDIN throughput harness (not a test): pgjdbc's CopyManager.copyIn of generated
 * (TIMESTAMP, BIGINT, DOUBLE) rows, a fresh table per round, rows/s per round.
 *
 * <pre>
 * java -cp &lt;test classpath&gt; io.stillpoint.server.it.CopyBench [rows] [rounds] [csv|text] [jdbc-url user password]
 * </pre>
 * Without a URL it starts target/stillpoint.jar on a temporary root; with one it loads that server (e.g. a
 * PostgreSQL started by benchmarks/scripts/side-by-side.sh), so both are measured by the same client.
 */
public final class CopyBench {

    private CopyBench() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean csv = args.length <= 2 || args[2].equals("csv");
        byte[] data = CopyIT.generate(rows, -1);
        if (!csv) {
            for (int i = 0; i < data.length; i++) {
                if (data[i] == ',') {
                    data[i] = '\t';
                }
            }
        }
        ServerProcess server = null;
        Connection c;
        boolean postgres = args.length > 3;
        if (postgres) {
            Properties p = new Properties();
            p.setProperty("user", args[4]);
            p.setProperty("password", args[5]);
            c = DriverManager.getConnection(args[3], p);
        } else {
            server = ServerProcess.start(Files.createTempDirectory("copybench"));
            c = server.connect();
        }
        try {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            for (int r = 0; r < rounds; r++) {
                String table = "bench_" + r;
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + table);
                    s.execute("CREATE TABLE " + table + " (ts TIMESTAMP, v BIGINT, d DOUBLE PRECISION)"
                            + (postgres ? "" : " TIMESTAMP(ts) PARTITION BY DAY"));
                }
                long t0 = System.nanoTime();
                long n = copy.copyIn("COPY " + table + " FROM STDIN" + (csv ? " WITH (FORMAT csv)" : ""),
                        new ByteArrayInputStream(data));
                long t1 = System.nanoTime();
                System.out.printf("round %d: %d rows (%s, %.1f MB) in %.0f ms: %.0f rows/s%n", r, n,
                        csv ? "csv" : "text", data.length / 1e6, (t1 - t0) / 1e6, n / ((t1 - t0) / 1e9));
            }
        } finally {
            c.close();
            if (server != null) {
                server.close();
            }
        }
    }
}
