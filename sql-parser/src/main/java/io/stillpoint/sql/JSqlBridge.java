package io.stillpoint.sql;

import io.stillpoint.sql.ast.Expr;
import io.stillpoint.sql.ast.PartitionUnit;
import io.stillpoint.sql.ast.SqlType;
import io.stillpoint.sql.ast.Statement;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.expression.operators.arithmetic.Addition;
import net.sf.jsqlparser.expression.operators.arithmetic.Concat;
import net.sf.jsqlparser.expression.operators.arithmetic.Division;
import net.sf.jsqlparser.expression.operators.arithmetic.Modulo;
import net.sf.jsqlparser.expression.operators.arithmetic.Multiplication;
import net.sf.jsqlparser.expression.operators.arithmetic.Subtraction;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.parser.SimpleNode;
import net.sf.jsqlparser.parser.TokenMgrException;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.create.table.ColDataType;
import net.sf.jsqlparser.statement.create.table.ColumnDefinition;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Limit;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSqlParser path: parses one standard SELECT, INSERT or CREATE TABLE with JSqlParser and converts its model
 * to the Stillpoint AST.
 *
 * <p>JSqlParser sees a sanitized copy of the statement with the same length: comments and white space become
 * blanks, every string constant becomes {@code 'xx…'} of the same width (its value is taken from our own
 * {@link Token}, so E-strings and dollar quoting need no support from JSqlParser), and the dialect tail of
 * CREATE TABLE ({@code TIMESTAMP(col) PARTITION BY unit TTL n unit}, parsed here by hand) is blanked. Offsets in the copy
 * are therefore offsets in the original, and JSqlParser's (line, column) of a node's first token converts to a
 * position in the whole text.
 */
final class JSqlBridge {

    /** Niladic SQL functions PostgreSQL accepts without parentheses; as bare words they are calls, not columns. */
    static final Set<String> NILADIC_FUNCTIONS = Set.of("current_user", "current_schema", "current_date",
            "current_time", "current_timestamp", "current_role", "current_catalog", "session_user", "user",
            "localtime", "localtimestamp");

    /**
     * JSqlParser's complex-parsing mode (needed only for conditions as function arguments, {@code f(a > 1)})
     * backtracks exponentially in the nesting depth of parentheses (depth 10 takes seconds, 12 tens of seconds, and
     * three unclosed parentheses over a minute), so it is only tried on balanced statements nested no deeper than
     * this.
     */
    private static final int MAX_COMPLEX_PARSING_DEPTH = 2;

    private static final Pattern LEXICAL_ERROR_AT = Pattern.compile("line (\\d+), column (\\d+)");

    private final String sql;
    private final List<Token> tokens;
    private final int[] tokenStarts;
    private final int sliceStart;
    private int[] lineStarts;
    /** 0-based offsets of the "(" of every IN list, whose IN was rewritten to = or &lt;&gt; for JSqlParser. */
    private final Set<Integer> inListStarts = new HashSet<>();

    /** CREATE TABLE dialect tail, when present. */
    private String timestampColumn;
    private Token timestampToken;
    private PartitionUnit partitionBy = PartitionUnit.NONE;
    private Statement.TimeToLive ttl;
    private Token ttlToken;

    JSqlBridge(String sql, List<Token> tokens) {
        this.sql = sql;
        this.tokens = tokens;
        this.tokenStarts = new int[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            tokenStarts[i] = tokens.get(i).start();
        }
        this.sliceStart = tokens.get(0).start();
    }

    Statement parse() {
        int blankFrom = tokens.size();
        int blankTo = tokens.size();
        if (tokens.get(0).isKeyword("create") && tokens.size() > 1 && tokens.get(1).isKeyword("table")) {
            int tail = createTableTailStart();
            if (tail >= 0) {
                blankFrom = tail;
                blankTo = parseCreateTableTail(tail);
            }
        }
        checkParenthesesBalance();
        String sanitized = sanitize(blankFrom, blankTo);
        net.sf.jsqlparser.statement.Statement parsed = runJSqlParser(sanitized);
        if (parsed instanceof PlainSelect select) {
            return select(select);
        }
        if (parsed instanceof Insert insert) {
            return insert(insert);
        }
        if (parsed instanceof CreateTable create) {
            return createTable(create);
        }
        if (parsed instanceof net.sf.jsqlparser.statement.update.Update update) {
            return update(update);
        }
        if (parsed instanceof net.sf.jsqlparser.statement.delete.Delete delete) {
            return delete(delete);
        }
        if (parsed instanceof net.sf.jsqlparser.statement.UnsupportedStatement) {
            // JSqlParser's error recovery: it gave up on the text. For the statements we do implement that is a
            // syntax error; anything else is a statement we do not support.
            Token first = tokens.get(0);
            boolean ours = first.isKeyword("select") || first.isKeyword("insert") || first.isKeyword("values")
                    || first.isKeyword("update") || first.isKeyword("delete")
                    || (first.isKeyword("create") && tokens.size() > 1 && tokens.get(1).isKeyword("table"));
            if (ours) {
                throw SqlParser.syntaxErrorAtEnd(endPosition());
            }
            throw SqlParser.notSupported(first);
        }
        if (parsed instanceof net.sf.jsqlparser.statement.select.SetOperationList union) {
            return union(union);
        }
        if (parsed instanceof net.sf.jsqlparser.statement.select.Select) {
            throw notSupported("queries other than a plain select or union (parenthesized or with queries) "
                    + "are not supported", tokens.get(0).position());
        }
        throw SqlParser.notSupported(tokens.get(0));
    }

    // ---- running JSqlParser ----

    private String sanitize(int blankFrom, int blankTo) {
        Token last = tokens.get(tokens.size() - 1);
        char[] out = new char[last.end() - sliceStart];
        Arrays.fill(out, ' ');
        boolean[] blanked = new boolean[tokens.size()];
        String[] replaced = new String[tokens.size()];
        markCatalogSyntax(blanked, replaced);
        for (int i = 0; i < tokens.size(); i++) {
            if (i >= blankFrom && i < blankTo) {
                continue;
            }
            Token token = tokens.get(i);
            int at = token.start() - sliceStart;
            if (blanked[i]) {
                if (replaced[i] != null) {
                    replaced[i].getChars(0, replaced[i].length(), out, at);
                }
                continue;
            }
            if (token.isKeyword("in") && i > 0 && i + 1 < tokens.size() && tokens.get(i + 1).isSymbol("(")) {
                // JSqlParser 5.3 parses "a IN (1, 2) AND b = 1" as "a IN ((1, 2) AND b = 1)". It sees
                // "a = (1, 2)" (or "a <> (1, 2)" for NOT IN) instead, which it associates correctly; the
                // conversion turns these back into IN lists by the position of the list's parenthesis.
                inListStarts.add(tokens.get(i + 1).start());
                Token before = tokens.get(i - 1);
                if (before.isKeyword("not") && (i - 1 < blankFrom || i - 1 >= blankTo)) {
                    int notAt = before.start() - sliceStart;
                    out[notAt] = '<';
                    out[notAt + 1] = '>';
                    out[notAt + 2] = ' ';
                } else {
                    out[at] = '=';
                }
                continue;
            }
            if (token.kind() == Token.Kind.STRING) {
                int width = token.end() - token.start();
                out[at] = '\'';
                Arrays.fill(out, at + 1, at + width - 1, 'x');
                out[at + width - 1] = '\'';
            } else {
                sql.getChars(token.start(), token.end(), out, at);
            }
        }
        String text = new String(out);
        computeLineStarts(text);
        return text;
    }

    /**
     * PostgreSQL syntax that psql's catalog queries use and JSqlParser does not know: {@code OPERATOR(schema.op)}
     * becomes the bare operator (written where the key word was), and {@code COLLATE name} is dropped (this server
     * has one collation, so it changes nothing).
     */
    private void markCatalogSyntax(boolean[] blanked, String[] replaced) {
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isKeyword("operator") && i + 1 < tokens.size() && tokens.get(i + 1).isSymbol("(")) {
                int close = -1;
                for (int j = i + 2; j < Math.min(tokens.size(), i + 7); j++) {
                    if (tokens.get(j).isSymbol(")")) {
                        close = j;
                        break;
                    }
                }
                if (close > i + 2 && tokens.get(close - 1).kind() == Token.Kind.SYMBOL
                        && !tokens.get(close - 1).isSymbol(".")) {
                    for (int j = i; j <= close; j++) {
                        blanked[j] = true;
                    }
                    replaced[i] = tokens.get(close - 1).text();
                    i = close;
                }
            } else if (t.isKeyword("collate") && i > 0 && i + 1 < tokens.size()
                    && (tokens.get(i + 1).kind() == Token.Kind.IDENT
                    || tokens.get(i + 1).kind() == Token.Kind.QUOTED_IDENT)) {
                blanked[i] = true;
                blanked[i + 1] = true;
                int j = i + 1;
                while (j + 2 < tokens.size() && tokens.get(j + 1).isSymbol(".")
                        && (tokens.get(j + 2).kind() == Token.Kind.IDENT
                        || tokens.get(j + 2).kind() == Token.Kind.QUOTED_IDENT)) {
                    blanked[j + 1] = true;
                    blanked[j + 2] = true;
                    j += 2;
                }
                i = j;
            }
        }
    }

    /** Line starts the way JavaCC counts lines: \n, \r\n and a lone \r each end a line; a tab is one column. */
    private void computeLineStarts(String text) {
        List<Integer> starts = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
                if (starts == null) {
                    starts = new ArrayList<>();
                    starts.add(0);
                }
                starts.add(i + 1);
            }
        }
        lineStarts = starts == null ? new int[] {0} : starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** 1-based position in the whole text of JSqlParser's (line, column), both 1-based. */
    private int toPosition(int line, int column) {
        if (line < 1 || line > lineStarts.length || column < 1) {
            return 0;
        }
        return sliceStart + lineStarts[line - 1] + column;
    }

    private net.sf.jsqlparser.statement.Statement runJSqlParser(String sanitized) {
        // Like CCJSqlParserUtil.parse: the simple grammar first (several times faster), the complex one if that fails.
        try {
            return runJSqlParser(sanitized, false);
        } catch (SqlParseException simpleFailed) {
            int depth = parenthesisDepth();
            if (depth < 0 || depth > MAX_COMPLEX_PARSING_DEPTH) {
                throw simpleFailed;
            }
            try {
                return runJSqlParser(sanitized, true);
            } catch (SqlParseException complexFailed) {
                // Report whichever attempt got further: that is the token that really does not fit.
                throw simpleFailed.position() > complexFailed.position() ? simpleFailed : complexFailed;
            }
        }
    }

    private net.sf.jsqlparser.statement.Statement runJSqlParser(String sanitized, boolean complex) {
        CCJSqlParser parser = CCJSqlParserUtil.newParser(sanitized).withAllowComplexParsing(complex);
        try {
            net.sf.jsqlparser.statement.Statement statement = parser.Statement();
            net.sf.jsqlparser.parser.Token rest = parser.getNextToken();
            if (rest != null && rest.kind != 0) {
                throw syntaxErrorAt(rest);
            }
            if (statement == null) {
                throw SqlParser.syntaxErrorAt(sql, tokens.get(0));
            }
            return statement;
        } catch (ParseException e) {
            net.sf.jsqlparser.parser.Token at = e.currentToken == null ? null
                    : e.currentToken.next != null ? e.currentToken.next : e.currentToken;
            if (at == null) {
                throw SqlParser.syntaxErrorAt(sql, tokens.get(0));
            }
            throw syntaxErrorAt(at);
        } catch (TokenMgrException e) {
            Matcher m = LEXICAL_ERROR_AT.matcher(String.valueOf(e.getMessage()));
            int position = m.find() ? toPosition(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))) : 0;
            int index = position > 0 ? tokenIndexAt(position - 1) : -1;
            if (index < 0) {
                index = tokenIndexAtOrAfter(Math.max(0, position - 1));
            }
            throw index >= 0 ? SqlParser.syntaxErrorAt(sql, tokens.get(index))
                    : SqlParser.syntaxErrorAtEnd(endPosition());
        }
    }

    /**
     * Reports unbalanced parentheses the way PostgreSQL does, before JSqlParser sees them: its lookahead takes time
     * exponential in the number of unclosed parentheses (seven take seconds).
     */
    private void checkParenthesesBalance() {
        int depth = 0;
        for (Token t : tokens) {
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")") && --depth < 0) {
                throw SqlParser.syntaxErrorAt(sql, t);
            }
        }
        if (depth > 0) {
            throw SqlParser.syntaxErrorAtEnd(endPosition());
        }
    }

    /** The deepest nesting of parentheses, or -1 if they are unbalanced. */
    private int parenthesisDepth() {
        int depth = 0;
        int max = 0;
        for (Token t : tokens) {
            if (t.isSymbol("(")) {
                max = Math.max(max, ++depth);
            } else if (t.isSymbol(")") && --depth < 0) {
                return -1;
            }
        }
        return depth == 0 ? max : -1;
    }

    private SqlParseException syntaxErrorAt(net.sf.jsqlparser.parser.Token at) {
        if (at.kind == 0) {
            return SqlParser.syntaxErrorAtEnd(endPosition());
        }
        int position = toPosition(at.beginLine, at.beginColumn);
        int index = position > 0 ? tokenIndexAt(position - 1) : -1;
        if (index >= 0) {
            return SqlParser.syntaxErrorAt(sql, tokens.get(index));
        }
        return SqlParseException.syntax("syntax error at or near \"" + at.image + "\" [position=" + position + "]",
                position);
    }

    private int endPosition() {
        return tokens.get(tokens.size() - 1).end() + 1;
    }

    // ---- token lookups ----

    /** Index of our token starting exactly at the 0-based offset, or -1. */
    private int tokenIndexAt(int offset) {
        int i = Arrays.binarySearch(tokenStarts, offset);
        return i >= 0 ? i : -1;
    }

    private int tokenIndexAtOrAfter(int offset) {
        int i = Arrays.binarySearch(tokenStarts, offset);
        if (i < 0) {
            i = -i - 1;
        }
        return i < tokens.size() ? i : -1;
    }

    /** Position of the token after the one starting at {@code position}, or 0. */
    private int nextTokenPosition(int position) {
        int i = position > 0 ? tokenIndexAt(position - 1) : -1;
        return i >= 0 && i + 1 < tokens.size() ? tokens.get(i + 1).position() : 0;
    }

    private Token tokenAtPosition(int position) {
        int i = position > 0 ? tokenIndexAt(position - 1) : -1;
        return i >= 0 ? tokens.get(i) : null;
    }

    private int positionOf(ASTNodeAccess node) {
        SimpleNode ast = node.getASTNode();
        if (ast == null || ast.jjtGetFirstToken() == null) {
            return 0;
        }
        net.sf.jsqlparser.parser.Token first = ast.jjtGetFirstToken();
        return toPosition(first.beginLine, first.beginColumn);
    }

    // ---- SELECT ----

    private Statement select(PlainSelect s) {
        int at = tokens.get(0).position();
        if (s.getWithItemsList() != null && !s.getWithItemsList().isEmpty()) {
            throw notSupported("with queries are not supported", at);
        }
        boolean distinct = false;
        if (s.getDistinct() != null) {
            if (s.getDistinct().getOnSelectItems() != null || s.getDistinct().isUseUnique()) {
                throw notSupported("select distinct on is not supported", at);
            }
            distinct = true;
        }
        if (s.getIntoTables() != null || s.getTop() != null || s.getFirst() != null || s.getSkip() != null
                || s.getFetch() != null || s.getForMode() != null || s.getQualify() != null
                || s.getWindowDefinitions() != null || s.getLateralViews() != null
                || s.getOracleHierarchical() != null || s.getSampleClause() != null) {
            throw notSupported("select clause not supported [statement=" + abbreviate(s.toString()) + "]", at);
        }
        List<Statement.SelectItem> items = new ArrayList<>();
        for (SelectItem<?> item : s.getSelectItems()) {
            items.add(selectItem(item));
        }
        Statement.FromSource from = s.getFromItem() == null ? null : fromSource(s.getFromItem());
        if (s.getJoins() != null) {
            for (net.sf.jsqlparser.statement.select.Join join : s.getJoins()) {
                from = join(from, join, at);
            }
        }
        Expr where = s.getWhere() == null ? null : expr(s.getWhere(), 0);
        List<Expr> groupBy = List.of();
        GroupByElement group = s.getGroupBy();
        if (group != null) {
            if (group.getGroupingSets() != null && !group.getGroupingSets().isEmpty()) {
                throw notSupported("grouping sets are not supported", at);
            }
            groupBy = exprs(group.getGroupByExpressionList());
        }
        Expr having = s.getHaving() == null ? null : expr(s.getHaving(), 0);
        List<Statement.OrderItem> orderBy = new ArrayList<>();
        if (s.getOrderByElements() != null) {
            for (OrderByElement element : s.getOrderByElements()) {
                Boolean nullsFirst = switch (element.getNullOrdering() == null ? "" : element.getNullOrdering().name()) {
                    case "NULLS_FIRST" -> Boolean.TRUE;
                    case "NULLS_LAST" -> Boolean.FALSE;
                    default -> null;
                };
                orderBy.add(new Statement.OrderItem(expr(element.getExpression(), 0),
                        !element.isAsc(), nullsFirst));
            }
        }
        Expr limit = null;
        Expr offset = null;
        Limit l = s.getLimit();
        if (l != null) {
            if (l.getOffset() != null || l.getByExpressions() != null) {
                throw notSupported("this form of limit is not supported, use limit n offset m", at);
            }
            if (!l.isLimitAll() && !l.isLimitNull() && l.getRowCount() != null) {
                limit = expr(l.getRowCount(), 0);
            }
        }
        if (s.getOffset() != null) {
            if (s.getOffset().getOffsetParam() != null && !s.getOffset().getOffsetParam().isBlank()
                    && !s.getOffset().getOffsetParam().trim().toLowerCase(Locale.ROOT).startsWith("row")) {
                throw notSupported("this form of offset is not supported", at);
            }
            offset = expr(s.getOffset().getOffset(), 0);
        }
        return new Statement.Select(List.copyOf(items), from, where, List.copyOf(groupBy), having,
                List.copyOf(orderBy), limit, offset, distinct);
    }

    /** One JSqlParser join appended to what is on its left (JSqlParser flattens joins into a list). */
    private Statement.FromSource join(Statement.FromSource left, net.sf.jsqlparser.statement.select.Join join,
                                      int at) {
        Statement.FromSource right = fromSource(join.getRightItem());
        int position = positionOf(join.getRightItem());
        if (join.isFull() || join.isNatural() || join.isApply() || join.isSemi() || join.isStraight()
                || join.isWindowJoin() || join.isGlobal()) {
            throw notSupported("join type not supported [join=" + abbreviate(join.toString()) + "]",
                    position > 0 ? position : at);
        }
        Statement.JoinKind kind = join.isSimple() || join.isCross() ? Statement.JoinKind.CROSS
                : join.isLeft() ? Statement.JoinKind.LEFT : join.isRight() ? Statement.JoinKind.RIGHT
                : Statement.JoinKind.INNER;
        Expr on = null;
        if (join.getOnExpressions() != null) {
            for (Expression condition : join.getOnExpressions()) {
                Expr c = expr(condition, 0);
                on = on == null ? c : new Expr.Binary(Expr.BinaryOp.AND, on, c, c.position());
            }
        }
        List<String> using = new ArrayList<>();
        if (join.getUsingColumns() != null) {
            for (Column column : join.getUsingColumns()) {
                using.add(identifier(column.getColumnName()));
            }
        }
        if (kind != Statement.JoinKind.CROSS && on == null && using.isEmpty()) {
            throw SqlParseException.syntax("join requires an ON or USING condition [position=" + position + "]",
                    position);
        }
        return new Statement.FromSource.Join(left, right, kind, on, List.copyOf(using), position);
    }

    /** {@code select UNION [ALL] select ...}; other set operations are not supported. */
    private Statement union(net.sf.jsqlparser.statement.select.SetOperationList list) {
        int at = tokens.get(0).position();
        List<Statement.Select> branches = new ArrayList<>();
        for (net.sf.jsqlparser.statement.select.Select branch : list.getSelects()) {
            net.sf.jsqlparser.statement.select.Select inner = branch;
            while (inner instanceof net.sf.jsqlparser.statement.select.ParenthesedSelect p
                    && p.getSelect() != null) {
                inner = p.getSelect();
            }
            if (!(inner instanceof PlainSelect plain)) {
                throw notSupported("this union branch is not supported", at);
            }
            branches.add((Statement.Select) select(plain));
        }
        List<Boolean> all = new ArrayList<>();
        for (net.sf.jsqlparser.statement.select.SetOperation op : list.getOperations()) {
            if (!(op instanceof net.sf.jsqlparser.statement.select.UnionOp u)) {
                throw notSupported("set operation not supported [operation=" + op + "]", at);
            }
            all.add(u.isAll());
        }
        List<Statement.OrderItem> orderBy = orderItems(list.getOrderByElements());
        Expr limit = null;
        Expr offset = null;
        if (list.getLimit() != null && list.getLimit().getRowCount() != null && !list.getLimit().isLimitAll()
                && !list.getLimit().isLimitNull()) {
            limit = expr(list.getLimit().getRowCount(), 0);
        }
        if (list.getOffset() != null) {
            offset = expr(list.getOffset().getOffset(), 0);
        }
        return new Statement.Union(List.copyOf(branches), List.copyOf(all), orderBy, limit, offset);
    }

    /** A subquery as a Statement: a plain select or a union. */
    private Statement subquery(net.sf.jsqlparser.statement.select.Select query, int position) {
        net.sf.jsqlparser.statement.select.Select inner = query;
        while (inner instanceof net.sf.jsqlparser.statement.select.ParenthesedSelect p && p.getSelect() != null) {
            inner = p.getSelect();
        }
        if (inner instanceof PlainSelect plain) {
            return select(plain);
        }
        if (inner instanceof net.sf.jsqlparser.statement.select.SetOperationList list) {
            return union(list);
        }
        throw notSupported("subquery form not supported", position);
    }

    private List<Statement.OrderItem> orderItems(List<OrderByElement> elements) {
        List<Statement.OrderItem> orderBy = new ArrayList<>();
        if (elements != null) {
            for (OrderByElement element : elements) {
                Boolean nullsFirst = switch (element.getNullOrdering() == null ? "" : element.getNullOrdering().name()) {
                    case "NULLS_FIRST" -> Boolean.TRUE;
                    case "NULLS_LAST" -> Boolean.FALSE;
                    default -> null;
                };
                orderBy.add(new Statement.OrderItem(expr(element.getExpression(), 0), !element.isAsc(), nullsFirst));
            }
        }
        return List.copyOf(orderBy);
    }

    private Statement.SelectItem selectItem(SelectItem<?> item) {
        Expression e = item.getExpression();
        int position = positionOf(e);
        if (e instanceof AllColumns all && !(e instanceof net.sf.jsqlparser.statement.select.AllTableColumns)) {
            if (item.getAlias() != null || all.getExceptColumns() != null || all.getReplaceExpressions() != null) {
                throw SqlParseException.syntax("syntax error at or near \"*\" [position=" + position + "]", position);
            }
            return new Statement.SelectItem.Star(position);
        }
        if (e instanceof net.sf.jsqlparser.statement.select.AllTableColumns) {
            throw notSupported("qualified * is not supported", position);
        }
        String alias = null;
        if (item.getAlias() != null) {
            if (item.getAlias().getAliasColumns() != null) {
                throw notSupported("alias column lists are not supported", position);
            }
            if (item.getAlias().getName().startsWith("'")) {
                throw stringAliasError(position);
            }
            alias = identifier(item.getAlias().getName());
        }
        return new Statement.SelectItem.Item(expr(e, position), alias);
    }

    /** JSqlParser accepts {@code SELECT 'a' 'b'} ('b' an alias); PostgreSQL does not. Points at that string. */
    private SqlParseException stringAliasError(int itemPosition) {
        int i = itemPosition > 0 ? tokenIndexAt(itemPosition - 1) : -1;
        Token alias = null;
        for (int depth = 0; i >= 0 && i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
            } else if (depth == 0 && (t.isSymbol(",") || t.isKeyword("from"))) {
                break;
            } else if (depth == 0 && t.kind() == Token.Kind.STRING) {
                alias = t;
            }
        }
        return alias != null ? SqlParser.syntaxErrorAt(sql, alias)
                : SqlParseException.syntax("syntax error at or near string [position=" + itemPosition + "]", itemPosition);
    }

    private Statement.FromSource fromSource(FromItem item) {
        Statement.FromSource source = plainFromSource(item);
        if (item.getAlias() != null && item.getAlias().getAliasColumns() != null
                && !item.getAlias().getAliasColumns().isEmpty()) {
            List<String> columns = new ArrayList<>();
            for (net.sf.jsqlparser.expression.Alias.AliasColumn c : item.getAlias().getAliasColumns()) {
                if (c.colDataType != null) {
                    throw notSupported("column definition lists are not supported", positionOf(item));
                }
                columns.add(identifier(c.name));
            }
            return new Statement.FromSource.ColumnAliases(source, List.copyOf(columns), positionOf(item));
        }
        return source;
    }

    private Statement.FromSource plainFromSource(FromItem item) {
        int position = positionOf(item);
        String alias = null;
        if (item.getAlias() != null) {
            alias = identifier(item.getAlias().getName());
        }
        if (item instanceof Table table) {
            if (table.getPivot() != null || table.getUnPivot() != null || table.getSampleClause() != null) {
                throw notSupported("table clause not supported", position);
            }
            return new Statement.FromSource.Table(tableName(table), alias, position);
        }
        if (item instanceof TableFunction function) {
            Expr.FunctionCall call = functionCall(function.getFunction(), position);
            if (call.star() || call.distinct()) {
                throw SqlParser.syntaxErrorAt(sql, tokenAtPosition(position));
            }
            return new Statement.FromSource.TableFunction(call.name(), call.args(), alias, position);
        }
        if (item instanceof net.sf.jsqlparser.statement.select.ParenthesedSelect sub && sub.getSelect() != null) {
            if (alias == null) {
                throw SqlParseException.syntax("subquery in FROM must have an alias [position=" + position + "]",
                        position);
            }
            return new Statement.FromSource.Subquery(subquery(sub.getSelect(), position), alias, position);
        }
        throw notSupported("this from item is not supported", position > 0 ? position : tokens.get(0).position());
    }

    // ---- INSERT ----

    private Statement insert(Insert insert) {
        int at = tokens.get(0).position();
        if ((insert.getWithItemsList() != null && !insert.getWithItemsList().isEmpty())
                || insert.getReturningClause() != null || insert.getConflictAction() != null
                || insert.getConflictTarget() != null || insert.isUseDuplicate() || insert.isUseSet()
                || insert.isOverwrite() || insert.isModifierIgnore() || insert.getOutputClause() != null
                || insert.isOnlyDefaultValues() || insert.getModifierPriority() != null
                || (insert.getPartitions() != null && !insert.getPartitions().isEmpty())) {
            throw notSupported("insert clause not supported [statement=" + abbreviate(insert.toString()) + "]", at);
        }
        Table table = insert.getTable();
        int tablePosition = positionOf(table);
        if (table.getAlias() != null) {
            throw notSupported("insert with a table alias is not supported", tablePosition);
        }
        List<String> columns = new ArrayList<>();
        if (insert.getColumns() != null) {
            for (Column column : insert.getColumns()) {
                if (column.getTable() != null && column.getTable().getName() != null) {
                    throw SqlParser.syntaxErrorAt(sql, tokenAtPosition(positionOf(column)) != null
                            ? tokenAtPosition(positionOf(column)) : tokens.get(0));
                }
                columns.add(identifier(column.getColumnName()));
            }
        }
        if (!(insert.getSelect() instanceof Values values)) {
            throw notSupported("insert from a query is not supported, use values", at);
        }
        ExpressionList<?> list = values.getExpressions();
        List<List<Expr>> rows = new ArrayList<>();
        if (list instanceof ParenthesedExpressionList<?>) {
            rows.add(row(list));
        } else {
            for (Expression row : list) {
                if (!(row instanceof ParenthesedExpressionList<?> parenthesed)) {
                    int position = positionOf(row);
                    Token token = tokenAtPosition(position);
                    throw token != null ? SqlParser.syntaxErrorAt(sql, token)
                            : SqlParseException.syntax("syntax error in values [position=" + position + "]", position);
                }
                rows.add(row(parenthesed));
            }
        }
        int width = rows.get(0).size();
        for (int i = 1; i < rows.size(); i++) {
            if (rows.get(i).size() != width) {
                throw SqlParseException.syntax("values lists must all be the same length [row=" + (i + 1) + "]",
                        positionOf(list.get(i)));
            }
        }
        return new Statement.Insert(tableName(table), List.copyOf(columns), rows, tablePosition);
    }

    // ---- UPDATE and DELETE ----

    private Statement update(net.sf.jsqlparser.statement.update.Update update) {
        int at = tokens.get(0).position();
        if ((update.getWithItemsList() != null && !update.getWithItemsList().isEmpty())
                || update.getFromItem() != null || (update.getJoins() != null && !update.getJoins().isEmpty())
                || (update.getStartJoins() != null && !update.getStartJoins().isEmpty())
                || update.getReturningClause() != null || update.getOutputClause() != null
                || (update.getOrderByElements() != null && !update.getOrderByElements().isEmpty())
                || update.getLimit() != null || update.getPreferringClause() != null) {
            throw notSupported("update clause not supported [statement=" + abbreviate(update.toString()) + "]", at);
        }
        Table table = update.getTable();
        int tablePosition = positionOf(table);
        if (table.getAlias() != null) {
            throw notSupported("update with a table alias is not supported", tablePosition);
        }
        List<Statement.Assignment> assignments = new ArrayList<>();
        for (net.sf.jsqlparser.statement.update.UpdateSet set : update.getUpdateSets()) {
            if (set.getColumns().size() != 1 || set.getValues().size() != 1) {
                throw notSupported("update of a column list is not supported, assign each column on its own",
                        positionOf(set.getColumns().get(0)));
            }
            Column column = set.getColumns().get(0);
            int columnPosition = positionOf(column);
            if (column.getTable() != null && column.getTable().getName() != null) {
                Token token = tokenAtPosition(columnPosition);
                throw SqlParser.syntaxErrorAt(sql, token != null ? token : tokens.get(0));
            }
            Expression value = set.getValue(0);
            assignments.add(new Statement.Assignment(identifier(column.getColumnName()),
                    expr(value, columnPosition), columnPosition));
        }
        Expr where = update.getWhere() == null ? null : expr(update.getWhere(), 0);
        return new Statement.Update(tableName(table), List.copyOf(assignments), where, tablePosition);
    }

    private Statement delete(net.sf.jsqlparser.statement.delete.Delete delete) {
        int at = tokens.get(0).position();
        if ((delete.getWithItemsList() != null && !delete.getWithItemsList().isEmpty())
                || (delete.getTables() != null && !delete.getTables().isEmpty())
                || (delete.getUsingList() != null && !delete.getUsingList().isEmpty())
                || (delete.getJoins() != null && !delete.getJoins().isEmpty())
                || delete.getReturningClause() != null || delete.getOutputClause() != null
                || (delete.getOrderByElements() != null && !delete.getOrderByElements().isEmpty())
                || delete.getLimit() != null || delete.getPreferringClause() != null || !delete.isHasFrom()
                || delete.isModifierIgnore() || delete.isModifierQuick() || delete.getModifierPriority() != null) {
            throw notSupported("delete clause not supported [statement=" + abbreviate(delete.toString()) + "]", at);
        }
        Table table = delete.getTable();
        int tablePosition = positionOf(table);
        if (table.getAlias() != null) {
            throw notSupported("delete with a table alias is not supported", tablePosition);
        }
        Expr where = delete.getWhere() == null ? null : expr(delete.getWhere(), 0);
        return new Statement.Delete(tableName(table), where, tablePosition);
    }

    private List<Expr> row(ExpressionList<?> values) {
        List<Expr> row = new ArrayList<>(values.size());
        for (Expression value : values) {
            row.add(expr(value, 0));
        }
        return List.copyOf(row);
    }

    // ---- CREATE TABLE ----

    /** Index of the first token after the column list's closing parenthesis, -1 if there is no column list. */
    private int createTableTailStart() {
        int depth = 0;
        for (int i = 2; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isSymbol("(")) {
                depth++;
            } else if (t.isSymbol(")")) {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (depth == 0 && t.isKeyword("as")) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * Parses {@code [TIMESTAMP(col)] [PARTITION BY unit] [TTL n unit]} from {@code from}; returns the index after it.
     */
    private int parseCreateTableTail(int from) {
        int i = from;
        if (i + 3 < tokens.size() && tokens.get(i).isKeyword("timestamp") && tokens.get(i + 1).isSymbol("(")) {
            Token column = tokens.get(i + 2);
            if (column.kind() != Token.Kind.IDENT && column.kind() != Token.Kind.QUOTED_IDENT) {
                throw SqlParser.syntaxErrorAt(sql, column);
            }
            if (!tokens.get(i + 3).isSymbol(")")) {
                throw SqlParser.syntaxErrorAt(sql, tokens.get(i + 3));
            }
            timestampColumn = column.text();
            timestampToken = column;
            i += 4;
        } else if (i < tokens.size() && tokens.get(i).isKeyword("timestamp")) {
            throw i + 1 < tokens.size() ? SqlParser.syntaxErrorAt(sql, tokens.get(i + 1))
                    : SqlParser.syntaxErrorAtEnd(endPosition());
        }
        if (i < tokens.size() && tokens.get(i).isKeyword("partition")) {
            Token partition = tokens.get(i);
            if (i + 1 >= tokens.size()) {
                throw SqlParser.syntaxErrorAtEnd(endPosition());
            }
            if (!tokens.get(i + 1).isKeyword("by")) {
                throw SqlParser.syntaxErrorAt(sql, tokens.get(i + 1));
            }
            if (i + 2 >= tokens.size()) {
                throw SqlParser.syntaxErrorAtEnd(endPosition());
            }
            Token unit = tokens.get(i + 2);
            try {
                if (unit.kind() != Token.Kind.IDENT) {
                    throw new IllegalArgumentException();
                }
                partitionBy = PartitionUnit.valueOf(unit.text().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw SqlParseException.syntax("invalid partition unit, expected NONE, HOUR, DAY, MONTH or YEAR [unit="
                        + sql.substring(unit.start(), unit.end()) + "]", unit.position());
            }
            if (partitionBy != PartitionUnit.NONE && timestampColumn == null) {
                throw SqlParseException.syntax("partition by requires a designated timestamp column, "
                        + "add TIMESTAMP(column) before PARTITION BY [partition=" + partitionBy + "]",
                        partition.position());
            }
            i += 3;
        }
        if (i < tokens.size() && tokens.get(i).isKeyword("ttl")) {
            ttlToken = tokens.get(i);
            TtlClause.Parsed parsed = TtlClause.parse(sql, tokens, i + 1, endPosition());
            ttl = parsed.ttl();
            i = parsed.next();
        }
        if (i < tokens.size() && i > from) {
            throw SqlParser.syntaxErrorAt(sql, tokens.get(i));
        }
        return i;
    }

    private Statement createTable(CreateTable create) {
        int at = tokens.get(0).position();
        if (create.isUnlogged() || create.isOrReplace() || create.getSelect() != null || create.getLikeTable() != null
                || (create.getCreateOptionsStrings() != null && !create.getCreateOptionsStrings().isEmpty())
                || (create.getTableOptionsStrings() != null && !create.getTableOptionsStrings().isEmpty())
                || create.getRowMovement() != null || create.getSpannerInterleaveIn() != null) {
            throw notSupported("create table option not supported [statement=" + abbreviate(create.toString()) + "]", at);
        }
        if (create.getIndexes() != null && !create.getIndexes().isEmpty()) {
            throw notSupported("table constraints are not supported", at);
        }
        Table table = create.getTable();
        int tablePosition = positionOf(table);
        List<ColumnDefinition> definitions = create.getColumnDefinitions();
        if (definitions == null || definitions.isEmpty()) {
            throw SqlParseException.syntax("a table needs at least one column", tablePosition);
        }
        List<int[]> elements = columnElementPositions();
        List<Statement.ColumnDef> columns = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < definitions.size(); i++) {
            ColumnDefinition definition = definitions.get(i);
            int namePosition = i < elements.size() ? elements.get(i)[0] : tablePosition;
            int typePosition = i < elements.size() ? elements.get(i)[1] : tablePosition;
            String name = identifier(definition.getColumnName());
            if (definition.getColumnSpecs() != null && !definition.getColumnSpecs().isEmpty()) {
                throw notSupported("column constraints are not supported [column=" + name + ", constraint="
                        + String.join(" ", definition.getColumnSpecs()).toLowerCase(Locale.ROOT) + "]", namePosition);
            }
            if (!names.add(name)) {
                throw new SqlParseException("42701", "column specified more than once [column=" + name + "]",
                        namePosition);
            }
            columns.add(new Statement.ColumnDef(name, sqlType(definition.getColDataType(), typePosition), namePosition));
        }
        if (timestampColumn != null) {
            Statement.ColumnDef designated = columns.stream().filter(c -> c.name().equals(timestampColumn))
                    .findFirst().orElseThrow(() -> new SqlParseException("42703", "column does not exist [column="
                            + timestampColumn + "]", timestampToken.position()));
            if (designated.type() != SqlType.TIMESTAMP) {
                throw new SqlParseException("42804", "designated timestamp column must be of type timestamp [column="
                        + timestampColumn + ", type=" + designated.type().name().toLowerCase(Locale.ROOT) + "]",
                        timestampToken.position());
            }
        }
        if (ttl != null && partitionBy == PartitionUnit.NONE) {
            throw new SqlParseException("42P16", "ttl needs a partitioned table [table=" + tableName(table) + "]",
                    ttlToken.position());
        }
        return new Statement.CreateTable(tableName(table), create.isIfNotExists(), List.copyOf(columns),
                timestampColumn, partitionBy, ttl, tablePosition);
    }

    /** For each element of the column list: {position of its first token, position of its second token}. */
    private List<int[]> columnElementPositions() {
        List<int[]> elements = new ArrayList<>();
        int depth = 0;
        boolean elementStart = false;
        for (int i = 2; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isSymbol("(")) {
                depth++;
                if (depth == 1) {
                    elementStart = true;
                    continue;
                }
            } else if (t.isSymbol(")")) {
                depth--;
                if (depth == 0) {
                    break;
                }
            } else if (depth == 1 && t.isSymbol(",")) {
                elementStart = true;
                continue;
            }
            if (elementStart && depth == 1) {
                int second = i + 1 < tokens.size() ? tokens.get(i + 1).position() : t.position();
                elements.add(new int[] {t.position(), second});
                elementStart = false;
            }
        }
        return elements;
    }

    // ---- expressions ----

    private List<Expr> exprs(ExpressionList<?> list) {
        List<Expr> result = new ArrayList<>();
        if (list != null) {
            for (Expression e : list) {
                result.add(expr(e, 0));
            }
        }
        return result;
    }

    /** Converts an expression; {@code fallback} is its position when JSqlParser kept no node for it. */
    private Expr expr(Expression e, int fallback) {
        int own = positionOf(e);
        int position = own > 0 ? own : fallback;
        if (e instanceof Column column) {
            return column(column, position);
        }
        if (e instanceof LongValue || e instanceof DoubleValue) {
            return number(e, position, false);
        }
        if (e instanceof StringValue) {
            Token token = tokenAtPosition(position);
            if (token == null || token.kind() != Token.Kind.STRING) {
                throw notSupported("string constant not supported [value=" + abbreviate(e.toString()) + "]", position);
            }
            return new Expr.Literal(token.text(), position);
        }
        if (e instanceof NullValue) {
            return new Expr.Literal(null, position);
        }
        if (e instanceof BooleanValue b) {
            return new Expr.Literal(b.getValue(), position);
        }
        if (e instanceof JdbcParameter parameter) {
            Token token = tokenAtPosition(position);
            if (token == null || token.kind() != Token.Kind.PARAM || parameter.getIndex() == null) {
                throw token != null ? SqlParser.syntaxErrorAt(sql, token)
                        : SqlParseException.syntax("syntax error at parameter [position=" + position + "]", position);
            }
            return new Expr.Parameter(SqlParser.parameterIndex(token), position);
        }
        if (e instanceof SignedExpression signed) {
            Expression inner = signed.getExpression();
            int innerPosition = positionOf(inner) > 0 ? positionOf(inner) : nextTokenPosition(position);
            if ((signed.getSign() == '-' || signed.getSign() == '+')
                    && (inner instanceof LongValue || inner instanceof DoubleValue)) {
                Expr.Literal literal = number(inner, innerPosition, signed.getSign() == '-');
                return new Expr.Literal(literal.value(), position);
            }
            if (signed.getSign() == '-') {
                return new Expr.Unary(Expr.UnaryOp.NEGATE, expr(inner, innerPosition), position);
            }
            if (signed.getSign() == '+') {
                return new Expr.Unary(Expr.UnaryOp.PLUS, expr(inner, innerPosition), position);
            }
            throw notSupported("operator not supported [operator=" + signed.getSign() + "]", position);
        }
        if (e instanceof NotExpression not) {
            if (not.isExclamationMark()) {
                throw notSupported("operator not supported [operator=!]", position);
            }
            Expr operand = expr(not.getExpression(), nextTokenPosition(position));
            return new Expr.Unary(Expr.UnaryOp.NOT, operand, own > 0 ? own : keywordBefore(operand.position(), "not"));
        }
        if (e instanceof ParenthesedExpressionList<?> list) {
            if (list.size() != 1) {
                throw notSupported("row constructors are not supported", position);
            }
            return expr(list.get(0), nextTokenPosition(position));
        }
        Expr extended = extendedExpr(e, position);
        if (extended != null) {
            return extended;
        }
        if (e instanceof IsNullExpression isNull) {
            Expr operand = expr(isNull.getLeftExpression(), position);
            return new Expr.IsNull(operand, isNull.isNot(), operand.position());
        }
        if (e instanceof Between between) {
            Expr operand = expr(between.getLeftExpression(), position);
            return new Expr.Between(operand, expr(between.getBetweenExpressionStart(), 0),
                    expr(between.getBetweenExpressionEnd(), 0), between.isNot(), operand.position());
        }
        if (e instanceof InExpression in) {
            Expr operand = expr(in.getLeftExpression(), fallback);
            if (in.getRightExpression() instanceof net.sf.jsqlparser.statement.select.Select sub) {
                return new Expr.InSubquery(operand, subquery(sub, position), in.isNot(), operand.position());
            }
            if (!(in.getRightExpression() instanceof ExpressionList<?> items) || in.isGlobal()
                    || in.getOldOracleJoinSyntax() != 0) {
                throw notSupported("subqueries are not supported", operand.position());
            }
            return new Expr.InList(operand, List.copyOf(exprs(items)), in.isNot(), operand.position());
        }
        if ((e instanceof EqualsTo || e instanceof NotEqualsTo)
                && ((BinaryExpression) e).getRightExpression() instanceof ExpressionList<?> list
                && inListStarts.contains(positionOf(list) - 1)) {
            Expr operand = expr(((BinaryExpression) e).getLeftExpression(), position);
            return new Expr.InList(operand, List.copyOf(exprs(list)), e instanceof NotEqualsTo, operand.position());
        }
        if (e instanceof AndExpression || e instanceof OrExpression) {
            return logicChain((BinaryExpression) e, position);
        }
        if (e instanceof BinaryExpression binary) {
            Expr.BinaryOp op = binaryOp(binary, position);
            Expr left = expr(binary.getLeftExpression(), position);
            Expr right = expr(binary.getRightExpression(), 0);
            return new Expr.Binary(op, left, right, left.position() > 0 ? left.position() : position);
        }
        if (e instanceof Function function) {
            if (function.getMultipartName() != null && function.getMultipartName().size() == 1
                    && function.getName().equalsIgnoreCase("array") && function.getParameters() != null
                    && function.getParameters().size() == 1
                    && function.getParameters().get(0) instanceof net.sf.jsqlparser.statement.select.Select sub) {
                return new Expr.ArraySubquery(subquery(sub, position), position);
            }
            return functionCall(function, position);
        }
        if (e instanceof TimeKeyExpression timeKey) {
            String name = timeKey.getStringValue().toLowerCase(Locale.ROOT);
            if (!NILADIC_FUNCTIONS.contains(name)) {
                throw notSupported("function not supported [function=" + name + "]", position);
            }
            return new Expr.FunctionCall(name, List.of(), false, false, position);
        }
        if (e instanceof CastExpression cast) {
            return cast(cast, position);
        }
        if (e instanceof net.sf.jsqlparser.expression.IntervalExpression interval) {
            return intervalLiteral(interval, position);
        }
        if (e instanceof AnalyticExpression analytic) {
            String name = analytic.getName() == null ? "" : analytic.getName().toLowerCase(Locale.ROOT);
            if (!name.equals("row_number") || analytic.getFilterExpression() != null
                    || analytic.getWindowElement() != null || analytic.getWindowName() != null
                    || analytic.getExpression() != null || analytic.isDistinct() || analytic.isAllColumns()) {
                throw notSupported("window functions other than row_number() over (...) and aggregate filters are "
                        + "not supported", position);
            }
            List<Expr> partitionBy = analytic.getPartitionExpressionList() == null ? List.of()
                    : List.copyOf(exprs(analytic.getPartitionExpressionList()));
            return new Expr.WindowCall(new Expr.FunctionCall(name, List.of(), false, false, position), partitionBy,
                    orderItems(analytic.getOrderByElements()), position);
        }
        if (e instanceof net.sf.jsqlparser.statement.select.Select
                || e instanceof net.sf.jsqlparser.expression.operators.relational.ExistsExpression) {
            throw notSupported("this subquery form is not supported", position);
        }
        throw notSupported("expression not supported [expression=" + abbreviate(String.valueOf(e)) + "]", position);
    }

    /**
     * A left-deep chain {@code a AND b AND c ...} (or OR) converted without recursing down its left spine, so that
     * a thousand conditions do not exhaust the stack.
     */
    private Expr logicChain(BinaryExpression top, int position) {
        Class<?> kind = top.getClass();
        List<BinaryExpression> spine = new ArrayList<>();
        Expression node = top;
        while (node.getClass() == kind) {
            spine.add((BinaryExpression) node);
            node = ((BinaryExpression) node).getLeftExpression();
        }
        Expr.BinaryOp op = top instanceof AndExpression ? Expr.BinaryOp.AND : Expr.BinaryOp.OR;
        Expr acc = expr(node, position);
        for (int i = spine.size() - 1; i >= 0; i--) {
            Expr right = expr(spine.get(i).getRightExpression(), 0);
            acc = new Expr.Binary(op, acc, right, acc.position() > 0 ? acc.position() : position);
        }
        return acc;
    }

    /**
     * The expressions catalog queries use (CASE, LIKE, regex, subqueries, arrays, ANY), or null for the others. A
     * method of its own keeps {@link #expr}'s stack frame small: long AND chains recurse through it.
     */
    private Expr extendedExpr(Expression e, int position) {
        if (e instanceof net.sf.jsqlparser.expression.RowGetExpression get) {
            return new Expr.FieldSelect(expr(get.getExpression(), position), identifier(get.getColumnName()), position);
        }
        if (e instanceof net.sf.jsqlparser.expression.TrimFunction trim) {
            Expression source = trim.getFromExpression() != null ? trim.getFromExpression() : trim.getExpression();
            Expression chars = trim.getFromExpression() != null ? trim.getExpression() : null;
            String spec = trim.getTrimSpecification() == null ? "BOTH" : trim.getTrimSpecification().name();
            String name = spec.equals("LEADING") ? "ltrim" : spec.equals("TRAILING") ? "rtrim" : "btrim";
            List<Expr> args = new ArrayList<>();
            args.add(expr(source, 0));
            if (chars != null) {
                args.add(expr(chars, 0));
            }
            return new Expr.FunctionCall(name, List.copyOf(args), false, false, position);
        }
        if (e instanceof net.sf.jsqlparser.expression.operators.arithmetic.BitwiseAnd
                || e instanceof net.sf.jsqlparser.expression.operators.arithmetic.BitwiseOr) {
            BinaryExpression b = (BinaryExpression) e;
            Expr left = expr(b.getLeftExpression(), position);
            return new Expr.Bitwise(e instanceof net.sf.jsqlparser.expression.operators.arithmetic.BitwiseAnd
                    ? "&" : "|", left, expr(b.getRightExpression(), 0), left.position() > 0 ? left.position() : position);
        }
        if (e instanceof net.sf.jsqlparser.expression.CaseExpression c) {
            Expr operand = c.getSwitchExpression() == null ? null : expr(c.getSwitchExpression(), 0);
            List<Expr.When> whens = new ArrayList<>();
            for (net.sf.jsqlparser.expression.WhenClause w : c.getWhenClauses()) {
                whens.add(new Expr.When(expr(w.getWhenExpression(), 0), expr(w.getThenExpression(), 0)));
            }
            Expr otherwise = c.getElseExpression() == null ? null : expr(c.getElseExpression(), 0);
            return new Expr.Case(operand, List.copyOf(whens), otherwise, position);
        }
        if (e instanceof net.sf.jsqlparser.expression.operators.relational.LikeExpression like) {
            if (like.getEscape() != null || like.isUseBinary()) {
                throw notSupported("like form not supported [expression=" + abbreviate(like.toString()) + "]",
                        position);
            }
            String keyword = like.getLikeKeyWord() == null ? "LIKE" : like.getLikeKeyWord().name();
            if (!keyword.equals("LIKE") && !keyword.equals("ILIKE")) {
                throw notSupported("operator not supported [operator=" + keyword.toLowerCase(Locale.ROOT) + "]",
                        position);
            }
            Expr operand = expr(like.getLeftExpression(), position);
            return new Expr.Like(operand, expr(like.getRightExpression(), 0), like.isNot(),
                    keyword.equals("ILIKE") || like.isCaseInsensitive(), operand.position());
        }
        if (e instanceof net.sf.jsqlparser.expression.operators.relational.RegExpMatchOperator regex) {
            String type = regex.getOperatorType().name();
            boolean negated = type.startsWith("NOT_");
            boolean insensitive = type.endsWith("CASEINSENSITIVE");
            if (!type.contains("MATCH")) {
                throw notSupported("operator not supported [operator=" + regex.getStringExpression() + "]", position);
            }
            Expr operand = expr(regex.getLeftExpression(), position);
            return new Expr.RegexMatch(operand, expr(regex.getRightExpression(), 0), negated, insensitive,
                    operand.position());
        }
        if (e instanceof net.sf.jsqlparser.statement.select.ParenthesedSelect sub) {
            return new Expr.ScalarSubquery(subquery(sub, position), position);
        }
        if (e instanceof net.sf.jsqlparser.expression.operators.relational.ExistsExpression exists
                && exists.getRightExpression() instanceof net.sf.jsqlparser.statement.select.Select sub) {
            return new Expr.Exists(subquery(sub, position), exists.isNot(), position);
        }
        if (e instanceof net.sf.jsqlparser.expression.ArrayConstructor array) {
            return new Expr.ArrayLiteral(List.copyOf(exprs(array.getExpressions())), position);
        }
        if (e instanceof net.sf.jsqlparser.expression.ArrayExpression subscript) {
            if (subscript.getIndexExpression() == null) {
                throw notSupported("array slices are not supported", position);
            }
            return new Expr.Subscript(expr(subscript.getObjExpression(), position),
                    expr(subscript.getIndexExpression(), 0), position);
        }
        if (e instanceof BinaryExpression quantified && isComparison(quantified)
                && quantified.getRightExpression() instanceof Function f && f.getParameters() != null
                && f.getParameters().size() == 1 && f.getMultipartName() != null
                && f.getMultipartName().size() == 1
                && Set.of("any", "some", "all").contains(f.getName().toLowerCase(Locale.ROOT))) {
            Expr left = expr(quantified.getLeftExpression(), position);
            Expression argument = f.getParameters().get(0);
            Expr array = argument instanceof net.sf.jsqlparser.statement.select.Select sub
                    ? new Expr.ArraySubquery(subquery(sub, position), position) : expr(argument, 0);
            return new Expr.Quantified(binaryOp(quantified, position), left, array,
                    f.getName().equalsIgnoreCase("all"), left.position() > 0 ? left.position() : position);
        }
        if ((e instanceof EqualsTo || e instanceof NotEqualsTo)
                && ((BinaryExpression) e).getRightExpression()
                instanceof net.sf.jsqlparser.statement.select.ParenthesedSelect sub
                && inListStarts.contains(positionOf(sub) - 1)) {
            Expr operand = expr(((BinaryExpression) e).getLeftExpression(), position);
            return new Expr.InSubquery(operand, subquery(sub, position), e instanceof NotEqualsTo,
                    operand.position());
        }
        return null;
    }

    /** Position of the key word {@code word} just before the token at {@code position}, skipping "(", or 0. */
    private int keywordBefore(int position, String word) {
        int i = position > 0 ? tokenIndexAt(position - 1) : -1;
        for (i--; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.isKeyword(word)) {
                return t.position();
            }
            if (!t.isSymbol("(")) {
                return 0;
            }
        }
        return 0;
    }

    private Expr column(Column column, int position) {
        if (column.getArrayConstructor() != null) {
            net.sf.jsqlparser.expression.ArrayConstructor index = column.getArrayConstructor();
            if (index.getExpressions() == null || index.getExpressions().size() != 1) {
                throw notSupported("array slices and multi-dimensional subscripts are not supported", position);
            }
            Column plain = new Column(column.getTable(), column.getColumnName());
            plain.setASTNode(column.getASTNode());
            return new Expr.Subscript(column(plain, position), expr(index.getExpressions().get(0), 0), position);
        }
        String raw = column.getColumnName();
        Token token = tokenAtPosition(position);
        if (token != null && token.kind() != Token.Kind.IDENT && token.kind() != Token.Kind.QUOTED_IDENT) {
            // JSqlParser reads "1e" or "#" as column names; PostgreSQL does not
            int i = tokenIndexAt(token.start());
            throw token.kind() == Token.Kind.NUMBER && i + 1 < tokens.size()
                    ? SqlParser.syntaxErrorAt(sql, tokens.get(i + 1)) : SqlParser.syntaxErrorAt(sql, token);
        }
        if (raw.equalsIgnoreCase("default") && column.getTable() == null) {
            throw notSupported("default values are not supported", position);
        }
        Table table = column.getTable();
        boolean qualified = table != null && table.getName() != null;
        if (!qualified && !isQuoted(raw) && NILADIC_FUNCTIONS.contains(raw.toLowerCase(Locale.ROOT))) {
            return new Expr.FunctionCall(raw.toLowerCase(Locale.ROOT), List.of(), false, false, position);
        }
        if (qualified && table.getSchemaName() != null) {
            throw notSupported("column references with a schema are not supported [column=" + column + "]", position);
        }
        return new Expr.ColumnRef(qualified ? identifier(table.getName()) : null, identifier(raw), position);
    }

    /** A numeric literal from our token's text (so 1e400, 0.5 and huge integers keep their meaning). */
    private Expr.Literal number(Expression e, int position, boolean negate) {
        Token token = tokenAtPosition(position);
        String text = token != null && token.kind() == Token.Kind.NUMBER ? token.text() : e.toString();
        String signed = negate ? "-" + text : text;
        boolean integral = text.chars().allMatch(c -> c >= '0' && c <= '9');
        if (integral) {
            try {
                return new Expr.Literal(Long.parseLong(signed), position);
            } catch (NumberFormatException tooLarge) {
                // falls through: PostgreSQL makes it numeric, the AST a double
            }
        }
        try {
            return new Expr.Literal(Double.parseDouble(signed), position);
        } catch (NumberFormatException e2) {
            Token at = tokenAtPosition(position);
            throw at != null ? SqlParser.syntaxErrorAt(sql, at)
                    : SqlParseException.syntax("invalid number [value=" + text + "]", position);
        }
    }

    private Expr.FunctionCall functionCall(Function f, int position) {
        if (f.getKeep() != null || (f.getOrderByElements() != null && !f.getOrderByElements().isEmpty())
                || f.getNamedParameters() != null || f.isIgnoreNulls() || f.isIgnoreNullsOutside()
                || f.getHavingClause() != null || f.getLimit() != null || f.getAttribute() != null
                || f.getNullHandling() != null || f.isUnique() || f.isEscaped() || f.getExtraKeyword() != null
                || f.getOnOverflowTruncate() != null) {
            throw notSupported("function call form not supported [function=" + abbreviate(f.toString()) + "]",
                    position);
        }
        List<String> parts = f.getMultipartName();
        String name;
        if (parts != null && parts.size() > 1) {
            String qualifier = identifier(parts.get(parts.size() - 2));
            name = identifier(parts.get(parts.size() - 1));
            if (parts.size() > 2 || !qualifier.equals("pg_catalog")) {
                name = qualifier + "." + name;
            }
        } else {
            name = identifier(f.getName());
        }
        boolean star = f.isAllColumns();
        List<Expr> args = new ArrayList<>();
        ExpressionList<?> parameters = f.getParameters();
        if (parameters != null) {
            if (parameters.size() == 1 && parameters.get(0) instanceof AllColumns
                    && !(parameters.get(0) instanceof net.sf.jsqlparser.statement.select.AllTableColumns)) {
                star = true;
            } else {
                for (Expression parameter : parameters) {
                    args.add(expr(parameter, 0));
                }
            }
        }
        return new Expr.FunctionCall(name, List.copyOf(args), star, f.isDistinct(), position);
    }

    private Expr cast(CastExpression cast, int position) {
        if (cast.keyword != null && !cast.keyword.equalsIgnoreCase("cast")) {
            throw notSupported("function not supported [function=" + cast.keyword.toLowerCase(Locale.ROOT) + "]",
                    position);
        }
        if (cast.getColumnDefinitions() != null && !cast.getColumnDefinitions().isEmpty()) {
            throw notSupported("row casts are not supported", position);
        }
        ColDataType type = cast.getColDataType();
        Expression operand = cast.getLeftExpression();
        String firstWord = typeName(type).split(" ")[0];
        Token head = tokenAtPosition(position);
        boolean typedLiteral = !cast.isUseCastKeyword() && operand instanceof StringValue && head != null
                && head.kind() == Token.Kind.IDENT && head.text().equals(firstWord) && positionOf(operand) == 0;
        int operandPosition = position;
        if (typedLiteral) {
            int i = tokenIndexAt(head.start());
            while (i < tokens.size() && tokens.get(i).kind() != Token.Kind.STRING) {
                i++;
            }
            operandPosition = i < tokens.size() ? tokens.get(i).position() : position;
        } else if (cast.isUseCastKeyword()) {
            operandPosition = nextTokenPosition(nextTokenPosition(position));
        }
        Expr converted = expr(operand, operandPosition);
        int typePosition = typedLiteral ? position : typePosition(position, firstWord);
        String catalogType = catalogTypeName(type);
        if (catalogType != null) {
            return new Expr.CatalogCast(converted, catalogType, position);
        }
        return new Expr.Cast(converted, sqlType(type, typePosition), position);
    }

    /**
     * {@code INTERVAL '1 day'} (and {@code INTERVAL '1' DAY}): a typed literal, as a cast of the string to
     * {@link SqlType#INTERVAL}. The text is checked here so that a bad literal fails before planning, with its
     * position: 22007 for bad syntax, 22015 for a field out of range, as PostgreSQL reports them.
     */
    private Expr intervalLiteral(net.sf.jsqlparser.expression.IntervalExpression interval, int position) {
        Token head = tokenAtPosition(position);
        int i = head == null ? -1 : tokenIndexAt(head.start());
        if (i < 0 || !head.isKeyword("interval") || interval.getExpression() != null || i + 1 >= tokens.size()
                || tokens.get(i + 1).kind() != Token.Kind.STRING) {
            throw notSupported("interval literal must be INTERVAL '<text>' [expression="
                    + abbreviate(interval.toString()) + "]", position);
        }
        Token literal = tokens.get(i + 1);
        String text = literal.text();
        if (interval.getIntervalType() != null) {
            // INTERVAL '1' DAY: the unit word after the string labels a bare number.
            text = text + " " + interval.getIntervalType().toLowerCase(Locale.ROOT);
        }
        try {
            IntervalText.parseInterval(text);
        } catch (IntervalText.FieldOutOfRange e) {
            throw new SqlParseException("22015", e.getMessage(), literal.position());
        } catch (IllegalArgumentException e) {
            throw new SqlParseException("22007", e.getMessage(), literal.position());
        }
        return new Expr.Cast(new Expr.Literal(text, literal.position()), SqlType.INTERVAL, position);
    }

    /** Position of the type name of a cast: the first {@code :: word} or {@code AS word} after {@code from}. */
    private int typePosition(int from, String firstWord) {
        int i = from > 0 ? tokenIndexAt(from - 1) : -1;
        if (i < 0) {
            return from;
        }
        for (; i + 1 < tokens.size(); i++) {
            Token t = tokens.get(i);
            if ((t.isSymbol("::") || t.isKeyword("as")) && tokens.get(i + 1).text().equalsIgnoreCase(firstWord)) {
                return tokens.get(i + 1).position();
            }
        }
        return from;
    }

    /** Types only catalog queries use (see {@link Expr.CatalogCast}): their name, or null for other types. */
    private static final Set<String> CATALOG_TYPES = Set.of("oid", "regclass", "regtype", "regnamespace", "regproc",
            "regprocedure", "regrole", "name", "char", "\"char\"", "int2", "smallint", "int2vector", "oidvector");

    private static String catalogTypeName(ColDataType type) {
        String name = typeName(type);
        if (name.startsWith("pg_catalog.")) {
            name = name.substring("pg_catalog.".length());
        }
        boolean array = type.getArrayData() != null && !type.getArrayData().isEmpty();
        if (name.endsWith("[]")) {
            array = true;
            name = name.substring(0, name.length() - 2).trim();
        }
        if (array) {
            String element = switch (name) {
                case "int2", "smallint" -> "int2";
                case "int4", "int", "integer" -> "int4";
                case "int8", "bigint" -> "int8";
                case "oid", "text", "name", "char", "regclass", "regtype" -> name;
                case "varchar", "character varying" -> "text";
                default -> null;
            };
            return element == null ? null : element + "[]";
        }
        if (name.equals("smallint")) {
            return "int2";
        }
        return CATALOG_TYPES.contains(name) ? name : null;
    }

    private static boolean isComparison(BinaryExpression e) {
        return e instanceof EqualsTo || e instanceof NotEqualsTo || e instanceof MinorThan
                || e instanceof MinorThanEquals || e instanceof GreaterThan || e instanceof GreaterThanEquals;
    }

    private static String typeName(ColDataType type) {
        String name = type.getDataType() == null ? "" : type.getDataType();
        int paren = name.indexOf('(');
        if (paren >= 0) {
            name = name.substring(0, paren);
        }
        return name.trim().replaceAll("\\s+", " ").replace("\"", "").toLowerCase(Locale.ROOT);
    }

    /** Maps a type spelling to one of the column types; anything else is 42704. */
    private SqlType sqlType(ColDataType type, int position) {
        String name = typeName(type);
        if (name.startsWith("pg_catalog.")) {
            name = name.substring("pg_catalog.".length());
        }
        boolean array = type.getArrayData() != null && !type.getArrayData().isEmpty();
        SqlType result = array ? null : switch (name) {
            case "boolean", "bool" -> SqlType.BOOLEAN;
            case "int", "integer", "int4" -> SqlType.INT;
            case "long", "bigint", "int8" -> SqlType.LONG;
            case "double", "double precision", "float8", "float" -> SqlType.DOUBLE;
            case "varchar", "text", "string", "character varying" -> SqlType.VARCHAR;
            case "timestamp", "timestamp without time zone" -> SqlType.TIMESTAMP;
            case "interval" -> SqlType.INTERVAL;
            default -> null;
        };
        if (result == null) {
            throw new SqlParseException("42704", "type does not exist [type=" + (array ? name + "[]" : name) + "]",
                    position);
        }
        List<String> arguments = type.getArgumentsStringList();
        boolean inlineArguments = type.getDataType() != null && type.getDataType().contains("(");
        if ((arguments != null && !arguments.isEmpty()) || inlineArguments) {
            if (result != SqlType.VARCHAR && !(result == SqlType.DOUBLE && name.equals("float"))
                    && result != SqlType.TIMESTAMP) {
                throw SqlParseException.syntax("type does not take a length [type=" + name + "]", position);
            }
        }
        return result;
    }

    // ---- names ----

    private static boolean isQuoted(String name) {
        return name != null && name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"");
    }

    /** Folds an identifier as PostgreSQL does: lower case unless double-quoted, quotes removed. */
    static String identifier(String name) {
        if (isQuoted(name)) {
            return name.substring(1, name.length() - 1).replace("\"\"", "\"");
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /** {@code name} or {@code schema.name}; the schema {@code public} is dropped, others are kept as a prefix. */
    private static String tableName(Table table) {
        String name = identifier(table.getName());
        String schema = table.getSchemaName() == null ? null : identifier(table.getSchemaName());
        if (table.getDatabaseName() != null && !table.getDatabaseName().isEmpty()) {
            schema = identifier(table.getDatabaseName()) + "." + schema;
        }
        return schema == null || schema.equals("public") ? name : schema + "." + name;
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static SqlParseException notSupported(String message, int position) {
        return new SqlParseException(SqlParseException.FEATURE_NOT_SUPPORTED, message, position);
    }

    private static Expr.BinaryOp binaryOp(BinaryExpression e, int position) {
        if (e instanceof Addition) return Expr.BinaryOp.ADD;
        if (e instanceof Subtraction) return Expr.BinaryOp.SUBTRACT;
        if (e instanceof Multiplication) return Expr.BinaryOp.MULTIPLY;
        if (e instanceof Division) return Expr.BinaryOp.DIVIDE;
        if (e instanceof Modulo) return Expr.BinaryOp.MODULO;
        if (e instanceof Concat) return Expr.BinaryOp.CONCAT;
        if (e instanceof EqualsTo eq && eq.getOldOracleJoinSyntax() == 0) return Expr.BinaryOp.EQ;
        if (e instanceof NotEqualsTo) return Expr.BinaryOp.NE;
        if (e instanceof MinorThan) return Expr.BinaryOp.LT;
        if (e instanceof MinorThanEquals) return Expr.BinaryOp.LE;
        if (e instanceof GreaterThan) return Expr.BinaryOp.GT;
        if (e instanceof GreaterThanEquals) return Expr.BinaryOp.GE;
        if (e instanceof AndExpression) return Expr.BinaryOp.AND;
        if (e instanceof OrExpression) return Expr.BinaryOp.OR;
        throw notSupported("operator not supported [operator=" + e.getStringExpression() + "]", position);
    }
}
