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
    private long timeoutNanos;
    private boolean timed;
    /** Set at the end of a request: a later check (a suspended portal resumed) starts a fresh timeout. */
    private boolean rearm;

    /** Arms the timeout for a new statement; {@code timeoutMillis <= 0} means no timeout. */
    void start(long timeoutMillis) {
        timed = timeoutMillis > 0;
        timeoutNanos = timeoutMillis * 1_000_000L;
        deadlineNanos = timed ? System.nanoTime() + timeoutNanos : 0;
        rearm = false;
    }

    /** Asks the running statement to stop at its next check. Safe from any thread. */
    public void cancel() {
        cancelled = true;
    }

    /**
     * The request is over (ReadyForQuery): forgets a cancel, and lets the next check restart the timeout, so a
     * portal resumed by a later Execute gets a timeout of its own, as each Execute does in PostgreSQL. Called on
     * the session's thread.
     */
    void clearCancel() {
        cancelled = false;
        rearm = timed;
    }

    /** Throws 57014 if the statement was cancelled or ran past its timeout; otherwise returns at once. */
    void check() {
        if (cancelled) {
            throw new SqlError("57014", "canceling statement due to user request");
        }
        if (!timed) {
            return;
        }
        if (rearm) {
            rearm = false;
            deadlineNanos = System.nanoTime() + timeoutNanos;
        } else if (System.nanoTime() - deadlineNanos > 0) {
            throw new SqlError("57014", "canceling statement due to statement timeout");
        }
    }
}
