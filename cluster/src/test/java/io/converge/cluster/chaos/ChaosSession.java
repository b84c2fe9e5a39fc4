package io.converge.cluster.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * One client's JDBC session through Converge's driver and the failover URL naming both
 * aggregators, reading with the fence of every write the client had acknowledged: given as the
 * {@code fence} connection property when (re)connecting, raised with
 * {@code ALTER SESSION SET fence} before a read when it grew since. A query that fails is retried
 * on a new connection (the old one may be broken: its aggregator died), a bounded number of times
 * within a bounded time.
 */
final class ChaosSession implements AutoCloseable {
  /**
   * A query is retried for up to a minute: longer than a broker restart takes here (20 to 40 s),
   * during which the aggregators may see no live leaf.
   */
  private static final int ATTEMPTS = 40;
  private static final Duration QUERY_BOUND = Duration.ofSeconds(60);
  private static final int QUERY_TIMEOUT_SECONDS = 60;

  private final String url;
  private final String collection;
  private final Properties properties;
  private final ChaosTally tally;
  private final Map<Integer, Long> fence = new TreeMap<>();
  private Connection connection;
  private Statement statement;
  private Map<Integer, Long> connectionFence = Map.of();
  private int connections;

  /**
   * @param replicaGroup the group to read from, or null for the aggregator's choice
   * @param readWaitMs how long a read may wait for the leaves to reach the fence
   */
  ChaosSession(String url, String collection, String replicaGroup, long readWaitMs,
      ChaosTally tally) {
    this.url = url;
    this.collection = collection;
    this.tally = tally;
    this.properties = new Properties();
    if (replicaGroup != null) {
      properties.setProperty("replicaGroup", replicaGroup);
    }
    properties.setProperty("readWaitMs", String.valueOf(readWaitMs));
  }

  /** Raises the fence of this session's reads (partition -> offset of an acknowledged write). */
  void advance(Map<Integer, Long> written) {
    written.forEach((p, o) -> fence.merge(p, o, Math::max));
  }

  Map<Integer, Long> fence() {
    return new TreeMap<>(fence);
  }

  /** How many connections were opened: a new one has a new server session (new monotonicity). */
  int connections() {
    return connections;
  }

  /** Reads a result set into an answer. */
  interface Reader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /**
   * Runs {@code sql} until it is answered, within the bounds, counting the query, its retries and
   * its failure in the tally; null when it was not answered.
   */
  <T> T query(String sql, Reader<T> reader) throws InterruptedException {
    tally.queries.incrementAndGet();
    long start = System.nanoTime();
    try {
      return attempts(sql, reader, start + QUERY_BOUND.toNanos());
    } finally {
      tally.queryNanos.addAndGet(System.nanoTime() - start);
    }
  }

  private <T> T attempts(String sql, Reader<T> reader, long deadline)
      throws InterruptedException {
    SQLException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS && System.nanoTime() < deadline; attempt++) {
      if (attempt > 1) {
        tally.queryRetries.incrementAndGet();
        Thread.sleep(Math.min(2_000, 200L * attempt));
      }
      try {
        Statement st = statement();
        try (ResultSet rs = st.executeQuery(sql)) {
          return reader.read(rs);
        }
      } catch (SQLException e) {
        last = e;
        String kind = QueryFailures.kind(e);
        tally.failure("query: " + kind, sql + ": " + QueryFailures.messages(e));
        // the next query starts on a new connection, whatever broke this one
        closeConnection();
        if (!QueryFailures.retryable(e)) {
          tally.notRetryable(sql + ": " + QueryFailures.messages(e));
          break;
        }
      }
    }
    tally.queriesFailed.incrementAndGet();
    System.err.println("chaos: " + tally.clock() + " query failed for good: " + sql + ": "
        + (last == null ? "out of time" : QueryFailures.messages(last)));
    return null;
  }

  private Statement statement() throws SQLException {
    if (connection == null) {
      Properties p = new Properties();
      p.putAll(properties);
      Map<Integer, Long> now = fence();
      if (!now.isEmpty()) {
        p.setProperty("fence", fenceJson(now));
      }
      connection = DriverManager.getConnection(url, p);
      connections++;
      connectionFence = now;
      statement = connection.createStatement();
      statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
    }
    if (!fence.equals(connectionFence)) {
      Map<Integer, Long> now = fence();
      statement.executeUpdate("ALTER SESSION SET fence = '" + fenceJson(now) + "'");
      connectionFence = now;
    }
    return statement;
  }

  private String fenceJson(Map<Integer, Long> offsets) {
    StringBuilder b = new StringBuilder("{\"").append(collection).append("\": {");
    String sep = "";
    for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
      b.append(sep).append('"').append(e.getKey()).append("\": ").append(e.getValue());
      sep = ", ";
    }
    return b.append("}}").toString();
  }

  private void closeConnection() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException | RuntimeException e) {
      // a broken connection: nothing to close on the server
    }
    connection = null;
    statement = null;
    connectionFence = Map.of();
  }

  @Override
  public void close() {
    closeConnection();
  }
}
