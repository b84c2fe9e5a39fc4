package io.converge.cluster.aggregator.session;

import io.converge.cluster.aggregator.plan.ClusterConnectionProperty;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.calcite.DataContext;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSetOption;

/**
 * What an aggregator remembers of one JDBC connection between its statements: the fence its reads
 * wait for, so that a session reads its own writes. Each SQL write through the connection raises
 * the fence of its collection to the offsets Kafka acknowledged ({@link #wrote}); each read of a
 * collection sends that collection's offsets with its fragments ({@link #readFence}). The
 * {@code fence} connection property seeds it (a fence an HTTP write answered with), as does
 * {@code ALTER SESSION SET fence} ({@link #set}), and {@code readWaitMs} bounds the wait.
 *
 * <p>Sessions are found from a statement's {@link DataContext}, whose query provider is its
 * Calcite connection (one per Avatica connection on the server), and forgotten with the
 * connection (weak keys).
 */
public final class ClusterSession {
  private static final Map<CalciteConnection, ClusterSession> SESSIONS = new WeakHashMap<>();

  private final SessionFence fence;
  private volatile long readWaitMillis;

  ClusterSession(SessionFence fence, long readWaitMillis) {
    this.fence = fence;
    this.readWaitMillis = readWaitMillis;
  }

  /**
   * The session of the statement running with {@code root}, created on its connection's first
   * statement; null when the statement does not run on a Calcite connection.
   *
   * @throws IllegalArgumentException when the connection's {@code fence} or {@code readWaitMs}
   *     property is malformed
   */
  public static ClusterSession of(DataContext root) {
    QueryProvider provider = root == null ? null : root.getQueryProvider();
    if (!(provider instanceof CalciteConnection connection)) {
      return null;
    }
    synchronized (SESSIONS) {
      ClusterSession s = SESSIONS.get(connection);
      if (s == null) {
        s = new ClusterSession(
            SessionFence.parse(ClusterConnectionProperty.fence(connection.config())),
            ClusterConnectionProperty.readWaitMillis(connection.config()));
        SESSIONS.put(connection, s);
      }
      return s;
    }
  }

  /** What a read of {@code collection} by the statement running with {@code root} waits for. */
  public static ReadFence readFence(DataContext root, String collection) {
    ClusterSession s = of(root);
    return s == null ? ReadFence.NONE : s.readFence(collection);
  }

  /** Records a write's fence (partition -> offset of its last record) for later reads. */
  public static void wrote(DataContext root, String collection, Map<Integer, Long> fence) {
    ClusterSession s = of(root);
    if (s != null) {
      s.fence.advance(collection, fence);
    }
  }

  /**
   * Runs {@code ALTER SESSION SET fence = '...'} (raises the session's fence, as the connection
   * property does), {@code ALTER SESSION SET readWaitMs = N}, or their {@code RESET} (no fence at
   * all, even of the session's own writes; the default wait): so that a pooled connection can
   * wait for an HTTP write made after it was opened.
   *
   * @throws IllegalArgumentException for another option, {@code ALTER SYSTEM}, or a bad value
   */
  public static void set(DataContext root, SqlSetOption option) {
    ClusterSession s = of(root);
    if (s == null) {
      throw new IllegalArgumentException("SET applies to a connection to an aggregator");
    }
    if (option.getScope() != null && !option.getScope().equalsIgnoreCase("SESSION")) {
      throw new IllegalArgumentException("ALTER " + option.getScope() + " is not supported;"
          + " the options fence and readWaitMs are set per session");
    }
    String name = option.getName().toString();
    SqlNode value = option.getValue();
    String text = value == null ? null : value instanceof SqlLiteral l ? l.toValue()
        : value.toString();
    if (name.equalsIgnoreCase("ALL") && value == null) {
      s.fence.clear();
      s.readWaitMillis = ClusterConnectionProperty.readWaitMillis((String) null);
    } else if (name.equalsIgnoreCase(ClusterConnectionProperty.FENCE.camelName())) {
      if (value == null) {
        s.fence.clear();
      } else {
        s.fence.advance(SessionFence.parse(text));
      }
    } else if (name.equalsIgnoreCase(ClusterConnectionProperty.READ_WAIT_MS.camelName())) {
      s.readWaitMillis = ClusterConnectionProperty.readWaitMillis(text);
    } else {
      throw new IllegalArgumentException("unknown session option " + name + " (an aggregator's"
          + " are fence and readWaitMs)");
    }
  }

  /** What this session's next read of {@code collection} waits for. */
  public ReadFence readFence(String collection) {
    Map<Integer, Long> offsets = fence.of(collection);
    return offsets.isEmpty() || readWaitMillis <= 0 ? ReadFence.NONE
        : new ReadFence(offsets, readWaitMillis);
  }

  /** The session's fence. */
  public SessionFence fence() {
    return fence;
  }
}
