package io.stillpoint.server.exec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The cancel/timeout guard and the statement_timeout setting that arms it. */
class StatementGuardTest extends ExecTestSupport {

    @Test
    void cancelAndTimeoutThrow57014UntilCleared() throws Exception {
        StatementGuard g = new StatementGuard();
        g.start(0);
        g.check();
        g.cancel();
        SqlError cancelled = assertThrows(SqlError.class, g::check);
        assertEquals("57014", cancelled.sqlState());
        assertEquals("canceling statement due to user request", cancelled.getMessage());
        g.start(0); // a cancel during parse or plan still applies to the statement that starts after it
        assertThrows(SqlError.class, g::check);
        g.clearCancel();
        g.check();
        g.start(1);
        Thread.sleep(5);
        SqlError timedOut = assertThrows(SqlError.class, g::check);
        assertEquals("57014", timedOut.sqlState());
        assertEquals("canceling statement due to statement timeout", timedOut.getMessage());
        g.start(60_000);
        g.check();

        // A portal suspended at the end of a request and resumed later gets a fresh timeout.
        g.start(20);
        g.check();
        Thread.sleep(40);
        g.clearCancel();
        g.check(); // restarts the 20 ms
        g.check();
        Thread.sleep(40);
        assertThrows(SqlError.class, g::check);
    }

    @Test
    void statementTimeoutTakesPostgresUnits() {
        assertEquals(2000, SessionParameters.parseDurationMillis("statement_timeout", "2s"));
        assertEquals(2000, SessionParameters.parseDurationMillis("statement_timeout", "2000"));
        assertEquals(1500, SessionParameters.parseDurationMillis("statement_timeout", "1500 ms"));
        assertEquals(120_000, SessionParameters.parseDurationMillis("statement_timeout", "2min"));
        assertEquals(0, SessionParameters.parseDurationMillis("statement_timeout", "0"));
        assertEquals("22023", assertThrows(SqlError.class,
                () -> SessionParameters.parseDurationMillis("statement_timeout", "2 parsecs")).sqlState());
        assertEquals("22023", assertThrows(SqlError.class,
                () -> SessionParameters.parseDurationMillis("statement_timeout", "")).sqlState());

        run(session, "SET statement_timeout = '2s'");
        assertEquals("2000", run(session, "SHOW statement_timeout").get(0).value());
        run(session, "SET statement_timeout = 0");
        assertEquals("0", run(session, "SHOW statement_timeout").get(0).value());
        assertEquals("22023", error(session, "SET statement_timeout = 'soon'").sqlState());
    }
}
