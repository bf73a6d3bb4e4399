package io.stillpoint.sql;

import io.stillpoint.sql.ast.Statement;

/**
 * One statement of a parsed text.
 *
 * @param statement      the statement model
 * @param text           this statement's own text (without the separating semicolon, surrounding white space trimmed)
 * @param parameterCount the highest {@code $n} the statement uses (0 if none)
 */
public record Parsed(Statement statement, String text, int parameterCount) {}
