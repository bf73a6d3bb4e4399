package io.stillpoint.sql;

import io.stillpoint.sql.ast.CopyOptions;
import io.stillpoint.sql.ast.SqlType;
import io.stillpoint.sql.ast.Statement;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The hand-written part of the parser: statements that JSqlParser does not know or gets wrong for PostgreSQL
 * (transaction control, SET/SHOW with PostgreSQL's forms, DROP TABLE, COPY). Works on the {@link Tokenizer}'s tokens of
 * one statement, so every position is exact.
 */
final class FrontParser {

    private static final Set<String> LEADING_WORDS = Set.of(
            "begin", "start", "commit", "end", "rollback", "abort", "set", "show", "drop", "reset", "checkpoint",
            "snapshot", "alter", "copy", "truncate");

    private final String sql;
    private final List<Token> tokens;
    private int index;

    FrontParser(String sql, List<Token> tokens) {
        this.sql = sql;
        this.tokens = tokens;
    }

    static boolean handles(List<Token> tokens) {
        Token first = tokens.get(0);
        if (first.isKeyword("alter")) {
            // ALTER TABLE is ours (RENAME TO, ADD/DROP COLUMN, DROP PARTITION); other ALTERs are unsupported
            // statements, reported by JSqlBridge
            if (tokens.size() > 1 && tokens.get(1).isKeyword("table")) {
                return true;
            }
            for (int i = 1; i + 1 < tokens.size(); i++) {
                if (tokens.get(i).isKeyword("drop") && tokens.get(i + 1).isKeyword("partition")) {
                    return true;
                }
            }
            return false;
        }
        return first.kind() == Token.Kind.IDENT && LEADING_WORDS.contains(first.text());
    }

    Statement parse() {
        Token first = next();
        Statement statement = switch (first.text()) {
            case "begin" -> {
                acceptAny("work", "transaction");
                yield transactionModes(new Statement.Begin());
            }
            case "start" -> {
                expectKeyword("transaction");
                yield transactionModes(new Statement.Begin());
            }
            case "commit", "end" -> {
                acceptAny("work", "transaction");
                yield noChain(new Statement.Commit());
            }
            case "rollback", "abort" -> {
                acceptAny("work", "transaction");
                if (peekKeyword("to") || peekKeyword("prepared")) {
                    throw notSupported(first, "ROLLBACK " + peek().text().toUpperCase(Locale.ROOT));
                }
                yield noChain(new Statement.Rollback());
            }
            case "set" -> set();
            case "show" -> show();
            case "drop" -> drop(first);
            case "reset" -> {
                if (peekKeyword("all")) {
                    throw notSupported(first, "RESET ALL");
                }
                yield new Statement.SetVariable(dottedName(), null);
            }
            case "checkpoint", "snapshot" -> checkpoint(first);
            case "alter" -> alterTable();
            case "copy" -> copy();
            case "truncate" -> truncate();
            default -> throw SqlParser.syntaxErrorAt(sql, first);
        };
        expectEnd();
        return statement;
    }

    // ---- transaction control ----

    private Statement transactionModes(Statement statement) {
        if (!atEnd()) {
            Token mode = peek();
            if (mode.kind() == Token.Kind.IDENT && Set.of("isolation", "read", "not", "deferrable").contains(mode.text())) {
                throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                        "transaction modes are not supported [mode=" + restText() + "]", mode.position());
            }
        }
        return statement;
    }

    private Statement noChain(Statement statement) {
        if (peekKeyword("and")) {
            Token and = next();
            if (acceptKeyword("no")) {
                expectKeyword("chain");
            } else {
                expectKeyword("chain");
                throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                        "and chain is not supported", and.position());
            }
        }
        return statement;
    }

    // ---- SET ----

    private Statement set() {
        acceptAny("session", "local");
        if (peekKeyword("characteristics") && tokens.get(index - 1).isKeyword("session")) {
            next();
            expectKeyword("as");
            expectKeyword("transaction");
            return new Statement.SetVariable("session_characteristics", modesText());
        }
        if (peekKeyword("transaction") && index + 1 < tokens.size() && tokens.get(index + 1).kind() == Token.Kind.IDENT
                && !tokens.get(index + 1).isKeyword("to")) {
            next();
            return new Statement.SetVariable("transaction", modesText());
        }
        if (peekKeyword("time") && index + 1 < tokens.size() && tokens.get(index + 1).isKeyword("zone")) {
            next();
            next();
            if (acceptKeyword("local") || acceptKeyword("default")) {
                return new Statement.SetVariable("timezone", null);
            }
            return new Statement.SetVariable("timezone", value());
        }
        String name = dottedName();
        if (!acceptKeyword("to") && !acceptSymbol("=")) {
            throw atEnd() ? SqlParser.syntaxErrorAtEnd(endPosition()) : SqlParser.syntaxErrorAt(sql, peek());
        }
        if (acceptKeyword("default")) {
            return new Statement.SetVariable(name, null);
        }
        StringBuilder value = new StringBuilder(value());
        while (acceptSymbol(",")) {
            value.append(", ").append(value());
        }
        return new Statement.SetVariable(name, value.toString());
    }

    /** One SET value: a string, a (signed) number, or a word; the text without quotes. */
    private String value() {
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        Token token = next();
        switch (token.kind()) {
            case STRING, IDENT, QUOTED_IDENT, NUMBER:
                return token.text();
            case SYMBOL:
                if ((token.isSymbol("-") || token.isSymbol("+")) && !atEnd() && peek().kind() == Token.Kind.NUMBER) {
                    Token number = next();
                    return token.isSymbol("-") ? "-" + number.text() : number.text();
                }
                throw SqlParser.syntaxErrorAt(sql, token);
            default:
                throw SqlParser.syntaxErrorAt(sql, token);
        }
    }

    /** The transaction modes after {@code SET SESSION CHARACTERISTICS AS TRANSACTION}: upper case, single spaces. */
    private String modesText() {
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        StringBuilder text = new StringBuilder();
        while (!atEnd()) {
            Token token = next();
            if (token.kind() != Token.Kind.IDENT && !token.isSymbol(",")) {
                throw SqlParser.syntaxErrorAt(sql, token);
            }
            if (text.length() > 0 && !token.isSymbol(",")) {
                text.append(' ');
            }
            text.append(token.text().toUpperCase(Locale.ROOT));
        }
        return text.toString();
    }

    // ---- SHOW ----

    private Statement show() {
        if (acceptKeyword("tables")) {
            return new Statement.ShowTables();
        }
        if (acceptKeyword("transaction")) {
            expectKeyword("isolation");
            expectKeyword("level");
            return new Statement.Show("transaction_isolation");
        }
        if (peekKeyword("time") && index + 1 < tokens.size() && tokens.get(index + 1).isKeyword("zone")) {
            next();
            next();
            return new Statement.Show("timezone");
        }
        if (acceptKeyword("session")) {
            expectKeyword("authorization");
            return new Statement.Show("session_authorization");
        }
        return new Statement.Show(dottedName());
    }

    // ---- DROP TABLE ----

    private Statement drop(Token first) {
        if (!peekKeyword("table")) {
            if (atEnd()) {
                throw SqlParser.syntaxErrorAtEnd(endPosition());
            }
            throw notSupported(first, "DROP " + peek().text().toUpperCase(Locale.ROOT));
        }
        next();
        boolean ifExists = false;
        if (peekKeyword("if") && index + 1 < tokens.size() && tokens.get(index + 1).isKeyword("exists")) {
            next();
            next();
            ifExists = true;
        }
        Token nameToken = atEnd() ? null : peek();
        String name = tableName();
        if (peek() != null && peek().isSymbol(",")) {
            throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                    "dropping several tables in one statement is not supported", peek().position());
        }
        acceptAny("cascade", "restrict");
        return new Statement.DropTable(name, ifExists, nameToken.position());
    }

    // ---- dialect extensions ----

    /**
     * {@code CHECKPOINT CREATE [LEASE [INTERVAL] '<interval>']}, {@code CHECKPOINT RELEASE}, and QuestDB's legacy
     * {@code SNAPSHOT PREPARE} / {@code SNAPSHOT COMPLETE}. Unlike QuestDB, junk after the statement is an error
     * rather than ignored: a backup script with a typo must not take a checkpoint it did not ask for.
     */
    private Statement checkpoint(Token first) {
        boolean legacy = first.isKeyword("snapshot");
        String create = legacy ? "prepare" : "create";
        String release = legacy ? "complete" : "release";
        if (acceptKeyword(release)) {
            endOfCheckpoint(false);
            return new Statement.CheckpointRelease();
        }
        if (!acceptKeyword(create)) {
            String expected = "'" + create + "' or '" + release + "' expected";
            throw atEnd() ? checkpointSyntax(expected, null, endPosition())
                    : checkpointSyntax(expected, peek(), peek().position());
        }
        if (legacy || !acceptKeyword("lease")) {
            endOfCheckpoint(!legacy);
            return new Statement.CheckpointCreate(null);
        }
        acceptKeyword("interval");
        if (atEnd()) {
            throw checkpointSyntax("interval string expected, e.g. '30 minutes'", null, endPosition());
        }
        Token value = next();
        if (value.kind() != Token.Kind.STRING) {
            throw checkpointSyntax("interval string expected, e.g. '30 minutes'", value, value.position());
        }
        java.time.Duration lease;
        try {
            lease = IntervalText.parse(value.text());
        } catch (IntervalText.OutOfRange e) {
            throw new SqlParseException("22023", "checkpoint " + e.getMessage().replace("interval out of range",
                    "lease out of range"), value.position());
        } catch (IllegalArgumentException e) {
            throw new SqlParseException("22007", e.getMessage(), value.position());
        }
        if (lease.isNegative() || lease.isZero()) {
            throw new SqlParseException("22023", "checkpoint lease must be positive [lease=" + value.text() + "]",
                    value.position());
        }
        endOfCheckpoint(false);
        return new Statement.CheckpointCreate(lease);
    }

    private void endOfCheckpoint(boolean leaseAllowed) {
        if (!atEnd()) {
            throw checkpointSyntax(leaseAllowed ? "'lease' or end of statement expected" : "end of statement expected",
                    peek(), peek().position());
        }
    }

    /** QuestDB's wording ({@code 'create' or 'release' expected}) in this project's style, with the position. */
    private SqlParseException checkpointSyntax(String expected, Token found, int position) {
        String near = found == null ? "" : "found=" + sql.substring(found.start(), Math.min(found.end(),
                found.start() + 60)) + ", ";
        return SqlParseException.syntax("syntax error: " + expected + " [" + near + "position=" + position + "]",
                position);
    }

    /** {@code TRUNCATE [TABLE] name} (one table; RESTART IDENTITY, CASCADE and lists of tables are not ours). */
    private Statement truncate() {
        acceptAny("table");
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        Token nameToken = peek();
        String table = tableName();
        if (!atEnd()) {
            Token extra = peek();
            if (extra.isSymbol(",") || extra.kind() == Token.Kind.IDENT) {
                throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                        "truncate supports one table and no options [statement=TRUNCATE]", extra.position());
            }
        }
        return new Statement.Truncate(table, nameToken.position());
    }

    /**
     * {@code ALTER TABLE name} followed by one action: {@code RENAME TO new}, {@code ADD [COLUMN] c type},
     * {@code DROP [COLUMN] c}, {@code DROP PARTITION LIST 'p' [, 'p' ...]}, {@code SET TTL n unit} (see
     * {@link TtlClause}). Other actions (several at once, RENAME
     * COLUMN, ALTER COLUMN, IF [NOT] EXISTS, ...) are 0A000.
     */
    private Statement alterTable() {
        expectKeyword("table");
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        Token nameToken = peek();
        String table = tableName();
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        Token action = next();
        if (action.isKeyword("rename")) {
            if (!acceptKeyword("to")) {
                throw alterNotSupported(atEnd() ? action : peek());
            }
            String newName = tableName();
            return new Statement.RenameTable(table, newName, nameToken.position());
        }
        if (action.isKeyword("add")) {
            acceptKeyword("column");
            if (peekKeyword("if") || peekKeyword("constraint") || peekKeyword("primary") || peekKeyword("unique")) {
                throw alterNotSupported(peek());
            }
            if (atEnd()) {
                throw SqlParser.syntaxErrorAtEnd(endPosition());
            }
            Token columnToken = peek();
            String column = identifier();
            SqlType type = columnType();
            if (!atEnd()) {
                throw alterNotSupported(peek());
            }
            return new Statement.AddColumn(table, new Statement.ColumnDef(column, type, columnToken.position()),
                    nameToken.position());
        }
        if (action.isKeyword("drop")) {
            if (acceptKeyword("partition")) {
                if (peekKeyword("where")) {
                    return dropPartitionsWhere(table, tokens.get(0), nameToken);
                }
                return dropPartitions(table, nameToken);
            }
            acceptKeyword("column");
            if (peekKeyword("if") || peekKeyword("constraint")) {
                throw alterNotSupported(peek());
            }
            if (atEnd()) {
                throw SqlParser.syntaxErrorAtEnd(endPosition());
            }
            Token columnToken = peek();
            String column = identifier();
            acceptAny("cascade", "restrict");
            if (!atEnd()) {
                throw alterNotSupported(peek());
            }
            return new Statement.DropColumn(table, column, columnToken.position());
        }
        if (action.isKeyword("set") && peekKeyword("ttl")) {
            next();
            TtlClause.Parsed parsed = TtlClause.parse(sql, tokens, index, endPosition());
            index = parsed.next();
            return new Statement.SetTtl(table, parsed.ttl(), nameToken.position());
        }
        throw alterNotSupported(action);
    }

    private static SqlParseException alterNotSupported(Token at) {
        return new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED, "alter table supports one action of "
                + "RENAME TO, ADD COLUMN, DROP COLUMN, DROP PARTITION, SET TTL [found=" + at.text() + "]", at.position());
    }

    /**
     * A column type as CREATE TABLE spells it (JSqlBridge's mapping): BOOLEAN/BOOL, INT/INTEGER/INT4,
     * LONG/BIGINT/INT8, DOUBLE [PRECISION]/FLOAT8/FLOAT, VARCHAR/TEXT/STRING/CHARACTER VARYING [(n)],
     * TIMESTAMP [(p)] [WITHOUT TIME ZONE]; anything else is 42704.
     */
    private SqlType columnType() {
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        Token first = peek();
        String name = identifier();
        if (name.equals("double") && acceptKeyword("precision")) {
            name = "double precision";
        } else if (name.equals("character") && acceptKeyword("varying")) {
            name = "character varying";
        }
        SqlType type = switch (name) {
            case "boolean", "bool" -> SqlType.BOOLEAN;
            case "int", "integer", "int4" -> SqlType.INT;
            case "long", "bigint", "int8" -> SqlType.LONG;
            case "double", "double precision", "float8", "float" -> SqlType.DOUBLE;
            case "varchar", "text", "string", "character varying" -> SqlType.VARCHAR;
            case "timestamp" -> SqlType.TIMESTAMP;
            default -> throw new SqlParseException("42704", "type does not exist [type=" + name + "]",
                    first.position());
        };
        if (acceptSymbol("(")) {
            if (type != SqlType.VARCHAR && type != SqlType.TIMESTAMP && !name.equals("float")) {
                throw SqlParseException.syntax("type does not take a length [type=" + name + "]", first.position());
            }
            if (atEnd() || next().kind() != Token.Kind.NUMBER) {
                throw SqlParser.syntaxErrorAtEnd(endPosition());
            }
            expectSymbol(")");
        }
        if (type == SqlType.TIMESTAMP && acceptKeyword("without")) {
            expectKeyword("time");
            expectKeyword("zone");
        }
        return type;
    }

    /**
     * {@code ... DROP PARTITION WHERE condition}. The condition is an expression, which JSqlParser parses: the
     * statement is handed to {@link JSqlBridge} as {@code DELETE FROM name WHERE condition}, written over the same
     * characters of a copy of the text (the words before WHERE are always longer than {@code DELETE FROM name}, the
     * rest is blanked), so every position in the expression and in its errors is the original text's.
     */
    private Statement dropPartitionsWhere(String table, Token alter, Token nameToken) {
        int nameEnd = tokens.get(index - 3).end(); // the token before DROP PARTITION ends the table name
        Token where = peek();
        char[] copy = sql.toCharArray();
        java.util.Arrays.fill(copy, alter.start(), where.start(), ' ');
        String head = "DELETE FROM " + sql.substring(nameToken.start(), nameEnd) + " ";
        head.getChars(0, head.length(), copy, alter.start());
        String rewritten = new String(copy);
        List<Token> statement = new java.util.ArrayList<>();
        for (Token t : Tokenizer.tokenize(rewritten)) {
            if (t.start() >= alter.start() && t.end() <= tokens.get(tokens.size() - 1).end()) {
                statement.add(t);
            }
        }
        Statement parsed = new JSqlBridge(rewritten, statement).parse();
        index = tokens.size();
        if (!(parsed instanceof Statement.Delete d) || d.where() == null) {
            throw SqlParser.syntaxErrorAt(sql, where);
        }
        return new Statement.DropPartitionsWhere(table, d.where(), nameToken.position());
    }

    /** {@code ... DROP PARTITION LIST 'p' [, 'p' ...]} after {@code ALTER TABLE name}. */
    private Statement dropPartitions(String table, Token nameToken) {
        expectKeyword("list");
        List<String> partitions = new java.util.ArrayList<>();
        do {
            if (atEnd()) {
                throw SqlParser.syntaxErrorAtEnd(endPosition());
            }
            Token partition = next();
            if (partition.kind() != Token.Kind.STRING) {
                throw SqlParser.syntaxErrorAt(sql, partition);
            }
            partitions.add(partition.text());
        } while (acceptSymbol(","));
        return new Statement.DropPartitions(table, List.copyOf(partitions), nameToken.position());
    }

    // ---- COPY ----

    /**
     * {@code COPY table [(cols)] FROM STDIN [options]}, {@code COPY {table [(cols)] | (SELECT ...)} TO STDOUT
     * [options]}. Options in the current form {@code [WITH] (FORMAT csv, HEADER [bool], DELIMITER 'c', NULL 's',
     * QUOTE 'c', ESCAPE 'c')} or the pre-9.0 form {@code [WITH] [BINARY] [CSV] [HEADER] [DELIMITER [AS] 'c']
     * [NULL [AS] 's'] [QUOTE [AS] 'c'] [ESCAPE [AS] 'c']} that psql's {@code \copy ... csv header} sends.
     */
    private Statement copy() {
        Token target = peek();
        if (target == null) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        String table = null;
        List<String> columns = List.of();
        Statement.Select query = null;
        if (target.isSymbol("(")) {
            int close = matchingParenthesis(index);
            List<Token> inner = tokens.subList(index + 1, close);
            if (inner.isEmpty() || !inner.get(0).isKeyword("select")) {
                throw inner.isEmpty() ? SqlParser.syntaxErrorAt(sql, tokens.get(close))
                        : new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                        "only a SELECT can be copied out [statement=" + inner.get(0).text().toUpperCase(Locale.ROOT)
                                + "]", inner.get(0).position());
            }
            Statement parsed = new JSqlBridge(sql, inner).parse();
            if (!(parsed instanceof Statement.Select select)) {
                throw SqlParser.syntaxErrorAt(sql, inner.get(0));
            }
            query = select;
            index = close + 1;
        } else {
            table = tableName();
            if (acceptSymbol("(")) {
                List<String> names = new java.util.ArrayList<>();
                do {
                    names.add(identifier());
                } while (acceptSymbol(","));
                expectSymbol(")");
                columns = List.copyOf(names);
            }
        }
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        Token direction = next();
        boolean from = direction.isKeyword("from");
        if (!from && !direction.isKeyword("to")) {
            throw SqlParser.syntaxErrorAt(sql, direction);
        }
        if (from && query != null) {
            throw SqlParser.syntaxErrorAt(sql, direction);
        }
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        Token endpoint = next();
        if (!endpoint.isKeyword(from ? "stdin" : "stdout")) {
            if (endpoint.kind() == Token.Kind.STRING || endpoint.isKeyword("program")
                    || endpoint.isKeyword(from ? "stdout" : "stdin")) {
                throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                        "copy is supported only " + (from ? "from stdin" : "to stdout")
                                + " (use psql's \\copy for files) [endpoint=" + endpoint.text() + "]",
                        endpoint.position());
            }
            throw SqlParser.syntaxErrorAt(sql, endpoint);
        }
        CopyOptions options = copyOptions();
        if (from) {
            return new Statement.CopyFrom(table, columns, options, target.position());
        }
        return new Statement.CopyTo(table, columns, query, options, target.position());
    }

    /** The index of the ")" that closes the "(" at {@code open}. */
    private int matchingParenthesis(int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            if (tokens.get(i).isSymbol("(")) {
                depth++;
            } else if (tokens.get(i).isSymbol(")") && --depth == 0) {
                return i;
            }
        }
        throw SqlParser.syntaxErrorAtEnd(endPosition());
    }

    private CopyOptions copyOptions() {
        CopyOptions.Format format = CopyOptions.Format.TEXT;
        boolean header = false;
        Character delimiter = null;
        String nullText = null;
        Character quote = null;
        Character escape = null;
        Token quoteToken = null;
        acceptKeyword("with");
        if (acceptSymbol("(")) {
            do {
                Token name = peek();
                String option = identifier();
                switch (option) {
                    case "format" -> {
                        Token value = optionValueToken();
                        format = format(value);
                    }
                    case "header" -> header = atEnd() || peek().isSymbol(",") || peek().isSymbol(")")
                            || booleanOption(optionValueToken());
                    case "delimiter" -> delimiter = singleByte(optionValueToken(), "delimiter");
                    case "null" -> nullText = stringOption(optionValueToken());
                    case "quote" -> {
                        quoteToken = name;
                        quote = singleByte(optionValueToken(), "quote");
                    }
                    case "escape" -> escape = singleByte(optionValueToken(), "escape");
                    case "encoding" -> {
                        Token value = optionValueToken();
                        String encoding = stringOption(value).toLowerCase(Locale.ROOT).replace("-", "");
                        if (!encoding.equals("utf8")) {
                            throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                                    "copy encoding not supported [encoding=" + value.text() + "]", value.position());
                        }
                    }
                    default -> throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                            "copy option not supported [option=" + option + "]", name.position());
                }
            } while (acceptSymbol(","));
            expectSymbol(")");
        } else {
            while (!atEnd()) {
                Token word = next();
                switch (word.kind() == Token.Kind.IDENT ? word.text() : "") {
                    case "csv" -> format = CopyOptions.Format.CSV;
                    case "binary" -> format(word);
                    case "header" -> header = true;
                    case "delimiter" -> {
                        acceptKeyword("as");
                        delimiter = singleByte(optionValueToken(), "delimiter");
                    }
                    case "null" -> {
                        acceptKeyword("as");
                        nullText = stringOption(optionValueToken());
                    }
                    case "quote" -> {
                        acceptKeyword("as");
                        quoteToken = word;
                        quote = singleByte(optionValueToken(), "quote");
                    }
                    case "escape" -> {
                        acceptKeyword("as");
                        escape = singleByte(optionValueToken(), "escape");
                    }
                    default -> throw SqlParser.syntaxErrorAt(sql, word);
                }
            }
        }
        CopyOptions base = format == CopyOptions.Format.CSV ? CopyOptions.CSV : CopyOptions.TEXT;
        if (format == CopyOptions.Format.TEXT) {
            if (header) {
                throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                        "copy header available only in csv mode", tokens.get(0).position());
            }
            if (quoteToken != null || escape != null) {
                throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                        "copy quote and escape available only in csv mode", tokens.get(0).position());
            }
        }
        char d = delimiter == null ? base.delimiter() : delimiter;
        char q = quote == null ? base.quote() : quote;
        char e = escape == null ? q : escape;
        String n = nullText == null ? base.nullText() : nullText;
        if (d == '\\' && format == CopyOptions.Format.TEXT || d == '\r' || d == '\n') {
            throw new SqlParseException("22023", "copy delimiter cannot be newline, carriage return or backslash"
                    + " [delimiter=" + d + "]", tokens.get(0).position());
        }
        if (format == CopyOptions.Format.CSV && d == q) {
            throw new SqlParseException("22023", "copy delimiter and quote must be different [delimiter=" + d + "]",
                    tokens.get(0).position());
        }
        if (n.indexOf(d) >= 0 || n.indexOf('\r') >= 0 || n.indexOf('\n') >= 0) {
            throw new SqlParseException("22023", "copy null representation cannot contain the delimiter or a newline"
                    + " [null=" + n + "]", tokens.get(0).position());
        }
        return new CopyOptions(format, header, d, n, q, e);
    }

    private Token optionValueToken() {
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        return next();
    }

    private CopyOptions.Format format(Token value) {
        return switch (value.kind() == Token.Kind.SYMBOL ? "" : value.text().toLowerCase(Locale.ROOT)) {
            case "text" -> CopyOptions.Format.TEXT;
            case "csv" -> CopyOptions.Format.CSV;
            case "binary" -> throw new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED,
                    "copy format not supported [format=binary]", value.position());
            default -> throw new SqlParseException("22023", "copy format not recognized [format=" + value.text() + "]",
                    value.position());
        };
    }

    private boolean booleanOption(Token value) {
        return switch (value.kind() == Token.Kind.SYMBOL ? "" : value.text().toLowerCase(Locale.ROOT)) {
            case "true", "on", "1" -> true;
            case "false", "off", "0" -> false;
            default -> throw new SqlParseException("22023", "copy header requires a boolean value [value="
                    + value.text() + "]", value.position());
        };
    }

    private String stringOption(Token value) {
        if (value.kind() != Token.Kind.STRING && value.kind() != Token.Kind.IDENT) {
            throw SqlParser.syntaxErrorAt(sql, value);
        }
        return value.text();
    }

    private char singleByte(Token value, String option) {
        String text = stringOption(value);
        if (text.length() != 1 || text.charAt(0) > 0x7F) {
            throw new SqlParseException("22023", "copy " + option + " must be a single one-byte character ["
                    + option + "=" + text + "]", value.position());
        }
        return text.charAt(0);
    }

    private void expectSymbol(String symbol) {
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        if (!acceptSymbol(symbol)) {
            throw SqlParser.syntaxErrorAt(sql, peek());
        }
    }

    /** {@code name} or {@code schema.name}; the schema {@code public} is dropped, others are kept as a prefix. */
    private String tableName() {
        String first = identifier();
        if (acceptSymbol(".")) {
            String second = identifier();
            return first.equals("public") ? second : first + "." + second;
        }
        return first;
    }

    private String dottedName() {
        StringBuilder name = new StringBuilder(identifier());
        while (acceptSymbol(".")) {
            name.append('.').append(identifier());
        }
        return name.toString();
    }

    private String identifier() {
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        Token token = next();
        if (token.kind() != Token.Kind.IDENT && token.kind() != Token.Kind.QUOTED_IDENT) {
            throw SqlParser.syntaxErrorAt(sql, token);
        }
        return token.text();
    }

    // ---- cursor ----

    private boolean atEnd() {
        return index >= tokens.size();
    }

    private Token peek() {
        return atEnd() ? null : tokens.get(index);
    }

    private Token next() {
        return tokens.get(index++);
    }

    private boolean peekKeyword(String word) {
        return !atEnd() && tokens.get(index).isKeyword(word);
    }

    private boolean acceptKeyword(String word) {
        if (peekKeyword(word)) {
            index++;
            return true;
        }
        return false;
    }

    private void acceptAny(String... words) {
        for (String word : words) {
            if (acceptKeyword(word)) {
                return;
            }
        }
    }

    private boolean acceptSymbol(String symbol) {
        if (!atEnd() && tokens.get(index).isSymbol(symbol)) {
            index++;
            return true;
        }
        return false;
    }

    private void expectKeyword(String word) {
        if (atEnd()) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
        if (!acceptKeyword(word)) {
            throw SqlParser.syntaxErrorAt(sql, peek());
        }
    }

    private void expectEnd() {
        if (!atEnd()) {
            throw SqlParser.syntaxErrorAt(sql, peek());
        }
    }

    /** The position just past the statement's last token, where PostgreSQL reports "at end of input". */
    private int endPosition() {
        return tokens.get(tokens.size() - 1).end() + 1;
    }

    private String restText() {
        return sql.substring(tokens.get(index).start(), tokens.get(tokens.size() - 1).end());
    }

    private static SqlParseException notSupported(Token first, String statement) {
        return new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED, "statement not supported [statement="
                + statement + "]", first.position());
    }
}
