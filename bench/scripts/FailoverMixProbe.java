import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mixed load on a cluster for failover-mix.sh: writer threads post small NDJSON batches of new
 * documents to the aggregator's HTTP API (collection {@code events}) while reader threads, each
 * with its own JDBC connection, run queries with known answers on {@code orders} (loaded from an
 * NDJSON file, which gives the expected answers) and {@code count(*)} on {@code events} (never
 * below the connection's previous answer, never above the documents posted so far).
 *
 * <p>Arguments: JDBC_URL HTTP_BASE NDJSON SECONDS [READERS WRITERS READER_PAUSE_MS WRITER_PAUSE_MS
 * QUERY_TIMEOUT_S]. Output, one line per event, fields separated by spaces (a message's spaces
 * become underscores):
 * <pre>
 * START epochMs                    readers and writers begin
 * Q epochMs reader shape OK|ERR|WRONG latencyMs message
 * W epochMs writer ACK|FAIL docs latencyMs retries message
 * END epochMs sent acked
 * </pre>
 * A failed query is not retried: its reader reconnects and goes on with the next shape. A 503
 * answer to a write is retried after its Retry-After (the same documents, so an upsert by
 * {@code _id}); the batch fails only when no attempt succeeded before the run ended.
 */
public class FailoverMixProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double SUM_TOLERANCE = 1e-9;
  /** Orders above this amount form the raw read (765 of orders-1k: several JDBC frames). */
  private static final int RAW_MIN_AMOUNT = 20;

  private static String url;
  private static String api;
  private static int queryTimeoutSeconds;
  private static long endMs;
  /** Events documents whose first POST began: what a count may see at most. */
  private static final AtomicLong SENT = new AtomicLong();
  private static final AtomicLong ACKED = new AtomicLong();

  public static void main(String[] args) throws Exception {
    url = args[0];
    api = args[1];
    Expected expected = Expected.of(Path.of(args[2]));
    long seconds = Long.parseLong(args[3]);
    int readers = args.length > 4 ? Integer.parseInt(args[4]) : 4;
    int writers = args.length > 5 ? Integer.parseInt(args[5]) : 4;
    long readerPauseMs = args.length > 6 ? Long.parseLong(args[6]) : 10;
    long writerPauseMs = args.length > 7 ? Long.parseLong(args[7]) : 20;
    queryTimeoutSeconds = args.length > 8 ? Integer.parseInt(args[8]) : 30;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    // the events collection exists and is readable before the clock starts
    endMs = System.currentTimeMillis() + 120_000;
    new Writer(0, http, 0).post(List.of("seed-0"));
    try (Connection c = DriverManager.getConnection(url)) {
      waitReadable(c, "select count(*) from events");
      for (Shape s : Shape.values()) {
        if (s != Shape.EVENTS_COUNT) {
          String wrong = s.run(c, expected, new Random(0), new long[1]);
          System.err.println("baseline " + s + ": " + (wrong == null ? "ok" : "WRONG " + wrong));
        }
      }
    }

    long start = System.currentTimeMillis();
    endMs = start + seconds * 1000;
    print("START " + start);
    List<Thread> threads = new ArrayList<>();
    for (int i = 1; i <= writers; i++) {
      Writer w = new Writer(i, http, writerPauseMs);
      threads.add(new Thread(w::run, "writer-" + i));
    }
    for (int i = 1; i <= readers; i++) {
      Reader r = new Reader(i, expected, readerPauseMs);
      threads.add(new Thread(r::run, "reader-" + i));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    print("END " + System.currentTimeMillis() + " " + SENT.get() + " " + ACKED.get());
  }

  private static void waitReadable(Connection c, String sql) throws Exception {
    SQLException last = null;
    for (int i = 0; i < 120; i++) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return;
      } catch (SQLException e) {
        last = e;
        Thread.sleep(500);
      }
    }
    throw last;
  }

  static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }

  static String oneLine(Throwable e) {
    String m = e.getClass().getSimpleName() + ": " + e.getMessage();
    return m.lines().findFirst().orElse("").replace(' ', '_');
  }

  /** The answers of orders-1k's queries, from the file the cluster loaded. */
  record Order(String id, String status, double amount) {}

  record Expected(List<Order> orders, long count, double sum,
      Map<String, double[]> byStatus, List<Order> top10, Map<String, Double> raw) {
    static Expected of(Path ndjson) throws IOException {
      List<Order> orders = new ArrayList<>();
      for (String line : Files.readAllLines(ndjson)) {
        if (!line.isBlank()) {
          JsonNode n = JSON.readTree(line);
          orders.add(new Order(n.get("_id").asText(), n.get("status").asText(),
              n.get("amount").asDouble()));
        }
      }
      double sum = 0;
      Map<String, double[]> byStatus = new TreeMap<>();
      Map<String, Double> raw = new TreeMap<>();
      for (Order o : orders) {
        sum += o.amount();
        double[] g = byStatus.computeIfAbsent(o.status(), k -> new double[2]);
        g[0]++;
        g[1] += o.amount();
        if (o.amount() > RAW_MIN_AMOUNT) {
          raw.put(o.id(), o.amount());
        }
      }
      List<Order> top = new ArrayList<>(orders);
      top.sort(Comparator.comparingDouble(Order::amount).reversed().thenComparing(Order::id));
      return new Expected(orders, orders.size(), sum, byStatus, top.subList(0, 10), raw);
    }
  }

  static boolean close(double a, double b) {
    return Math.abs(a - b) <= SUM_TOLERANCE * Math.max(1, Math.abs(b));
  }

  /** The query shapes the readers rotate through; each checks its answer, null when right. */
  enum Shape {
    COUNT_SUM {
      @Override
      String check(ResultSet rs, Expected e, String arg, long[] last) throws SQLException {
        rs.next();
        long n = rs.getLong(1);
        double s = rs.getDouble(2);
        return n == e.count() && close(s, e.sum()) && !rs.next() ? null
            : "count=" + n + ",sum=" + s + " expected " + e.count() + "," + e.sum();
      }
    },
    GROUP_BY {
      @Override
      String sql(String arg) {
        return "select status, count(*), sum(amount) from orders group by status";
      }

      @Override
      String check(ResultSet rs, Expected e, String arg, long[] last) throws SQLException {
        Map<String, double[]> got = new TreeMap<>();
        while (rs.next()) {
          got.put(rs.getString(1), new double[] {rs.getLong(2), rs.getDouble(3)});
        }
        boolean same = got.keySet().equals(e.byStatus().keySet());
        for (Map.Entry<String, double[]> g : got.entrySet()) {
          double[] x = e.byStatus().get(g.getKey());
          same &= x != null && x[0] == g.getValue()[0] && close(g.getValue()[1], x[1]);
        }
        return same ? null : "groups " + describe(got);
      }
    },
    LOOKUP {
      @Override
      String arg(Expected e, Random random) {
        return e.orders().get(random.nextInt(e.orders().size())).id();
      }

      @Override
      String sql(String arg) {
        return "select \"_id\", status, amount from orders where \"_id\" = '" + arg + "'";
      }

      @Override
      String check(ResultSet rs, Expected e, String arg, long[] last) throws SQLException {
        Order want = e.orders().stream().filter(o -> o.id().equals(arg)).findFirst().get();
        List<Order> got = new ArrayList<>();
        while (rs.next()) {
          got.add(new Order(rs.getString(1), rs.getString(2), rs.getDouble(3)));
        }
        return got.equals(List.of(want)) ? null : arg + " gave " + got;
      }
    },
    TOP_N {
      @Override
      String sql(String arg) {
        return "select \"_id\", amount from orders order by amount desc, \"_id\" limit 10";
      }

      @Override
      String check(ResultSet rs, Expected e, String arg, long[] last) throws SQLException {
        List<String> got = new ArrayList<>();
        while (rs.next()) {
          got.add(rs.getString(1) + "=" + rs.getDouble(2));
        }
        List<String> want = e.top10().stream().map(o -> o.id() + "=" + o.amount()).toList();
        return got.equals(want) ? null : "top " + got;
      }
    },
    RAW {
      @Override
      String sql(String arg) {
        return "select \"_id\", amount from orders where amount > " + RAW_MIN_AMOUNT;
      }

      @Override
      String check(ResultSet rs, Expected e, String arg, long[] last) throws SQLException {
        Map<String, Double> got = new TreeMap<>();
        long rows = 0;
        while (rs.next()) {
          got.put(rs.getString(1), rs.getDouble(2));
          rows++;
        }
        return rows == e.raw().size() && got.equals(e.raw()) ? null
            : rows + " rows (" + got.size() + " distinct), expected " + e.raw().size();
      }
    },
    EVENTS_COUNT {
      @Override
      String sql(String arg) {
        return "select count(*) from events";
      }

      @Override
      String check(ResultSet rs, Expected e, String arg, long[] last) throws SQLException {
        rs.next();
        long n = rs.getLong(1);
        long sent = SENT.get(); // read after the answer: everything it can count was sent before
        String wrong = n < last[0] ? "count " + n + " below this session's previous " + last[0]
            : n > sent ? "count " + n + " above the " + sent + " documents sent" : null;
        last[0] = Math.max(last[0], n);
        return wrong;
      }
    };

    String arg(Expected e, Random random) {
      return "";
    }

    String sql(String arg) {
      return "select count(*), sum(amount) from orders";
    }

    abstract String check(ResultSet rs, Expected e, String arg, long[] last) throws SQLException;

    /** Runs the shape once on {@code c}; null when the answer is right, else what was wrong. */
    String run(Connection c, Expected e, Random random, long[] last) throws SQLException {
      String arg = arg(e, random);
      try (Statement s = c.createStatement()) {
        s.setQueryTimeout(queryTimeoutSeconds);
        try (ResultSet rs = s.executeQuery(sql(arg))) {
          return check(rs, e, arg, last);
        }
      }
    }

    static String describe(Map<String, double[]> groups) {
      StringBuilder b = new StringBuilder();
      groups.forEach((k, v) -> b.append(k).append('=').append((long) v[0]).append('/')
          .append(String.format(Locale.ROOT, "%.2f", v[1])).append(','));
      return b.toString();
    }
  }

  /** One JDBC connection running the shapes in turn; a new connection after an error. */
  static final class Reader {
    private final int id;
    private final Expected expected;
    private final long pauseMs;
    private final Random random;

    Reader(int id, Expected expected, long pauseMs) {
      this.id = id;
      this.expected = expected;
      this.pauseMs = pauseMs;
      this.random = new Random(id);
    }

    void run() {
      Shape[] shapes = Shape.values();
      int next = id; // readers start on different shapes
      Connection c = connect();
      long[] lastEvents = new long[1]; // this session's highest events count
      while (c != null && System.currentTimeMillis() < endMs) {
        Shape shape = shapes[next++ % shapes.length];
        long t = System.currentTimeMillis();
        String outcome;
        String message;
        try {
          message = shape.run(c, expected, random, lastEvents);
          outcome = message == null ? "OK" : "WRONG";
        } catch (Exception e) {
          outcome = "ERR";
          message = oneLine(e);
        }
        long ms = System.currentTimeMillis() - t;
        print("Q " + t + " " + id + " " + shape + " " + outcome + " " + ms + " "
            + (message == null ? "-" : message.replace(' ', '_')));
        if (outcome.equals("ERR")) {
          try {
            c.close();
          } catch (Exception ignored) {
            // the old session is gone either way
          }
          c = connect();
          lastEvents[0] = 0; // a new session: monotonic reads start over
        }
        sleep(pauseMs);
      }
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // the run is over
        }
      }
    }

    private Connection connect() {
      while (System.currentTimeMillis() < endMs) {
        try {
          return DriverManager.getConnection(url);
        } catch (SQLException e) {
          print("Q " + System.currentTimeMillis() + " " + id + " CONNECT ERR 0 " + oneLine(e));
          sleep(200);
        }
      }
      return null;
    }
  }

  /** Posts batches of 1-10 new documents ({@code _id} wWRITER-SEQ, numeric {@code n}). */
  static final class Writer {
    private final int id;
    private final HttpClient http;
    private final long pauseMs;
    private final Random random;
    private long seq;

    Writer(int id, HttpClient http, long pauseMs) {
      this.id = id;
      this.http = http;
      this.pauseMs = pauseMs;
      this.random = new Random(1000 + id);
    }

    void run() {
      while (System.currentTimeMillis() < endMs) {
        int k = 1 + random.nextInt(10);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < k; i++) {
          ids.add(String.format(Locale.ROOT, "w%d-%07d", id, ++seq));
        }
        post(ids);
        sleep(pauseMs);
      }
    }

    /** Posts the documents until answered 200; retries a 503 after its Retry-After. */
    void post(List<String> ids) {
      StringBuilder body = new StringBuilder();
      for (String docId : ids) {
        long n = Long.parseLong(docId.substring(docId.indexOf('-') + 1));
        body.append("{\"_id\":\"").append(docId).append("\",\"n\":").append(n)
            .append(",\"writer\":").append(id).append("}\n");
      }
      SENT.addAndGet(ids.size());
      HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/v1/collections/events/docs"))
          .header("Content-Type", "application/x-ndjson").timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
      long t = System.currentTimeMillis();
      int retries = 0;
      String last;
      while (true) {
        try {
          HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            JsonNode a = JSON.readTree(r.body());
            if (a.path("written").asLong() == ids.size()) {
              ACKED.addAndGet(ids.size());
              print("W " + t + " " + id + " ACK " + ids.size() + " "
                  + (System.currentTimeMillis() - t) + " " + retries + " -");
              return;
            }
            last = "200 with written=" + a.path("written") + " errors=" + a.path("errors");
            break;
          }
          last = r.statusCode() + " " + r.body().lines().findFirst().orElse("");
          if (r.statusCode() != 503 || System.currentTimeMillis() >= endMs) {
            break;
          }
          retries++;
          sleep(1000L * r.headers().firstValueAsLong("Retry-After").orElse(1));
        } catch (IOException e) {
          last = oneLine(e);
          break;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          last = "interrupted";
          break;
        }
      }
      print("W " + t + " " + id + " FAIL " + ids.size() + " " + (System.currentTimeMillis() - t)
          + " " + retries + " " + last.replace(' ', '_'));
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
