package io.converge.cluster.aggregator.session;

import io.converge.cluster.aggregator.plan.ClusterConnectionProperty;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import org.apache.calcite.DataContext;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSetOption;

/**
 * What an aggregator remembers of one JDBC connection between its statements: the fence its reads
 * wait for, so that a session reads its own writes and never goes back in time. Each SQL write
 * through the connection raises the write fence of its collection to the offsets Kafka
 * acknowledged ({@link #wrote}); each answer a leaf gives raises the read fence of its
 * collection to the offsets it reflected ({@link #answered}), unless {@code monotonicReads} is
 * false; each read of a collection sends the higher of the two per partition with its fragments
 * ({@link #readFence}), so that a replica behind the one that answered before waits for it. The
 * {@code fence} connection property seeds the write fence (a fence an HTTP write answered with),
 * as does {@code ALTER SESSION SET fence} ({@link #set}), and {@code readWaitMs} bounds the wait.
 *
 * <p>Sessions are found from a statement's {@link DataContext}, whose query provider is its
 * Calcite connection (one per Avatica connection on the server), and forgotten with the
 * connection (weak keys).
 */
public final class ClusterSession {
  private static final Map<CalciteConnection, ClusterSession> SESSIONS = new WeakHashMap<>();

  private final SessionFence fence;
  /** What the leaves' answers to this session reflected (kept while monotonic reads are on). */
  private final SessionFence answered = new SessionFence();
  private volatile long readWaitMillis;
  private volatile boolean monotonic;

  ClusterSession(SessionFence fence, long readWaitMillis, boolean monotonic) {
    this.fence = fence;
    this.readWaitMillis = readWaitMillis;
    this.monotonic = monotonic;
  }

  /**
   * The session of the statement running with {@code root}, created on its connection's first
   * statement; null when the statement does not run on a Calcite connection.
   *
   * @throws IllegalArgumentException when the connection's {@code fence}, {@code readWaitMs} or
   *     {@code monotonicReads} property is malformed
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
            ClusterConnectionProperty.readWaitMillis(connection.config()),
            ClusterConnectionProperty.monotonicReads(connection.config()));
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

  /** Where a read of {@code collection} by the statement running with {@code root} reports. */
  public static ReadObserver observer(DataContext root, String collection) {
    ClusterSession s = of(root);
    return s == null ? ReadObserver.NONE : s.observer(collection);
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
   * property does), {@code ALTER SESSION SET readWaitMs = N}, {@code ALTER SESSION SET
   * monotonicReads = false}, or their {@code RESET} (no fence at all, even of the session's own
   * writes or of what it read; the default wait; monotonic reads on): so that a pooled connection
   * can wait for an HTTP write made after it was opened.
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
          + " the options fence, readWaitMs and monotonicReads are set per session");
    }
    String name = option.getName().toString();
    SqlNode value = option.getValue();
    String text = value == null ? null : value instanceof SqlLiteral l ? l.toValue()
        : value.toString();
    if (name.equalsIgnoreCase("ALL") && value == null) {
      s.fence.clear();
      s.answered.clear();
      s.readWaitMillis = ClusterConnectionProperty.readWaitMillis((String) null);
      s.monotonic = true;
    } else if (name.equalsIgnoreCase(ClusterConnectionProperty.FENCE.camelName())) {
      if (value == null) {
        s.fence.clear();
        s.answered.clear();
      } else {
        s.fence.advance(SessionFence.parse(text));
      }
    } else if (name.equalsIgnoreCase(ClusterConnectionProperty.READ_WAIT_MS.camelName())) {
      s.readWaitMillis = ClusterConnectionProperty.readWaitMillis(text);
    } else if (name.equalsIgnoreCase(ClusterConnectionProperty.MONOTONIC_READS.camelName())) {
      s.monotonicReads(value == null || ClusterConnectionProperty.monotonicReads(text));
    } else {
      throw new IllegalArgumentException("unknown session option " + name + " (an aggregator's"
          + " are fence, readWaitMs and monotonicReads)");
    }
  }

  /**
   * What this session's next read of {@code collection} waits for: per partition, the higher of
   * its write fence and (with monotonic reads) what earlier answers reflected.
   */
  public ReadFence readFence(String collection) {
    if (readWaitMillis <= 0) {
      return ReadFence.NONE;
    }
    Map<Integer, Long> offsets = new TreeMap<>(fence.of(collection));
    if (monotonic) {
      answered.of(collection).forEach((p, o) -> offsets.merge(p, o, Math::max));
    }
    return offsets.isEmpty() ? ReadFence.NONE : new ReadFence(offsets, readWaitMillis);
  }

  /** Where this session's reads of {@code collection} report what they were answered from. */
  public ReadObserver observer(String collection) {
    return monotonic ? offsets -> answered(collection, offsets) : ReadObserver.NONE;
  }

  /**
   * Raises the read fence of {@code collection} to what a leaf's answer reflected (partition ->
   * offset up to which it held every record); ignored with monotonic reads off.
   */
  public void answered(String collection, Map<Integer, Long> offsets) {
    if (monotonic) {
      answered.advance(collection, offsets);
    }
  }

  /**
   * Turns monotonic reads on or off; off forgets what earlier answers reflected, so the reads
   * wait for the session's writes alone.
   */
  public void monotonicReads(boolean on) {
    monotonic = on;
    if (!on) {
      answered.clear();
    }
  }

  /** The session's fence. */
  public SessionFence fence() {
    return fence;
  }
}
