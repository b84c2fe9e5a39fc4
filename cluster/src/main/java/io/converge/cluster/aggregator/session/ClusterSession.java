package io.converge.cluster.aggregator.session;

import io.converge.cluster.aggregator.plan.ClusterConnectionProperty;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.calcite.DataContext;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.linq4j.QueryProvider;

/**
 * What an aggregator remembers of one JDBC connection between its statements: the fence its reads
 * wait for, so that a session reads its own writes. Each SQL write through the connection raises
 * the fence of its collection to the offsets Kafka acknowledged ({@link #wrote}); each read of a
 * collection sends that collection's offsets with its fragments ({@link #readFence}). The
 * {@code fence} connection property seeds it (a fence an HTTP write answered with) and
 * {@code readWaitMs} bounds the wait.
 *
 * <p>Sessions are found from a statement's {@link DataContext}, whose query provider is its
 * Calcite connection (one per Avatica connection on the server), and forgotten with the
 * connection (weak keys).
 */
public final class ClusterSession {
  private static final Map<CalciteConnection, ClusterSession> SESSIONS = new WeakHashMap<>();

  private final SessionFence fence;
  private final long readWaitMillis;

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
