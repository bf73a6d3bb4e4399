package io.stillpoint.server.exec;

/**
 * Lets a running statement be stopped from outside: a CancelRequest (any thread calls {@link #cancel()}) or the
 * session's {@code statement_timeout}. The statement polls {@link #check()} at cheap points (once per scanned
 * chunk of {@link TableScanner#CHUNK_ROWS} rows), so a long scan, aggregate or sort input stops within one chunk
 * even before it has produced a row, and nothing is interrupted mid-write.
 *
 * <p>One guard per session. The timeout is re-armed by {@link #start(long)} at the start of every statement; a
 * cancel stays in force until {@link #clearCancel()}, which the wire layer calls when it sends ReadyForQuery, so
 * a cancel that arrives while the statement is still being parsed or planned is not lost when it starts (as in
 * PostgreSQL, a cancel applies to the request in progress). Only the cancel flag crosses threads (volatile); the
 * deadline is written and read by the session's own thread.
 */
public final class StatementGuard {
    private volatile boolean cancelled;
    /** {@link System#nanoTime()} after which the statement fails; meaningful only when {@link #timed}. */
    private long deadlineNanos;
    private boolean timed;

    /** Arms the timeout for a new statement; {@code timeoutMillis <= 0} means no timeout. */
    void start(long timeoutMillis) {
        timed = timeoutMillis > 0;
        deadlineNanos = timed ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
    }

    /** Asks the running statement to stop at its next check. Safe from any thread. */
    public void cancel() {
        cancelled = true;
    }

    /** Forgets a cancel: the request it was meant for is over. */
    void clearCancel() {
        cancelled = false;
    }

    /** Throws 57014 if the statement was cancelled or ran past its timeout; otherwise returns at once. */
    void check() {
        if (cancelled) {
            throw new SqlError("57014", "canceling statement due to user request");
        }
        if (timed && System.nanoTime() - deadlineNanos > 0) {
            throw new SqlError("57014", "canceling statement due to statement timeout");
        }
    }
}
