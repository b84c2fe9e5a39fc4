import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replica groups as isolated compute: the latency of a light query (a prepared {@code _id}
 * lookup) run by one session on replica group {@code light}, alone, then while {@code threads}
 * sessions run a heavy scan-and-aggregate on the other group, then while they run it on the same
 * group. Prints one line per phase (p50, p99, queries, heavy queries) and the ratios.
 * isolation.sh runs it; args: URL TABLE DOCS LIGHT_GROUP OTHER_GROUP THREADS SECONDS_PER_PHASE.
 */
public class IsolationProbe {
  static final String HEAVY = "select kind, count(*), sum(amount), min(n), max(n) from %s "
      + "where kind || '' <> 'none' group by kind";

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String table = args[1];
    int docs = Integer.parseInt(args[2]);
    String light = args[3];
    String other = args[4];
    int threads = Integer.parseInt(args[5]);
    long seconds = Long.parseLong(args[6]);
    double[] alone = phase("alone", url, table, docs, light, null, 0, seconds);
    double[] apart = phase("heavy on the other group", url, table, docs, light, other, threads,
        seconds);
    double[] shared = phase("heavy on the same group", url, table, docs, light, light, threads,
        seconds);
    System.out.printf("p99 vs alone: heavy on the other group %.2fx, on the same group %.2fx%n",
        apart[1] / alone[1], shared[1] / alone[1]);
    System.out.printf("p50 vs alone: heavy on the other group %.2fx, on the same group %.2fx%n",
        apart[0] / alone[0], shared[0] / alone[0]);
  }

  static Connection connect(String url, String group) throws Exception {
    Properties p = new Properties();
    p.setProperty("replicaGroup", group);
    return DriverManager.getConnection(url, p);
  }

  static double[] phase(String name, String url, String table, int docs, String light,
      String heavyGroup, int threads, long seconds) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong heavyDone = new AtomicLong();
    List<Thread> heavy = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try (Connection c = connect(url, heavyGroup); Statement s = c.createStatement()) {
          while (!stop.get()) {
            try (ResultSet rs = s.executeQuery(String.format(HEAVY, table))) {
              while (rs.next()) {
                rs.getLong(2);
              }
            }
            heavyDone.incrementAndGet();
          }
        } catch (Exception e) {
          System.err.println("heavy: " + e);
        }
      });
      th.start();
      heavy.add(th);
    }
    Thread.sleep(threads > 0 ? 3_000 : 0);
    long heavyBefore = heavyDone.get();
    List<Long> nanos = new ArrayList<>();
    try (Connection c = connect(url, light);
        PreparedStatement ps = c.prepareStatement("select n from " + table + " where _id = ?")) {
      for (int i = 0; i < 50; i++) { // warm up
        lookup(ps, i % docs);
      }
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      for (int i = 0; System.nanoTime() < end && i < 1_000_000; i++) {
        int k = (int) ((i * 7919L) % docs);
        long t = System.nanoTime();
        long n = lookup(ps, k);
        nanos.add(System.nanoTime() - t);
        if (n != k) {
          throw new IllegalStateException("e" + k + " has n = " + n);
        }
        Thread.sleep(5);
      }
    }
    long heavyCount = heavyDone.get() - heavyBefore;
    stop.set(true);
    for (Thread th : heavy) {
      th.join(120_000);
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    double p50 = sorted[sorted.length / 2] / 1e6;
    double p99 = sorted[(int) (sorted.length * 0.99)] / 1e6;
    System.out.printf("%-26s light p50 %7.2f ms  p99 %7.2f ms  (%d lookups; %d heavy queries)%n",
        name, p50, p99, sorted.length, heavyCount);
    return new double[] {p50, p99};
  }

  static long lookup(PreparedStatement ps, int k) throws Exception {
    ps.setString(1, "e" + k);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalStateException("e" + k + " not found");
      }
      return rs.getLong(1);
    }
  }
}
