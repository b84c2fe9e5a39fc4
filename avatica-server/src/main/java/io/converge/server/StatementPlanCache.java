package io.converge.server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import io.converge.rules.ExactParameters;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserImplFactory;
import org.apache.calcite.sql.parser.impl.SqlParserImpl;

/**
 * Plans a plain statement's SQL once per connection: sqlline, DBeaver and dashboards send the
 * same text again and again through {@code Statement.execute(sql)}, and Calcite would parse,
 * validate, optimize and generate code for it every time (about 100 ms, several times the work
 * of a column aggregate over a million rows). The first execution prepares the text; later ones
 * run an idle prepared statement of the same text. Every execution still reads fresh data.
 *
 * <p>Entries are keyed by the SQL text, a catalog stamp (the collections and their schema
 * versions) and the connection's default schema, so a new field or collection, a dropped one, or
 * a {@code setSchema}, means a new plan. The cache belongs to one connection, whose other
 * properties are the same for every entry. A prepared statement is used by one statement at a
 * time; idle ones are kept up to {@link #MAX_IDLE} per connection, least recently used dropped
 * first.
 *
 * <p>A query that differs from an earlier one only in the literals it compares columns with
 * shares its plan: the cache prepares the query's {@link QueryShape} and binds the literals (a
 * new {@code _id} per lookup costs a bind, not a plan).
 */
final class StatementPlanCache {
  static final int MAX_IDLE = 64;
  static final int MAX_SHAPES = 1_024;
  /** Texts longer than this are not shaped (generated SQL; parsing it twice is no gain). */
  static final int MAX_SHAPED_CHARS = 20_000;
  /** Marks a shape's key apart from a plain text's (a text holding "?" cannot execute). */
  private static final String SHAPE_KEY = "\u0001";
  private static final QueryShape NO_SHAPE = new QueryShape("", java.util.List.of());
  private static final Map<Connection, StatementPlanCache> BY_CONNECTION =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final Connection connection;
  private final Supplier<Object> stamp;
  private final LinkedHashMap<String, ArrayDeque<PreparedStatement>> idle =
      new LinkedHashMap<>(16, 0.75f, true);
  private int idleCount;
  /** Shapes of recent texts ({@link #NO_SHAPE}: none), least recently used dropped first. */
  private final Map<String, QueryShape> shapes = lru(MAX_SHAPES);
  /** Shape keys whose markers a column type would not take as the literals are. */
  private final Map<String, Boolean> unbindable = lru(MAX_SHAPES);
  private volatile SqlParser.Config parser;
  /** Executions served by an idle prepared statement / that prepared one, server-wide. */
  static final java.util.concurrent.atomic.AtomicLong HITS = new java.util.concurrent.atomic.AtomicLong();
  static final java.util.concurrent.atomic.AtomicLong MISSES = new java.util.concurrent.atomic.AtomicLong();
  /** Executions that ran a query's shape with its literals bound, server-wide. */
  static final java.util.concurrent.atomic.AtomicLong SHAPED = new java.util.concurrent.atomic.AtomicLong();

  private final boolean shapeLiterals;

  private StatementPlanCache(Connection connection, Supplier<Object> stamp,
      boolean shapeLiterals) {
    this.connection = connection;
    this.stamp = stamp;
    this.shapeLiterals = shapeLiterals;
  }

  /**
   * The cache of one Calcite connection ({@code key}, the unwrapped one: the server wraps it
   * afresh for every request), preparing through {@code preparer} (a wrapper of it).
   */
  static StatementPlanCache of(Connection key, Connection preparer, Supplier<Object> stamp,
      boolean shapeLiterals) {
    return BY_CONNECTION.computeIfAbsent(key,
        c -> new StatementPlanCache(preparer, stamp, shapeLiterals));
  }

  /**
   * A prepared statement for {@code sql}, idle or new, ready to execute; hand it back with
   * {@link #release}. A query whose compared literals can be bound (see {@link QueryShape}) gets
   * the statement of its shape with this execution's values bound; any other, one of its text.
   */
  Lease take(String sql) throws SQLException {
    String prefix = stamp.get() + "\u0000" + defaultSchema() + "\u0000";
    QueryShape shape = shapeLiterals ? shapeOf(sql) : null;
    if (shape != null) {
      String key = prefix + SHAPE_KEY + shape.text();
      if (!unbindable(key)) {
        Lease lease = take(key, shape.text(), true);
        if (QueryShapeBinding.bind(lease.statement(), shape.values())) {
          SHAPED.incrementAndGet();
          return lease;
        }
        // The column's type does not take the literal as it is: plan this shape with literals.
        closeQuietly(lease.statement());
        synchronized (this) {
          unbindable.put(key, Boolean.TRUE);
        }
      }
    }
    return take(prefix + sql, sql, false);
  }

  /** An idle statement of {@code key}, else {@code sql} prepared ({@code exact}: a shape's). */
  private Lease take(String key, String sql, boolean exact) throws SQLException {
    synchronized (this) {
      ArrayDeque<PreparedStatement> q = idle.get(key);
      PreparedStatement ps = q == null ? null : q.poll();
      if (ps != null) {
        idleCount--;
        HITS.incrementAndGet();
        return new Lease(key, ps);
      }
    }
    MISSES.incrementAndGet();
    // A shape's markers are bound from literals, exactly: storage answers them alone.
    return new Lease(key, exact ? ExactParameters.prepare(() -> connection.prepareStatement(sql))
        : connection.prepareStatement(sql));
  }

  /** The shape of a text, remembered per text (a dashboard repeats its texts). */
  private QueryShape shapeOf(String sql) {
    synchronized (this) {
      QueryShape known = shapes.get(sql);
      if (known != null) {
        return known == NO_SHAPE ? null : known;
      }
    }
    QueryShape shape = sql.length() > MAX_SHAPED_CHARS ? null : QueryShape.of(sql, parserConfig());
    synchronized (this) {
      shapes.put(sql, shape == null ? NO_SHAPE : shape);
    }
    return shape;
  }

  private synchronized boolean unbindable(String key) {
    return unbindable.get(key) != null;
  }

  /** The parser settings of the connection (quoting, casing, conformance, parser factory). */
  private SqlParser.Config parserConfig() {
    SqlParser.Config config = parser;
    if (config == null) {
      try {
        CalciteConnectionConfig c = connection.unwrap(CalciteConnection.class).config();
        config = SqlParser.config().withQuoting(c.quoting()).withQuotedCasing(c.quotedCasing())
            .withUnquotedCasing(c.unquotedCasing()).withCaseSensitive(c.caseSensitive())
            .withConformance(c.conformance())
            .withParserFactory(c.parserFactory(SqlParserImplFactory.class, SqlParserImpl.FACTORY));
      } catch (SQLException | RuntimeException e) {
        config = SqlParser.config();
      }
      parser = config;
    }
    return config;
  }

  /**
   * The connection's default schema: a client can change it ({@code Connection.setSchema}, synced
   * to the server), and then the same text names other tables.
   */
  private String defaultSchema() throws SQLException {
    return String.valueOf(connection.getSchema());
  }

  /** Returns a statement for reuse (or closes it when the cache is full or it is broken). */
  void release(Lease lease) {
    PreparedStatement evicted = null;
    try {
      // An idle statement must not keep its last result (and its snapshot) open.
      java.sql.ResultSet rs = lease.statement().getResultSet();
      if (rs != null) {
        rs.close();
      }
    } catch (SQLException e) {
      closeQuietly(lease.statement());
      return;
    }
    synchronized (this) {
      try {
        if (lease.statement().isClosed()) {
          return;
        }
      } catch (SQLException e) {
        return;
      }
      idle.computeIfAbsent(lease.key(), k -> new ArrayDeque<>()).add(lease.statement());
      idleCount++;
      if (idleCount > MAX_IDLE) {
        Iterator<Map.Entry<String, ArrayDeque<PreparedStatement>>> it = idle.entrySet().iterator();
        ArrayDeque<PreparedStatement> oldest = it.next().getValue();
        evicted = oldest.poll();
        idleCount--;
        if (oldest.isEmpty()) {
          it.remove();
        }
      }
    }
    if (evicted != null) {
      closeQuietly(evicted);
    }
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  private static void closeQuietly(PreparedStatement ps) {
    try {
      ps.close();
    } catch (SQLException ignored) {
      // closing a statement nobody uses
    }
  }

  /** A prepared statement checked out for one execution of {@code key}'s SQL. */
  record Lease(String key, PreparedStatement statement) {}
}
