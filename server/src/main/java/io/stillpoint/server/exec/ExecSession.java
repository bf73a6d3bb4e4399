package io.stillpoint.server.exec;

import io.stillpoint.sql.Parsed;
import io.stillpoint.sql.SqlParser;
import io.stillpoint.sql.ast.Statement;
import io.stillpoint.storage.ColumnSpec;
import io.stillpoint.storage.ColumnType;
import io.stillpoint.storage.Engine;
import io.stillpoint.storage.PartitionBy;
import io.stillpoint.storage.StorageException;
import io.stillpoint.storage.TableInfo;
import io.stillpoint.storage.TableSchema;
import io.stillpoint.storage.Ttl;
import io.stillpoint.storage.WriteTransaction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The executor's state for one connection: the transaction (implicit, explicit block, failed block), the one
 * storage {@link WriteTransaction} that buffers its writes, the session parameters and the open cursors.
 *
 * <p>Transactions follow PostgreSQL: outside BEGIN every statement runs in an implicit transaction that the
 * wire layer ends ({@link #endImplicitTransaction}); writes are committed there, in one storage commit. Inside
 * BEGIN the block decides; after an error only COMMIT/ROLLBACK are accepted (25P02), and COMMIT of a failed
 * block rolls back and answers ROLLBACK. Reads run at read committed: each statement opens its own snapshot;
 * a transaction also sees the rows it inserted itself, which the session keeps copies of because the storage
 * shows readers committed rows only.
 *
 * <p>CHECKPOINT CREATE/RELEASE are not transactional either: they act on the engine at once, whatever block they
 * are in, and ROLLBACK does not undo them (as in QuestDB); only the admin role may run them.
 *
 * <p>DDL (CREATE TABLE, DROP TABLE) inside an explicit block runs immediately and is committed at once,
 * whatever the block does later: the storage makes DDL durable on its own and cannot roll it back. This keeps
 * clients that wrap their setup in a transaction (pgjdbc with autocommit off) working.
 */
final class ExecSession implements Session {

    private enum State { IDLE, IMPLICIT, BLOCK, BLOCK_FAILED }

    private static final Result.Command BEGIN = new Result.Command("BEGIN");
    private static final Result.Command COMMIT = new Result.Command("COMMIT");
    private static final Result.Command ROLLBACK = new Result.Command("ROLLBACK");
    private static final Result.Command SET = new Result.Command("SET");
    private static final Result.Command CREATE_TABLE = new Result.Command("CREATE TABLE");
    private static final Result.Command DROP_TABLE = new Result.Command("DROP TABLE");
    private static final Result.Command ALTER_TABLE = new Result.Command("ALTER TABLE");
    private static final Result.Command CHECKPOINT = new Result.Command("CHECKPOINT");
    private static final Result.Empty EMPTY = new Result.Empty();
    private static final Object[] NO_PARAMS = new Object[0];
    private static final DataType[] NO_TYPES = new DataType[0];

    private static final List<ResultColumn> SHOW_ALL_COLUMNS = List.of(new ResultColumn("name", DataType.TEXT),
            new ResultColumn("setting", DataType.TEXT), new ResultColumn("description", DataType.TEXT));
    private static final List<ResultColumn> SHOW_TABLES_COLUMNS = List.of(new ResultColumn("table_name", DataType.VARCHAR));

    /** What {@link Prepared#statement()} holds: the parse, the parameter types, and the plan once made. */
    static final class Handle {
        final Parsed parsed;
        final DataType[] paramTypes;
        /** From prepareAll: planned at execution (earlier statements of the same text may change the schema). */
        final boolean planAtExecute;
        /** The last statement of a simple Query: an implicit transaction ends right after it. */
        boolean lastOfQuery;
        Object plan;
        /** The tables {@link #plan} was made from; checked before each execution of a cached plan. */
        PlanDependencies dependencies = PlanDependencies.NONE;
        /** The result columns described to the client at Parse (null: no rows); a re-plan must not change them. */
        List<ResultColumn> described;

        Handle(Parsed parsed, DataType[] paramTypes, boolean planAtExecute) {
            this.parsed = parsed;
            this.paramTypes = paramTypes;
            this.planAtExecute = planAtExecute;
        }

        Statement statement() {
            return parsed.statement();
        }
    }

    private final Engine engine;
    private final String user;
    private final Role role;
    private final SessionParameters parameters;
    private final ExprCompiler.SessionInfo info;
    private final List<RowCursor> openCursors = new ArrayList<>();
    private State state = State.IDLE;
    private boolean implicitFailed;
    private WriteTransaction write;
    /** Copies of the rows {@link #write} holds, so that the transaction reads its own writes. */
    private final InsertPlan.OwnRows ownRows = new InsertPlan.OwnRows();
    private boolean closed;
    /** Stops the running statement on a CancelRequest or after statement_timeout (57014). */
    private final StatementGuard guard = new StatementGuard();

    ExecSession(Engine engine, String user, Role role, Map<String, String> startupOptions) {
        this.engine = engine;
        this.user = user;
        this.role = role;
        this.parameters = new SessionParameters(user, role, startupOptions);
        String database = startupOptions == null ? null : startupOptions.get("database");
        this.info = new ExprCompiler.SessionInfo(user, database == null || database.isEmpty() ? "stillpoint" : database);
    }

    // =============================================================================================================
    // prepare
    // =============================================================================================================

    @Override
    public List<Prepared> prepareAll(String sql) {
        List<Parsed> statements;
        try {
            statements = SqlParser.parseScript(sql);
        } catch (Throwable e) {
            throw Errors.wrap(e);
        }
        List<Prepared> out = new ArrayList<>(statements.size());
        for (Parsed p : statements) {
            Handle h = new Handle(p, NO_TYPES, true);
            List<ResultColumn> columns;
            try {
                // Columns as of now; execution plans again, so a table created earlier in the text is seen,
                // and reports any error of this statement in its turn.
                columns = columnsOf(plan(h, NO_TYPES.clone()));
            } catch (Throwable e) {
                columns = null;
            }
            out.add(new Prepared(p.text(), List.of(), columns, h));
        }
        if (!out.isEmpty()) {
            ((Handle) out.get(out.size() - 1).statement()).lastOfQuery = true;
        }
        return out;
    }

    /** An INSERT ... VALUES: appends its rows and answers with a command tag. */
    @Override
    public boolean returnsOnlyACommandTag(Prepared statement) {
        return statement.statement() instanceof Handle h && h.statement() instanceof Statement.Insert;
    }

    @Override
    public Prepared prepare(String sql, List<DataType> declaredTypes) {
        try {
            Parsed p = SqlParser.parse(sql);
            int declared = declaredTypes == null ? 0 : declaredTypes.size();
            DataType[] types = new DataType[Math.max(p.parameterCount(), declared)];
            for (int i = 0; i < declared; i++) {
                DataType t = declaredTypes.get(i);
                types[i] = t == DataType.UNKNOWN ? null : t;
            }
            Handle h = new Handle(p, types, false);
            PlanDependencies.Recorder recorder = PlanDependencies.recorder(engine);
            Object plan = plan(h, types, recorder);
            h.dependencies = recorder.finish();
            for (int i = 0; i < types.length; i++) {
                if (types[i] == null) {
                    types[i] = DataType.UNKNOWN;
                }
            }
            h.plan = plan;
            h.described = columnsOf(plan);
            return new Prepared(p.text(), List.of(types), h.described, h);
        } catch (Throwable e) {
            throw Errors.wrap(e);
        }
    }

    /** Compiles what needs compiling; other statements are their own plan. May fill {@code types}. */
    private Object plan(Handle h, DataType[] types) {
        return plan(h, types, engine);
    }

    /** {@link #plan(Handle, DataType[])} against {@code engine} (the session's, or a recording view of it). */
    private static Object plan(Handle h, DataType[] types, Engine engine, ExprCompiler.SessionInfo info,
                               Catalog.SessionView catalogView) {
        Statement st = h.statement();
        ExprCompiler compiler = new ExprCompiler(types, info);
        if (RowQuery.handles(st)) {
            return RowQuery.plan(st, engine, info, types, catalogView);
        }
        if (st instanceof Statement.Select s) {
            return SelectPlan.plan(s, engine, compiler);
        }
        if (st instanceof Statement.Insert i) {
            return InsertPlan.plan(i, engine, compiler);
        }
        if (st instanceof Statement.Update u) {
            return RewritePlan.update(u, engine, compiler);
        }
        if (st instanceof Statement.Delete d) {
            return RewritePlan.delete(d, engine, compiler);
        }
        return st;
    }

    private Object plan(Handle h, DataType[] types, Engine planningEngine) {
        return plan(h, types, planningEngine, info, catalogView());
    }

    /** What the catalog tables show of this session: user, database and settings (for pg_settings). */
    private Catalog.SessionView catalogView() {
        return new Catalog.SessionView(user, info.database(), parameters::all);
    }

    private List<ResultColumn> columnsOf(Object plan) {
        if (plan instanceof SelectPlan s) {
            return s.columns;
        }
        if (plan instanceof RowQuery q) {
            return q.columns;
        }
        if (plan instanceof Statement.Show show) {
            if (show.name().equalsIgnoreCase("all")) {
                return SHOW_ALL_COLUMNS;
            }
            return List.of(new ResultColumn(parameters.canonicalName(show.name()), DataType.TEXT));
        }
        if (plan instanceof Statement.ShowTables) {
            return SHOW_TABLES_COLUMNS;
        }
        return null;
    }

    // =============================================================================================================
    // execute
    // =============================================================================================================

    @Override
    public Result execute(Prepared prepared, Object[] params) {
        if (closed) {
            throw new SqlError("08003", "session is closed");
        }
        Handle h = (Handle) prepared.statement();
        Statement st = h.statement();
        try {
            if (st instanceof Statement.Empty) {
                return EMPTY;
            }
            if (st instanceof Statement.Commit) {
                return commitBlock();
            }
            if (st instanceof Statement.Rollback) {
                return rollbackBlock();
            }
            if (state == State.BLOCK_FAILED) {
                throw new SqlError("25P02", "current transaction is aborted, commands ignored until end of transaction block");
            }
            if (st instanceof Statement.Begin) {
                return begin();
            }
            if (state == State.IDLE) {
                state = State.IMPLICIT;
                implicitFailed = false;
            }
            guard.start(parameters.statementTimeoutMillis());
            Object[] values = params == null ? NO_PARAMS : params;
            if (values.length < h.paramTypes.length) {
                throw new SqlError("08P01", "bind message supplies " + values.length + " parameters, but prepared statement requires "
                        + h.paramTypes.length);
            }
            if (st instanceof Statement.Insert) {
                requireWrite("INSERT");
                InsertPlan plan = (InsertPlan) currentPlan(h);
                Ev.Ctx ctx = plan.needsContext() ? new Ev.Ctx(values, nowMicros()) : null;
                return plan.execute(writeTransaction(), values, ctx, ownRows);
            }
            if (st instanceof Statement.Select || st instanceof Statement.Union) {
                Object planned = currentPlan(h);
                if (planned instanceof RowQuery rowQuery) {
                    Ev.Ctx ctx = new Ev.Ctx(values, nowMicros());
                    ctx.guard = guard;
                    return track(rowQuery.execute(engine, ctx, ownRows));
                }
                SelectPlan plan = (SelectPlan) planned;
                Ev.Ctx ctx = new Ev.Ctx(values, nowMicros());
                ctx.guard = guard;
                try {
                    return track(plan.execute(engine, ctx, ownRows));
                } catch (SqlError e) {
                    // An ALTER that committed between the dependency check and the snapshot: plan again, once.
                    if (h.planAtExecute || !SelectPlan.isDefinitionChanged(e)) {
                        throw e;
                    }
                    Object again = replan(h);
                    if (again instanceof RowQuery rowQuery) {
                        return track(rowQuery.execute(engine, ctx, ownRows));
                    }
                    return track(((SelectPlan) again).execute(engine, ctx, ownRows));
                }
            }
            if (st instanceof Statement.CopyFrom c) {
                requireWrite("COPY");
                return copyFrom(c, h.lastOfQuery);
            }
            if (st instanceof Statement.CopyTo c && c.query() != null && RowQuery.handles(c.query())) {
                RowQuery query = RowQuery.plan(c.query(), engine, info, NO_TYPES.clone(), catalogView());
                Result.Rows rows = (Result.Rows) track(query.execute(engine, new Ev.Ctx(values, nowMicros()), ownRows));
                return new Result.CopyOut(rows.columns(), rows.cursor(), c.options());
            }
            if (st instanceof Statement.CopyTo c) {
                SelectPlan plan = SelectPlan.plan(copyQuery(c), engine, new ExprCompiler(NO_TYPES.clone(), info));
                Result r = track(plan.execute(engine, new Ev.Ctx(values, nowMicros()), ownRows));
                Result.Rows rows = (Result.Rows) r;
                return new Result.CopyOut(rows.columns(), rows.cursor(), c.options());
            }
            if (st instanceof Statement.Update || st instanceof Statement.Delete || st instanceof Statement.Truncate
                    || st instanceof Statement.DropPartitions || st instanceof Statement.DropPartitionsWhere) {
                return rewrite(h, st, values);
            }
            if (st instanceof Statement.CreateTable c) {
                requireWrite("CREATE TABLE");
                return createTable(c);
            }
            if (st instanceof Statement.DropTable d) {
                requireWrite("DROP TABLE");
                return dropTable(d);
            }
            if (st instanceof Statement.RenameTable || st instanceof Statement.AddColumn
                    || st instanceof Statement.DropColumn || st instanceof Statement.SetTtl) {
                requireWrite("ALTER TABLE");
                return alterTable(st);
            }
            if (st instanceof Statement.CheckpointCreate c) {
                // Not part of the transaction: global to the engine, and ROLLBACK does not undo it.
                requireWrite("CHECKPOINT CREATE");
                engine.checkpoints().create(c.lease());
                return CHECKPOINT;
            }
            if (st instanceof Statement.CheckpointRelease) {
                requireWrite("CHECKPOINT RELEASE");
                engine.checkpoints().release();
                return CHECKPOINT;
            }
            if (st instanceof Statement.SetVariable s) {
                parameters.set(s.name(), s.value());
                return SET;
            }
            if (st instanceof Statement.Show s) {
                return show(s);
            }
            if (st instanceof Statement.ShowTables) {
                List<Object[]> rows = new ArrayList<>();
                for (TableInfo t : engine.tables()) {
                    rows.add(new Object[] {t.name()});
                }
                return new Result.Rows(SHOW_TABLES_COLUMNS, new SelectPlan.ListCursor(rows, 1, 0, -1), "SELECT");
            }
            throw new SqlError("0A000", "statement is not supported [statement=" + st.getClass().getSimpleName() + "]");
        } catch (Throwable t) {
            SqlError e = Errors.wrap(t);
            markFailed();
            throw e;
        }
    }

    /**
     * UPDATE, DELETE, TRUNCATE and DROP PARTITION: one copy-on-write commit of their own, made at once (see
     * ARCHITECTURE.md, "One table per transaction"). They cannot follow rows the transaction has buffered and not
     * committed: a rewrite reads the committed state under the table's commit lock, so it could not see those rows,
     * and committing them first would break the transaction's atomicity.
     */
    private Result rewrite(Handle h, Statement st, Object[] values) {
        String action = st instanceof Statement.Update ? "UPDATE" : st instanceof Statement.Delete ? "DELETE"
                : st instanceof Statement.Truncate ? "TRUNCATE" : "ALTER TABLE";
        requireWrite(action);
        RewritePlan plan;
        if (st instanceof Statement.Truncate t) {
            plan = RewritePlan.truncate(t, engine);
        } else if (st instanceof Statement.DropPartitions d) {
            plan = RewritePlan.dropPartitions(d, engine);
        } else if (st instanceof Statement.DropPartitionsWhere d) {
            plan = RewritePlan.dropPartitionsWhere(d, engine, new ExprCompiler(NO_TYPES.clone(), info));
        } else {
            plan = (RewritePlan) currentPlan(h);
        }
        if (write != null && write.pendingRows() > 0) {
            throw new SqlError("0A000", "statement commits on its own and cannot follow uncommitted inserts in the "
                    + "same transaction, commit them first [statement=" + action + ", pendingRows="
                    + write.pendingRows() + "]");
        }
        Ev.Ctx ctx = new Ev.Ctx(values, nowMicros());
        ctx.guard = guard;
        return plan.execute(writeTransaction(), engine, ctx);
    }

    /**
     * The plan to run: a simple Query's statement is planned now; a prepared statement's cached plan is used as long
     * as the tables it was made from are unchanged (an identity check per table), and made again from the parsed
     * statement otherwise, as PostgreSQL does. A re-plan that would change the result columns already described to
     * the client is refused with PostgreSQL's 0A000 and routine {@code RevalidateCachedQuery} (the cached plan stays,
     * so the statement keeps failing until it is prepared again, which pgjdbc does at once when it sees that
     * routine); a table that is gone is the planner's 42P01.
     */
    private Object currentPlan(Handle h) {
        if (h.planAtExecute || h.plan == null) {
            return plan(h, h.paramTypes.clone());
        }
        if (!h.dependencies.current(engine)) {
            return replan(h);
        }
        return h.plan;
    }

    /** Plans a prepared statement again and caches the plan, unless its result columns would change (0A000). */
    private Object replan(Handle h) {
        String changed = h.dependencies.changedTable(engine);
        PlanDependencies.Recorder recorder = PlanDependencies.recorder(engine);
        Object plan = plan(h, h.paramTypes.clone(), recorder);
        List<ResultColumn> columns = columnsOf(plan);
        if (!java.util.Objects.equals(columns, h.described)) {
            throw SqlError.withRoutine("0A000", "cached plan must not change result type [table="
                    + (changed == null ? tableOf(plan) : changed) + ", columns=" + columnList(h.described)
                    + ", now=" + columnList(columns) + "]", SqlError.ROUTINE_REVALIDATE_CACHED_QUERY);
        }
        h.dependencies = recorder.finish();
        h.plan = plan;
        return plan;
    }

    private static String tableOf(Object plan) {
        return plan instanceof SelectPlan s ? s.table : null;
    }

    private static String columnList(List<ResultColumn> columns) {
        if (columns == null) {
            return "none";
        }
        StringBuilder text = new StringBuilder();
        for (ResultColumn c : columns) {
            text.append(text.length() == 0 ? "" : " ").append(c.name());
        }
        return text.toString();
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * Values.MICROS_PER_SECOND + now.getNano() / 1000;
    }

    private void requireWrite(String action) {
        if (role == Role.READ_ONLY) {
            throw new SqlError("42501", "permission denied [user=" + user + ", action=" + action + "]");
        }
    }

    private WriteTransaction writeTransaction() {
        if (write == null) {
            write = engine.beginWrite();
        }
        return write;
    }

    private Result track(Result r) {
        if (r instanceof Result.Rows rows) {
            TrackedCursor c = new TrackedCursor(rows.cursor());
            openCursors.add(c);
            return new Result.Rows(rows.columns(), c, rows.tagVerb());
        }
        return r;
    }

    /** Removes itself from the session's open cursors on close, so the session can close what the wire layer left. */
    private final class TrackedCursor implements RowCursor {
        private final RowCursor inner;
        private boolean closed;

        TrackedCursor(RowCursor inner) {
            this.inner = inner;
        }

        @Override
        public Object[] next() {
            try {
                return inner.next();
            } catch (Throwable t) {
                close();
                throw Errors.wrap(t);
            }
        }

        @Override
        public RowBatch nextBatch() {
            try {
                return inner.nextBatch();
            } catch (Throwable t) {
                close();
                throw Errors.wrap(t);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                for (int i = openCursors.size() - 1; i >= 0; i--) {
                    if (openCursors.get(i) == this) {
                        openCursors.remove(i);
                        break;
                    }
                }
                inner.close();
            }
        }
    }

    // ---- transaction control ----------------------------------------------------------------------------------

    private Result begin() {
        // BEGIN inside a block is a no-op (PostgreSQL warns); inside an implicit transaction it opens the block
        // around what the implicit transaction has done so far.
        state = State.BLOCK;
        implicitFailed = false;
        return BEGIN;
    }

    private Result commitBlock() {
        switch (state) {
            case BLOCK: {
                state = State.IDLE;
                commitWrites();
                return COMMIT;
            }
            case BLOCK_FAILED:
                state = State.IDLE;
                rollbackWrites();
                return ROLLBACK;
            default:
                // No block (PostgreSQL warns "there is no transaction in progress"); the implicit transaction
                // is ended by the wire layer as usual.
                return COMMIT;
        }
    }

    private Result rollbackBlock() {
        if (state == State.BLOCK || state == State.BLOCK_FAILED) {
            state = State.IDLE;
            rollbackWrites();
        }
        return ROLLBACK;
    }

    private void commitWrites() {
        WriteTransaction w = write;
        write = null;
        ownRows.clear();
        if (w == null) {
            return;
        }
        try {
            w.commit();
        } catch (RuntimeException e) {
            try {
                w.close();
            } catch (RuntimeException ignored) {
                // the commit's failure is the one to report
            }
            throw Errors.wrap(e);
        }
    }

    private void rollbackWrites() {
        WriteTransaction w = write;
        write = null;
        ownRows.clear();
        if (w != null) {
            w.rollback();
        }
    }

    @Override
    public void endImplicitTransaction(boolean failed) {
        if (state == State.BLOCK || state == State.BLOCK_FAILED) {
            return;
        }
        boolean rollback = failed || implicitFailed;
        state = State.IDLE;
        implicitFailed = false;
        try {
            if (rollback) {
                rollbackWrites();
            } else {
                commitWrites();
            }
        } catch (Throwable e) {
            throw Errors.wrap(e);
        }
    }

    @Override
    public void markFailed() {
        switch (state) {
            case BLOCK -> state = State.BLOCK_FAILED;
            case IMPLICIT -> implicitFailed = true;
            default -> { }
        }
    }

    @Override
    public TransactionStatus transactionStatus() {
        return switch (state) {
            case BLOCK -> TransactionStatus.IN_TRANSACTION;
            case BLOCK_FAILED -> TransactionStatus.FAILED;
            default -> TransactionStatus.IDLE;
        };
    }

    // ---- COPY -----------------------------------------------------------------------------------------------------

    /** Resolves the table and the column list; the rows then arrive through the returned sink. */
    private Result copyFrom(Statement.CopyFrom c, boolean lastOfQuery) {
        TableSchema schema;
        try {
            schema = engine.schema(c.table());
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.TABLE_NOT_FOUND) {
                throw Errors.undefinedTable(c.table(), c.position());
            }
            throw Errors.fromStorage(e, c.position());
        }
        int[] target;
        if (c.columns().isEmpty()) {
            target = new int[schema.columnCount()];
            for (int i = 0; i < target.length; i++) {
                target[i] = i;
            }
        } else {
            target = new int[c.columns().size()];
            boolean[] seen = new boolean[schema.columnCount()];
            for (int i = 0; i < target.length; i++) {
                String name = c.columns().get(i);
                int idx = schema.columnIndex(name);
                if (idx < 0) {
                    throw new SqlError("42703", "column does not exist [column=" + name + ", table=" + c.table() + "]",
                            c.position());
                }
                if (seen[idx]) {
                    throw new SqlError("42701", "column specified more than once [column=" + name + "]", c.position());
                }
                seen[idx] = true;
                target[i] = idx;
            }
        }
        // The session keeps copies of the rows so the transaction reads its own writes; copying costs more than
        // loading. When the COPY is the last statement of a simple Query outside a block, the implicit transaction
        // ends right after it and nothing can read them, so no copies are made: the common bulk load path.
        InsertPlan.OwnRows own = state == State.IMPLICIT && lastOfQuery ? null : ownRows;
        CopyLoader loader = new CopyLoader(c.table(), schema, target, c.options(), writeTransaction(), own);
        return new Result.CopyIn(loader, target.length);
    }

    /** {@code COPY t [(cols)] TO STDOUT} is {@code SELECT cols FROM t}; {@code COPY (query) TO STDOUT} the query. */
    private static Statement.Select copyQuery(Statement.CopyTo c) {
        if (c.query() != null) {
            return c.query();
        }
        List<Statement.SelectItem> items = new ArrayList<>();
        if (c.columns().isEmpty()) {
            items.add(new Statement.SelectItem.Star(c.position()));
        } else {
            for (String column : c.columns()) {
                items.add(new Statement.SelectItem.Item(new io.stillpoint.sql.ast.Expr.ColumnRef(null, column,
                        c.position()), null));
            }
        }
        return new Statement.Select(items, new Statement.FromSource.Table(c.table(), null, c.position()), null,
                List.of(), null, List.of(), null, null);
    }

    // ---- DDL ------------------------------------------------------------------------------------------------------

    private Result createTable(Statement.CreateTable c) {
        List<ColumnSpec> columns = new ArrayList<>();
        for (Statement.ColumnDef d : c.columns()) {
            for (ColumnSpec existing : columns) {
                if (existing.name().equals(d.name())) {
                    throw new SqlError("42701", "column specified more than once [column=" + d.name() + "]", d.position());
                }
            }
            columns.add(new ColumnSpec(d.name(), columnType(d.type())));
        }
        int ts = -1;
        if (c.timestampColumn() != null) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(c.timestampColumn())) {
                    ts = i;
                }
            }
            if (ts < 0) {
                throw new SqlError("42703", "designated timestamp column does not exist [column=" + c.timestampColumn() + "]",
                        c.position());
            }
            if (columns.get(ts).type() != ColumnType.TIMESTAMP) {
                throw new SqlError("42804", "designated timestamp column must be of type timestamp [column="
                        + c.timestampColumn() + ", type=" + Values.typeName(columns.get(ts).type()) + "]", c.columns().get(ts).position());
            }
        }
        PartitionBy partitionBy = switch (c.partitionBy() == null ? io.stillpoint.sql.ast.PartitionUnit.NONE : c.partitionBy()) {
            case NONE -> PartitionBy.NONE;
            case HOUR -> PartitionBy.HOUR;
            case DAY -> PartitionBy.DAY;
            case MONTH -> PartitionBy.MONTH;
            case YEAR -> PartitionBy.YEAR;
        };
        if (partitionBy != PartitionBy.NONE && ts < 0) {
            throw new SqlError("42P16", "partitioning needs a designated timestamp [table=" + c.table()
                    + ", partition_by=" + partitionBy + "]", c.position());
        }
        Ttl ttl = ttl(c.ttl());
        if (ttl != null && partitionBy == PartitionBy.NONE) {
            throw ttlNeedsPartitions(c.table(), c.position());
        }
        try {
            engine.createTable(new TableSchema(c.table(), columns, ts, partitionBy, ttl), c.ifNotExists());
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.TABLE_EXISTS) {
                throw new SqlError("42P07", "table already exists [table=" + c.table() + "]", c.position(), e);
            }
            throw Errors.fromStorage(e, c.position());
        }
        return CREATE_TABLE;
    }

    /** The storage's TTL for the parsed one (null: none). */
    static Ttl ttl(Statement.TimeToLive t) {
        if (t == null) {
            return null;
        }
        Ttl.Unit unit = switch (t.unit()) {
            case HOURS -> Ttl.Unit.HOURS;
            case DAYS -> Ttl.Unit.DAYS;
            case WEEKS -> Ttl.Unit.WEEKS;
            case MONTHS -> Ttl.Unit.MONTHS;
            case YEARS -> Ttl.Unit.YEARS;
        };
        try {
            return new Ttl(t.amount(), unit);
        } catch (IllegalArgumentException e) {
            throw new SqlError("22023", e.getMessage());
        }
    }

    private static SqlError ttlNeedsPartitions(String table, int position) {
        return new SqlError("42P16", "ttl needs a partitioned table [table=" + table + "]", position);
    }

    static ColumnType columnType(io.stillpoint.sql.ast.SqlType t) {
        return switch (t) {
            case BOOLEAN -> ColumnType.BOOLEAN;
            case INT -> ColumnType.INT;
            case LONG -> ColumnType.LONG;
            case DOUBLE -> ColumnType.DOUBLE;
            case VARCHAR -> ColumnType.VARCHAR;
            case TIMESTAMP -> ColumnType.TIMESTAMP;
            // Intervals are values of expressions only: storage has no interval columns.
            case INTERVAL -> throw new SqlError("0A000", "column type is not supported [type=interval]");
        };
    }

    /**
     * ALTER TABLE RENAME TO / ADD COLUMN / DROP COLUMN / SET TTL: DDL, run at once and durable on its own like CREATE and DROP
     * TABLE (not undone by a later ROLLBACK). Refused after uncommitted inserts in the transaction (0A000): those rows
     * were buffered for the table's old name or columns.
     */
    private Result alterTable(Statement st) {
        if (write != null && write.pendingRows() > 0) {
            throw new SqlError("0A000", "statement commits on its own and cannot follow uncommitted inserts in the "
                    + "same transaction, commit them first [statement=ALTER TABLE, pendingRows="
                    + write.pendingRows() + "]");
        }
        String table;
        int position;
        if (st instanceof Statement.RenameTable r) {
            table = r.table();
            position = r.position();
        } else if (st instanceof Statement.AddColumn a) {
            table = a.table();
            position = a.position();
        } else if (st instanceof Statement.SetTtl t) {
            table = t.table();
            position = t.position();
        } else {
            table = ((Statement.DropColumn) st).table();
            position = ((Statement.DropColumn) st).position();
        }
        try {
            if (!engine.tableExists(table)) {
                throw new SqlError("42P01", "table does not exist [table=" + table + "]", position);
            }
            if (st instanceof Statement.RenameTable r) {
                if (engine.tableExists(r.newName())) {
                    throw new SqlError("42P07", "table already exists [table=" + r.newName() + "]", position);
                }
                engine.renameTable(table, r.newName());
            } else if (st instanceof Statement.AddColumn a) {
                if (engine.schema(table).columnIndex(a.column().name()) >= 0) {
                    throw new SqlError("42701", "column already exists [table=" + table + ", column="
                            + a.column().name() + "]", a.column().position());
                }
                engine.addColumn(table, new ColumnSpec(a.column().name(), columnType(a.column().type())));
            } else if (st instanceof Statement.SetTtl t) {
                Ttl ttl = ttl(t.ttl());
                if (ttl != null && engine.schema(table).partitionBy() == PartitionBy.NONE) {
                    throw ttlNeedsPartitions(table, position);
                }
                engine.setTtl(table, ttl);
            } else {
                Statement.DropColumn d = (Statement.DropColumn) st;
                io.stillpoint.storage.TableSchema schema = engine.schema(table);
                int index = schema.columnIndex(d.column());
                if (index < 0) {
                    throw new SqlError("42703", "column does not exist [table=" + table + ", column=" + d.column()
                            + "]", d.position());
                }
                if (index == schema.timestampIndex()) {
                    throw new SqlError("0A000", "cannot drop the designated timestamp column [table=" + table
                            + ", column=" + d.column() + "]", d.position());
                }
                if (schema.columnCount() == 1) {
                    throw new SqlError("0A000", "cannot drop the only column of a table [table=" + table
                            + ", column=" + d.column() + "]", d.position());
                }
                engine.dropColumn(table, d.column());
            }
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.TABLE_NOT_FOUND) {
                throw new SqlError("42P01", "table does not exist [table=" + table + "]", position, e);
            }
            throw Errors.fromStorage(e, position);
        }
        return ALTER_TABLE;
    }

    private Result dropTable(Statement.DropTable d) {
        try {
            engine.dropTable(d.table(), d.ifExists());
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.TABLE_NOT_FOUND) {
                throw new SqlError("42P01", "table does not exist [table=" + d.table() + "]", d.position(), e);
            }
            throw Errors.fromStorage(e, d.position());
        }
        return DROP_TABLE;
    }

    // ---- SHOW -----------------------------------------------------------------------------------------------------

    private Result show(Statement.Show s) {
        if (s.name().equalsIgnoreCase("all")) {
            return new Result.Rows(SHOW_ALL_COLUMNS, new SelectPlan.ListCursor(parameters.all(), 3, 0, -1), "SHOW");
        }
        String value = parameter(s.name());
        if (value == null) {
            throw new SqlError("42704", "unrecognized configuration parameter [name=" + s.name() + "]");
        }
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {value});
        return new Result.Rows(List.of(new ResultColumn(parameters.canonicalName(s.name()), DataType.TEXT)),
                new SelectPlan.ListCursor(rows, 1, 0, -1), "SHOW");
    }

    @Override
    public String parameter(String name) {
        String key = name;
        if (name.equalsIgnoreCase("time zone") || name.equalsIgnoreCase("time_zone")) {
            key = "timezone";
        }
        return parameters.get(key);
    }

    @Override
    public Map<String, String> initialParameterStatus() {
        return parameters.initialReport();
    }

    @Override
    public void cancel() {
        guard.cancel();
    }

    @Override
    public void clearCancel() {
        guard.clearCancel();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (RowCursor c : Arrays.asList(openCursors.toArray(new RowCursor[0]))) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // closing the rest matters more
            }
        }
        openCursors.clear();
        try {
            rollbackWrites();
        } catch (RuntimeException ignored) {
            // the connection is going away; the storage discards an unfinished transaction anyway
        } finally {
            state = State.IDLE;
        }
    }
}
