package io.stillpoint.sql;

import io.stillpoint.sql.ast.Statement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Entry point of the SQL front end: turns the text of a simple-protocol Query or an extended-protocol Parse into
 * {@link Parsed} statements.
 *
 * <p>The text is first tokenized by the hand-written {@link Tokenizer} (PostgreSQL's lexical rules), split at
 * top-level semicolons, and each statement is routed: transaction control, SET/SHOW, DROP TABLE, TRUNCATE, COPY and the dialect
 * extensions are parsed by hand ({@link FrontParser}); SELECT, INSERT, UPDATE, DELETE and CREATE TABLE go through JSqlParser and
 * are converted to the AST ({@link JSqlBridge}), except INSERTs whose values are only constants and parameters,
 * which {@link InsertValuesFastPath} parses in linear time. Every position, in the AST and in errors, is a 1-based character
 * offset into the whole text passed in. Only {@link SqlParseException} escapes.
 */
public final class SqlParser {

    /** Leading key words of valid PostgreSQL statements this server does not implement: 0A000, not 42601. */
    private static final Set<String> UNSUPPORTED_STATEMENTS = Set.of(
            "merge", "alter", "grant", "revoke", "vacuum", "analyze",
            "analyse", "explain", "with", "declare", "fetch", "close", "listen", "unlisten", "notify", "lock",
            "prepare", "execute", "deallocate", "discard", "comment", "call", "do", "savepoint", "release",
            "cluster", "reindex", "refresh", "security", "load", "import", "move", "reassign", "table");

    /** PostgreSQL's limit on the number of bind parameters of one statement (Int16 count in Bind). */
    static final int MAX_PARAMETERS = 65535;

    private SqlParser() {
    }

    /**
     * A simple-protocol Query text: one entry per statement, split at top-level semicolons (not inside strings,
     * quoted identifiers or comments). Text that is only white space, comments or semicolons gives exactly one
     * {@link Statement.Empty}. Parameters ({@code $n}) are a syntax error here.
     */
    public static List<Parsed> parseScript(String sql) {
        return guarded(() -> {
            List<List<Token>> statements = split(Tokenizer.tokenize(sql));
            List<Parsed> result = new ArrayList<>(statements.size());
            for (List<Token> tokens : statements) {
                result.add(parseOne(sql, tokens, false));
            }
            if (result.isEmpty()) {
                result.add(new Parsed(new Statement.Empty(), "", 0));
            }
            return result;
        });
    }

    /**
     * An extended-protocol Parse text: at most one statement (a trailing semicolon is fine; two statements are
     * 42601 {@code cannot insert multiple commands into a prepared statement}); empty text gives
     * {@link Statement.Empty}.
     */
    public static Parsed parse(String sql) {
        return guarded(() -> {
            List<List<Token>> statements = split(Tokenizer.tokenize(sql));
            if (statements.isEmpty()) {
                return new Parsed(new Statement.Empty(), "", 0);
            }
            if (statements.size() > 1) {
                throw SqlParseException.syntax("cannot insert multiple commands into a prepared statement",
                        statements.get(1).get(0).position());
            }
            return parseOne(sql, statements.get(0), true);
        });
    }

    /** Groups the tokens into statements at semicolons; statements without tokens are dropped. */
    private static List<List<Token>> split(List<Token> tokens) {
        List<List<Token>> statements = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= tokens.size(); i++) {
            if (i == tokens.size() || tokens.get(i).isSymbol(";")) {
                if (i > from) {
                    statements.add(tokens.subList(from, i));
                }
                from = i + 1;
            }
        }
        return statements;
    }

    private static Parsed parseOne(String sql, List<Token> tokens, boolean parametersAllowed) {
        int parameterCount = 0;
        for (Token token : tokens) {
            if (token.kind() == Token.Kind.PARAM) {
                if (!parametersAllowed) {
                    throw SqlParseException.syntax("there is no parameter [parameter=" + token.text() + "]",
                            token.position());
                }
                parameterCount = Math.max(parameterCount, parameterIndex(token));
            } else if (token.isSymbol("?")) {
                throw syntaxErrorAt(sql, token);
            }
        }
        Token first = tokens.get(0);
        String text = sql.substring(first.start(), tokens.get(tokens.size() - 1).end());
        Statement statement;
        if (FrontParser.handles(tokens)) {
            statement = new FrontParser(sql, tokens).parse();
        } else if (first.kind() == Token.Kind.IDENT && UNSUPPORTED_STATEMENTS.contains(first.text())) {
            throw notSupported(first);
        } else {
            Statement fast = first.isKeyword("insert") ? InsertValuesFastPath.tryParse(tokens) : null;
            statement = fast != null ? fast : new JSqlBridge(sql, tokens).parse();
        }
        return new Parsed(statement, text, parameterCount);
    }

    static int parameterIndex(Token token) {
        String digits = token.text().substring(1);
        int index = digits.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(digits);
        if (index < 1 || index > MAX_PARAMETERS) {
            throw SqlParseException.syntax("there is no parameter [parameter=" + token.text() + "]",
                    token.position());
        }
        return index;
    }

    /** PostgreSQL's {@code syntax error at or near "<token as written>"}. */
    static SqlParseException syntaxErrorAt(String sql, Token token) {
        String near = sql.substring(token.start(), Math.min(token.end(), token.start() + 60));
        return SqlParseException.syntax("syntax error at or near \"" + near + "\" [position=" + token.position()
                + "]", token.position());
    }

    static SqlParseException syntaxErrorAtEnd(int position) {
        return SqlParseException.syntax("syntax error at end of input [position=" + position + "]", position);
    }

    static SqlParseException notSupported(Token first) {
        return new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED, "statement not supported [statement="
                + first.text().toUpperCase(java.util.Locale.ROOT) + "]",
                first.position());
    }

    private interface Body<T> {
        T run();
    }

    /** Turns any throwable of the parsing libraries into a {@link SqlParseException}: nothing else escapes. */
    private static <T> T guarded(Body<T> body) {
        try {
            return body.run();
        } catch (SqlParseException e) {
            throw e;
        } catch (StackOverflowError e) {
            throw new SqlParseException("54001", "statement is too deeply nested", 0);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                throw (Error) e;
            }
            throw SqlParseException.syntax("cannot parse statement [reason=" + e + "]", 0);
        }
    }
}
