package io.stillpoint.server.exec;

import java.util.List;
import java.util.Map;

/**
 * The executor's side of one client connection: transaction state, session parameters, the user's role.
 * Used by one thread at a time (the connection's event loop), in the order the messages arrive.
 *
 * <p>Transactions follow PostgreSQL. Outside BEGIN, statements run in an <em>implicit</em> transaction that
 * the wire layer ends with {@link #endImplicitTransaction(boolean)}: after the last statement of a simple
 * Query message, or at Sync in the extended protocol. Inside BEGIN ... COMMIT/ROLLBACK the block decides.
 * After an error inside a block, every statement but COMMIT/ROLLBACK fails with 25P02 until the block ends.
 */
public interface Session extends AutoCloseable {

    /**
     * Parses a simple-protocol Query text into its statements (one entry per statement; the empty query
     * gives one Prepared for the empty statement). Parameters are not allowed there.
     */
    List<Prepared> prepareAll(String sql);

    /**
     * Parses the text of an extended-protocol Parse message: at most one statement (an empty text is the empty
     * statement). {@code declaredTypes} holds the client's parameter OIDs mapped to types (null or UNKNOWN
     * entries: not declared); it may be shorter than the number of parameters.
     */
    Prepared prepare(String sql, List<DataType> declaredTypes);

    /**
     * Runs a statement in the current transaction (starting an implicit one if none is open).
     * {@code params} holds one value per parameter of {@link Prepared#paramTypes()}, already decoded to those
     * types' Java representations (UNKNOWN: the text).
     */
    Result execute(Prepared statement, Object[] params);

    /**
     * Ends the implicit transaction, if one is open: commits it when {@code failed} is false, rolls it back
     * otherwise. Inside an explicit block it does nothing. A failing commit throws {@link SqlError}
     * and leaves nothing of the transaction behind.
     */
    void endImplicitTransaction(boolean failed);

    /** Marks the current transaction failed after an error the wire layer saw (e.g. a bad parameter value). */
    void markFailed();

    TransactionStatus transactionStatus();

    /** Current value of a session parameter as SHOW reports it, or null. */
    String parameter(String name);

    /**
     * True if executing {@code statement} sends no rows and never waits for the client, only for its own work
     * (an INSERT ... VALUES): the wire layer may then run it on the connection's I/O thread. The default says no.
     */
    default boolean returnsOnlyACommandTag(Prepared statement) {
        return false;
    }

    /** ParameterStatus entries to send after authentication (pgwire.md section 0.3). */
    Map<String, String> initialParameterStatus();

    /**
     * Asks the statement running now (if any) to stop with 57014 at its next check; called by a CancelRequest
     * from another connection's thread, so it only sets a flag. The default does nothing.
     */
    default void cancel() {
    }

    /**
     * Ends the effect of {@link #cancel()}: called when the request it applied to is over (at ReadyForQuery). A
     * result still open (a suspended portal) gets a fresh statement_timeout when it is read again.
     */
    default void clearCancel() {
    }

    /** Rolls back whatever is open and releases everything the session holds. Idempotent. */
    @Override
    void close();
}
