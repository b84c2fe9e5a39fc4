package io.converge.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentException.Kind;
import io.converge.cluster.fragment.FragmentExecutor;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.FragmentStream;
import io.converge.cluster.fragment.FragmentType;
import io.converge.cluster.fragment.LeafEndpoint;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Fragments through a real Flight server and client on loopback. */
class FlightTransportTest {
  private static final long WAIT_SECONDS = 30;

  private final List<LeafFlightServer> servers = new ArrayList<>();
  private FlightFragmentTransport transport;

  @BeforeEach
  void openTransport() {
    transport = new FlightFragmentTransport();
  }

  @AfterEach
  void closeAll() {
    transport.close();
    servers.forEach(LeafFlightServer::close);
  }

  @Test
  void everyTypeWithNullsAndArraysRoundTrips() throws Exception {
    List<FragmentColumn> columns = everyTypeColumns();
    List<Object[]> rows = everyTypeRows(2_000);
    LeafEndpoint leaf = leaf("l1", (request, sink) -> {
      sink.columns(columns);
      for (Object[] row : rows) {
        sink.row(row.clone());
      }
    });

    try (FragmentStream stream = transport.open(leaf, request("types"))) {
      assertEquals(columns, stream.columns());
      for (int i = 0; i < rows.size(); i++) {
        Object[] got = stream.next();
        assertArrayEquals(rows.get(i), got, "row " + i);
        for (int c = 0; c < got.length; c++) {
          Object want = rows.get(i)[c];
          if (want != null) {
            assertTrue(want instanceof List ? got[c] instanceof List : want.getClass() == got[c].getClass(),
                "row " + i + " column " + c + " is a " + got[c].getClass());
          }
        }
      }
      assertNull(stream.next());
      assertNull(stream.next());
    }
  }

  @Test
  void theOffsetsAnAnswerReflectsArriveWithItsColumnsEvenWithoutRows() throws Exception {
    List<FragmentColumn> columns = List.of(new FragmentColumn("n", FragmentType.BIGINT, null));
    LeafEndpoint leaf = leaf("l1", (request, sink) -> {
      sink.applied(Map.of(3, 120L, 0, 7L));
      sink.columns(columns);
    });
    try (FragmentStream stream = transport.open(leaf, request("empty"))) {
      assertEquals(columns, stream.columns());
      assertEquals(Map.of(0, 7L, 3, 120L), stream.appliedOffsets());
      assertNull(stream.next());
    }
    LeafEndpoint silent = leaf("l2", counting(3, null));
    try (FragmentStream stream = transport.open(silent, request("silent"))) {
      stream.columns();
      assertEquals(Map.of(), stream.appliedOffsets());
    }
  }

  @Test
  void threeHundredThousandRowsArriveCompleteAndInOrder() throws Exception {
    int n = 300_000;
    LeafEndpoint leaf = leaf("l1", counting(n, null));
    try (FragmentStream stream = transport.open(leaf, request("count"))) {
      long expected = 0;
      Object[] row;
      while ((row = stream.next()) != null) {
        assertEquals(expected, row[0]);
        assertEquals("row-" + expected, row[1]);
        assertEquals(expected * 0.5, row[2]);
        expected++;
      }
      assertEquals(n, expected);
    }
  }

  @Test
  void largeValuesArriveWhole() throws Exception {
    // 12 MB of text: more than one batch's bytes
    int n = 3_000;
    LeafEndpoint leaf = leaf("l1", (request, sink) -> {
      sink.columns(List.of(new FragmentColumn("i", FragmentType.INTEGER, null),
          new FragmentColumn("text", FragmentType.VARCHAR, null)));
      for (int i = 0; i < n; i++) {
        sink.row(new Object[] {i, big(i)});
      }
    });
    try (FragmentStream stream = transport.open(leaf, request("large"))) {
      for (int i = 0; i < n; i++) {
        Object[] row = stream.next();
        assertEquals(i, row[0]);
        assertEquals(big(i), row[1]);
      }
      assertNull(stream.next());
    }
  }

  private static String big(int i) {
    return String.valueOf((char) ('a' + i % 26)).repeat(4_000) + i;
  }

  @Test
  void closingAStreamEarlyStopsTheLeafsExecutor() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicLong produced = new AtomicLong();
    LeafEndpoint leaf = leaf("l1", (request, sink) -> {
      sink.columns(List.of(new FragmentColumn("i", FragmentType.BIGINT, null)));
      // bounded so that a transport that never says stop fails the test instead of hanging it
      for (long i = 0; i < 50_000_000L; i++) {
        produced.incrementAndGet();
        if (!sink.row(new Object[] {i})) {
          stopped.countDown();
          return;
        }
      }
    });

    FragmentStream stream = transport.open(leaf, request("endless"));
    for (int i = 0; i < 10; i++) {
      assertEquals((long) i, stream.next()[0]);
    }
    stream.close();
    assertTrue(stopped.await(WAIT_SECONDS, TimeUnit.SECONDS), "the executor was never told to stop");
    assertTrue(produced.get() < 50_000_000L);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void eachFailureKindCrossesTheWireWithItsMessage(Kind kind) throws Exception {
    LeafEndpoint leaf = leaf("l1", (request, sink) -> {
      throw new FragmentException(kind, "shard says " + kind + "\nstack detail");
    });
    try (FragmentStream stream = transport.open(leaf, request("fail"))) {
      FragmentException e = assertThrows(FragmentException.class, stream::next);
      assertEquals(kind, e.kind());
      assertEquals(leaf + ": shard says " + kind, e.getMessage());
    }
  }

  @Test
  void aVeryLongMessageArrivesCut() throws Exception {
    String sql = "select " + "x, ".repeat(20_000) + "y from t";
    LeafEndpoint leaf = leaf("l1", (request, sink) -> {
      throw new FragmentException(Kind.INVALID, "cannot compile " + request.sql());
    });
    try (FragmentStream stream = transport.open(leaf, request(sql))) {
      FragmentException e = assertThrows(FragmentException.class, stream::next);
      assertEquals(Kind.INVALID, e.kind());
      assertTrue(e.getMessage().startsWith(leaf + ": cannot compile select x, x, "), e.getMessage());
      assertTrue(e.getMessage().length() < 2_000, "message of " + e.getMessage().length());
    }
  }

  @Test
  void aFailureAfterSomeRowsArrivesAfterThem() throws Exception {
    LeafEndpoint leaf = leaf("l1", (request, sink) -> {
      counting(1_000, null).execute(request, sink);
      throw new FragmentException(Kind.FAILED, "disk went away");
    });
    try (FragmentStream stream = transport.open(leaf, request("rows then fail"))) {
      int rows = 0;
      FragmentException e = null;
      try {
        while (stream.next() != null) {
          rows++;
        }
      } catch (FragmentException thrown) {
        e = thrown;
      }
      assertTrue(e != null, "the failure did not arrive");
      assertEquals(Kind.FAILED, e.kind());
      assertEquals(leaf + ": disk went away", e.getMessage());
      assertTrue(rows <= 1_000);
    }
  }

  @Test
  void anExecutorBugIsAFailedFragment() throws Exception {
    LeafEndpoint leaf = leaf("l1", (request, sink) -> {
      throw new IllegalStateException("no shard 7");
    });
    try (FragmentStream stream = transport.open(leaf, request("bug"))) {
      FragmentException e = assertThrows(FragmentException.class, stream::columns);
      assertEquals(Kind.FAILED, e.kind());
      assertEquals(leaf + ": IllegalStateException: no shard 7", e.getMessage());
    }
  }

  @Test
  void aFragmentPastItsDeadlineTimesOutAtTheLeaf() throws Exception {
    LeafEndpoint leaf = leaf("l1", counting(10, null));
    FragmentRequest late = new FragmentRequest("q", "c", "late", List.of(0), 1, List.of(),
        System.currentTimeMillis() - 1);
    try (FragmentStream stream = transport.open(leaf, late)) {
      FragmentException e = assertThrows(FragmentException.class, stream::next);
      assertEquals(Kind.TIMEOUT, e.kind());
      assertTrue(e.getMessage().startsWith(leaf + ": "), e.getMessage());
    }
  }

  @Test
  void aLeafWhoseAggregatorStopsReadingTimesOutAtTheDeadline() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    String text = "y".repeat(1_000);
    LeafEndpoint leaf = leaf("l1", (request, sink) -> {
      sink.columns(List.of(new FragmentColumn("s", FragmentType.VARCHAR, null)));
      for (long i = 0; i < 50_000_000L; i++) {
        if (!sink.row(new Object[] {text})) {
          stopped.countDown();
          return;
        }
      }
    });
    long deadline = System.currentTimeMillis() + 1_500;
    FragmentRequest request = new FragmentRequest("q", "c", "stalled", List.of(0), 1, List.of(),
        deadline);
    try (FragmentStream stream = transport.open(leaf, request)) {
      stream.next();
      // the aggregator stalls past the deadline; the leaf, blocked on backpressure, gives up
      assertTrue(stopped.await(WAIT_SECONDS, TimeUnit.SECONDS), "the leaf kept waiting");
      FragmentException e = assertThrows(FragmentException.class, () -> {
        while (stream.next() != null) {
          // the rows sent before the deadline, then the failure
        }
      });
      assertEquals(Kind.TIMEOUT, e.kind());
      assertTrue(e.getMessage().contains("not reading"), e.getMessage());
    }
  }

  @Test
  void aLeafThatIsNotThereIsUnavailable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    LeafEndpoint gone = new LeafEndpoint("gone", "127.0.0.1", port);
    try (FragmentStream stream = transport.open(gone, request("anything"))) {
      FragmentException e = assertThrows(FragmentException.class, stream::columns);
      assertEquals(Kind.UNAVAILABLE, e.kind());
      assertTrue(e.getMessage().startsWith(gone + ": "), e.getMessage());
    }
  }

  @Test
  void aBusyLeafRefusesFragmentsBeyondItsQueue() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    FragmentExecutor blocking = (request, sink) -> {
      try {
        release.await(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      counting(3, null).execute(request, sink);
    };
    LeafFlightServer server = LeafFlightServer.start("127.0.0.1", 0, blocking, 1, 1);
    servers.add(server);
    LeafEndpoint leaf = new LeafEndpoint("l1", "127.0.0.1", server.port());

    ExecutorService readers = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> counts = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        FragmentStream stream = transport.open(leaf, request("block " + i));
        counts.add(readers.submit(() -> {
          try (stream) {
            int rows = 0;
            while (stream.next() != null) {
              rows++;
            }
            return rows;
          }
        }));
      }
      // one running, one waiting, the third refused at once
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      List<Future<Integer>> done = List.of();
      while (done.isEmpty() && System.nanoTime() < until) {
        Thread.sleep(10);
        done = counts.stream().filter(Future::isDone).toList();
      }
      assertEquals(1, done.size(), "exactly one fragment should be refused");
      Future<Integer> first = done.get(0);
      Exception refused = assertThrows(Exception.class, first::get);
      FragmentException e = (FragmentException) refused.getCause();
      assertEquals(Kind.UNAVAILABLE, e.kind());
      assertTrue(e.getMessage().contains("leaf busy"), e.getMessage());

      release.countDown();
      for (Future<Integer> f : counts) {
        if (f != first) {
          assertEquals(3, f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
      }
    } finally {
      release.countDown();
      readers.shutdownNow();
    }
  }

  @Test
  void twoStreamsFromTwoLeavesAreReadInParallel() throws Exception {
    int n = 100_000;
    // each leaf stops halfway until the other leaf is halfway too: a gather that read one
    // stream after the other would never get there
    CountDownLatch bothHalfway = new CountDownLatch(2);
    List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    LeafEndpoint a = leaf("a", counting(n, () -> meet(bothHalfway, problems)));
    LeafEndpoint b = leaf("b", counting(n, () -> meet(bothHalfway, problems)));

    ExecutorService readers = Executors.newFixedThreadPool(2);
    try {
      List<Future<Long>> sums = new ArrayList<>();
      for (LeafEndpoint leaf : List.of(a, b)) {
        FragmentStream stream = transport.open(leaf, request("half"));
        sums.add(readers.submit(() -> {
          try (stream) {
            long sum = 0;
            long count = 0;
            Object[] row;
            while ((row = stream.next()) != null) {
              assertEquals(count, row[0]);
              sum += (Long) row[0];
              count++;
            }
            assertEquals(n, count);
            return sum;
          }
        }));
      }
      long expected = (long) n * (n - 1) / 2;
      for (Future<Long> sum : sums) {
        assertEquals(expected, sum.get(WAIT_SECONDS * 2, TimeUnit.SECONDS));
      }
      assertEquals(List.of(), problems);
    } finally {
      readers.shutdownNow();
    }
  }

  private static void meet(CountDownLatch latch, List<String> problems) {
    latch.countDown();
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        problems.add("the other leaf's stream was not being read at the same time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problems.add("interrupted");
    }
  }

  /** (i BIGINT, s VARCHAR, d DOUBLE) for i in 0..n-1, calling {@code halfway} at n/2. */
  private static FragmentExecutor counting(int n, Runnable halfway) {
    return (request, sink) -> {
      sink.columns(List.of(new FragmentColumn("i", FragmentType.BIGINT, null),
          new FragmentColumn("s", FragmentType.VARCHAR, null),
          new FragmentColumn("d", FragmentType.DOUBLE, null)));
      Object[] row = new Object[3];
      for (long i = 0; i < n; i++) {
        if (halfway != null && i == n / 2) {
          halfway.run();
        }
        row[0] = i;
        row[1] = "row-" + i;
        row[2] = i * 0.5;
        if (!sink.row(row)) {
          return;
        }
      }
    };
  }

  private LeafEndpoint leaf(String id, FragmentExecutor executor) throws IOException {
    LeafFlightServer server = LeafFlightServer.start("127.0.0.1", 0, executor);
    servers.add(server);
    return new LeafEndpoint(id, "127.0.0.1", server.port());
  }

  private static FragmentRequest request(String sql) {
    return new FragmentRequest("q-" + sql, "c", sql, List.of(0, 1), 1, List.of(),
        System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(WAIT_SECONDS * 2));
  }

  private static final FragmentType[] SCALARS = Arrays.stream(FragmentType.values())
      .filter(t -> t != FragmentType.ARRAY).toArray(FragmentType[]::new);

  private static List<FragmentColumn> everyTypeColumns() {
    List<FragmentColumn> columns = new ArrayList<>();
    for (FragmentType t : SCALARS) {
      columns.add(new FragmentColumn(t.name().toLowerCase(java.util.Locale.ROOT), t, null));
    }
    for (FragmentType t : SCALARS) {
      columns.add(new FragmentColumn("array_of_" + t.name().toLowerCase(java.util.Locale.ROOT),
          FragmentType.ARRAY, t));
    }
    return columns;
  }

  /** Row i: values that vary with i, a null in a column that moves with i, and an all-null row. */
  private static List<Object[]> everyTypeRows(int n) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] row = new Object[SCALARS.length * 2];
      for (int c = 0; c < SCALARS.length; c++) {
        row[c] = value(SCALARS[c], i);
        List<Object> array = new ArrayList<>();
        for (int k = 0; k < i % 4; k++) {
          array.add(k == 1 ? null : value(SCALARS[c], i + k));
        }
        row[SCALARS.length + c] = array;
      }
      if (i % 7 == 0) {
        row[i % row.length] = null;
      }
      if (i == 3) {
        Arrays.fill(row, null);
      }
      rows.add(row);
    }
    return rows;
  }

  private static Object value(FragmentType type, int i) {
    return switch (type) {
      case BOOLEAN -> i % 2 == 0;
      case INTEGER -> i % 5 == 0 ? Integer.MIN_VALUE + i : i * 31;
      case BIGINT -> i % 5 == 0 ? Long.MAX_VALUE - i : (long) i << 33;
      case DOUBLE -> switch (i % 6) {
        case 0 -> Double.NaN;
        case 1 -> -0.0;
        case 2 -> Double.POSITIVE_INFINITY;
        default -> i / 3.0;
      };
      case DECIMAL -> switch (i % 4) {
        case 0 -> new BigDecimal("123.4500");
        case 1 -> new BigDecimal("-1E+3");
        case 2 -> new BigDecimal("98765432109876543210.000000001").add(BigDecimal.valueOf(i));
        default -> BigDecimal.valueOf(i, 2);
      };
      case VARCHAR -> switch (i % 3) {
        case 0 -> "";
        case 1 -> "naïve ✓ " + i;
        default -> "x".repeat(i % 50);
      };
      case DATE -> i % 3 == 0 ? -719_162 + i : 19_000 + i;
      case TIME -> (i * 1_234) % 86_400_000;
      case TIMESTAMP -> i % 3 == 0 ? -62_135_596_800_000L + i : 1_700_000_000_000L + i;
      case ARRAY -> fail("not a scalar");
    };
  }
}
