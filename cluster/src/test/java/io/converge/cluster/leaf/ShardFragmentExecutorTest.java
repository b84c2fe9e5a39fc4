package io.converge.cluster.leaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentException;
import io.converge.cluster.fragment.FragmentParameter;
import io.converge.cluster.fragment.FragmentRequest;
import io.converge.cluster.fragment.FragmentType;
import io.converge.cluster.fragment.RowSink;
import io.converge.cluster.log.ClusterTopics;
import io.converge.cluster.log.FieldStats;
import io.converge.server.tailer.TailBatch;
import io.converge.server.tailer.TailBatchBuilder;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import io.converge.storage.SourceOffsets;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fragment executor over shards written directly (no Kafka): value types, merged columns,
 * early stop, deadlines, errors, and refusing partitions that are not assigned.
 */
class ShardFragmentExecutorTest {
  private static final String C = "items";
  @TempDir
  Path dir;
  private ConvergeStore store;
  private LeafShards shards;
  private ShardFragmentExecutor executor;
  private List<FieldStats> fields;

  @BeforeEach
  void setUp() {
    store = ConvergeStore.open(dir);
    shards = new LeafShards(store);
    write(0, "{\"_id\": \"a\", \"x\": 1, \"tags\": [\"p\", \"q\"]}", "{\"_id\": \"b\", \"x\": 2}");
    write(1, "{\"_id\": \"c\", \"x\": 3, \"only1\": 2.5}", "{\"_id\": \"d\", \"x\": 4}");
    write(2, "{\"_id\": \"e\", \"x\": 5}");
    List<List<FieldStats>> per = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      per.add(FieldStats.of(shards.get(C, p).store().schema()));
    }
    fields = FieldStats.merge(per);
    executor = new ShardFragmentExecutor("leaf-test", shards);
  }

  @AfterEach
  void tearDown() {
    executor.close();
    store.close();
  }

  private void write(int partition, String... docs) {
    LeafShard shard = shards.getOrCreate(C, partition, null);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < docs.length; i++) {
      records.add(new ConsumerRecord<>(ClusterTopics.dataTopic(C), partition, i, null,
          docs[i].getBytes(StandardCharsets.UTF_8)));
    }
    TailBatch b = new TailBatchBuilder().build(records, 0L);
    ConvergeCollection c = shard.store();
    c.write(b.mutations(), SourceOffsets.of(shard.source(), docs.length));
    shard.applied(docs.length);
    shard.assigned(true);
  }

  private List<Object[]> rows(String sql, List<Integer> partitions, List<FragmentColumn> cols,
      FragmentParameter... parameters) throws FragmentException {
    List<Object[]> out = new ArrayList<>();
    executor.execute(new FragmentRequest("t", C, sql, partitions, 7, fields,
        System.currentTimeMillis() + 30_000, List.of(parameters)), new RowSink() {
          @Override
          public void columns(List<FragmentColumn> columns) {
            cols.addAll(columns);
          }

          @Override
          public boolean row(Object[] values) {
            out.add(values.clone());
            return true;
          }
        });
    return out;
  }

  @Test
  void theAnswerSaysWhichOffsetOfEachAskedPartitionItHoldsBeforeItsColumns() throws Exception {
    shards.getOrCreate(C, 3, null).assigned(true); // nothing applied yet: left out
    List<String> calls = new ArrayList<>();
    executor.execute(new FragmentRequest("t", C, "SELECT x FROM items WHERE x > 100",
        List.of(0, 2, 3), 7, fields, System.currentTimeMillis() + 30_000), new RowSink() {
          @Override
          public void applied(Map<Integer, Long> offsets) {
            calls.add("applied " + offsets);
          }

          @Override
          public void columns(List<FragmentColumn> columns) {
            calls.add("columns");
          }

          @Override
          public boolean row(Object[] values) {
            calls.add("row");
            return true;
          }
        });
    // partition 0 holds offsets 0 and 1, partition 2 offset 0; no row matches
    assertEquals(List.of("applied {0=1, 2=0}", "columns"), calls);
  }

  @Test
  void valuesComeAsTheirFragmentTypes() throws Exception {
    List<FragmentColumn> cols = new ArrayList<>();
    List<Object[]> rows = rows("SELECT TIMESTAMP '2026-01-02 03:04:05' AS t, DATE '2026-01-02' AS d,"
        + " TIME '01:00:00' AS tm, CAST(1.5 AS DECIMAL(4, 2)) AS dc, CAST(1.5 AS DOUBLE) AS dbl,"
        + " TRUE AS b, CAST(3 AS INTEGER) AS i, x, tags FROM items WHERE _id = 'a'", List.of(0),
        cols);
    assertEquals(List.of(FragmentType.TIMESTAMP, FragmentType.DATE, FragmentType.TIME,
        FragmentType.DECIMAL, FragmentType.DOUBLE, FragmentType.BOOLEAN, FragmentType.INTEGER,
        FragmentType.BIGINT, FragmentType.ARRAY), cols.stream().map(FragmentColumn::type).toList());
    assertEquals(FragmentType.VARCHAR, cols.get(8).elementType());
    assertEquals(1, rows.size());
    Object[] r = rows.get(0);
    assertEquals(java.time.Instant.parse("2026-01-02T03:04:05Z").toEpochMilli(), r[0]);
    assertEquals((int) LocalDate.of(2026, 1, 2).toEpochDay(), r[1]);
    assertEquals(3_600_000, r[2]);
    assertEquals(new BigDecimal("1.50"), r[3]);
    assertEquals(1.5d, r[4]);
    assertEquals(Boolean.TRUE, r[5]);
    assertEquals(3, r[6]);
    assertEquals(1L, r[7]);
    assertEquals(List.of("p", "q"), r[8]);
  }

  @Test
  void parametersBindAsTheirTypesAndComeBackUnchanged() throws Exception {
    List<FragmentColumn> cols = new ArrayList<>();
    long millis = java.time.Instant.parse("2026-01-02T03:04:05.678Z").toEpochMilli();
    int days = (int) LocalDate.of(2026, 1, 2).toEpochDay();
    List<Object[]> rows = rows("SELECT CAST(? AS TIMESTAMP(3)) AS t, CAST(? AS DATE) AS d,"
        + " CAST(? AS TIME) AS tm, CAST(? AS DECIMAL(6, 3)) AS dc, CAST(? AS DOUBLE) AS dbl,"
        + " CAST(? AS BOOLEAN) AS b, CAST(? AS INTEGER) AS i, CAST(? AS VARCHAR(20)) AS s,"
        + " CAST(? AS BIGINT) AS n, CAST(? AS BIGINT) AS z FROM items WHERE _id = ?", List.of(0),
        cols,
        FragmentParameter.of(FragmentType.TIMESTAMP, millis),
        FragmentParameter.of(FragmentType.DATE, days),
        FragmentParameter.of(FragmentType.TIME, 3_600_000),
        FragmentParameter.of(FragmentType.DECIMAL, new BigDecimal("12.345")),
        FragmentParameter.of(FragmentType.DOUBLE, 0.1d + 0.2d),
        FragmentParameter.of(FragmentType.BOOLEAN, true),
        FragmentParameter.of(FragmentType.INTEGER, -7),
        FragmentParameter.of(FragmentType.VARCHAR, "it's"),
        FragmentParameter.of(FragmentType.BIGINT, Long.MAX_VALUE),
        FragmentParameter.of(FragmentType.BIGINT, null),
        FragmentParameter.of(FragmentType.VARCHAR, "a"));
    assertEquals(1, rows.size());
    Object[] r = rows.get(0);
    assertEquals(millis, r[0]);
    assertEquals(days, r[1]);
    assertEquals(3_600_000, r[2]);
    assertEquals(new BigDecimal("12.345"), r[3]);
    assertEquals(0.1d + 0.2d, r[4]);
    assertEquals(Boolean.TRUE, r[5]);
    assertEquals(-7, r[6]);
    assertEquals("it's", r[7]);
    assertEquals(Long.MAX_VALUE, r[8]);
    assertEquals(null, r[9]);
  }

  @Test
  void aStatementWithMarkersIsPlannedOnceAndReboundPerExecution() throws Exception {
    String sql = "SELECT _id FROM items WHERE x > ? AND _id <> ?";
    List<String> first = new ArrayList<>();
    rows(sql, List.of(0, 1, 2), new ArrayList<>(), FragmentParameter.of(FragmentType.BIGINT, 2L),
        FragmentParameter.of(FragmentType.VARCHAR, "e")).forEach(r -> first.add((String) r[0]));
    int idle = executor.idleStatements();
    List<String> second = new ArrayList<>();
    rows(sql, List.of(0, 1, 2), new ArrayList<>(), FragmentParameter.of(FragmentType.BIGINT, 0L),
        FragmentParameter.of(FragmentType.VARCHAR, "b")).forEach(r -> second.add((String) r[0]));
    assertEquals(List.of("c", "d"), first.stream().sorted().toList());
    assertEquals(List.of("a", "c", "d", "e"), second.stream().sorted().toList());
    // the second execution reused the statements the first one prepared
    assertEquals(idle, executor.idleStatements());
    List<FragmentColumn> cols = new ArrayList<>();
    List<Object[]> nothing = rows(sql, List.of(0, 1, 2), cols,
        FragmentParameter.of(FragmentType.BIGINT, null),
        FragmentParameter.of(FragmentType.VARCHAR, "a"));
    assertEquals(0, nothing.size());
  }

  @Test
  void parametersTakeTheSameAccessPathsAsLiterals() throws Exception {
    String[] docs = new String[20_000];
    for (int i = 0; i < docs.length; i++) {
      docs[i] = "{\"_id\": \"k" + i + "\", \"x\": " + i + "}";
    }
    write(3, docs);
    List<Object[]> lookup = rows("SELECT _id, x FROM items WHERE _id = ?", List.of(3),
        new ArrayList<>(), FragmentParameter.of(FragmentType.VARCHAR, "k42"));
    assertEquals(1, lookup.size());
    assertEquals(42L, lookup.get(0)[1]);
    // equalities: the same index paths as the literal (a range with a parameter is costed as
    // a quarter of the rows by the one-process planner, so it may scan where a literal would not)
    String[][] cases = {{"_id = ?", "_id = 'k42'"}, {"x = ?", "x = 42"}};
    FragmentParameter[] values = {FragmentParameter.of(FragmentType.VARCHAR, "k42"),
        FragmentParameter.of(FragmentType.BIGINT, 42L)};
    for (int i = 0; i < cases.length; i++) {
      String param = plan("SELECT _id, x FROM items WHERE " + cases[i][0], values[i]);
      String literal = plan("SELECT _id, x FROM items WHERE " + cases[i][1]);
      assertEquals(accessPath(literal), accessPath(param), param + "\n" + literal);
      assertFalse(param.contains("ConvergeTableScan"), param);
    }
    assertEquals(9, rows("SELECT _id FROM items WHERE x > ?", List.of(3), new ArrayList<>(),
        FragmentParameter.of(FragmentType.BIGINT, 19_990L)).size());
  }

  private String plan(String sql, FragmentParameter... parameters) throws FragmentException {
    return String.valueOf(rows("EXPLAIN PLAN FOR " + sql, List.of(3), new ArrayList<>(),
        parameters).get(0)[0]);
  }

  /** The Converge rel reading the shard, e.g. {@code ConvergeRowLookup}. */
  private static String accessPath(String plan) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(Converge(?!ToEnumerable)\\w+)\\(")
        .matcher(plan);
    return m.find() ? m.group(1) : plan;
  }

  @Test
  void parametersThatDoNotMatchTheMarkersAreRefused() {
    FragmentException e = assertThrows(FragmentException.class,
        () -> rows("SELECT _id FROM items WHERE x > ?", List.of(0), new ArrayList<>()));
    assertEquals(FragmentException.Kind.INVALID, e.kind());
    assertTrue(e.getMessage().contains("1 parameter markers"), e.getMessage());
  }

  @Test
  void aFragmentIsPlannedOncePerLeafNotPerShard() throws Exception {
    String sql = "SELECT _id FROM items WHERE x >= ?";
    FragmentParameter two = FragmentParameter.of(FragmentType.BIGINT, 2L);
    List<List<String>> expected = List.of(List.of("b"), List.of("c", "d"), List.of("e"));
    for (int p = 0; p < 3; p++) {
      assertEquals(expected.get(p), ids(rows(sql, List.of(p), new ArrayList<>(), two)),
          "partition " + p);
      // one after the other, the partitions share one statement, bound to each in turn
      assertEquals(1, executor.idleStatements(), "partition " + p);
    }
    assertEquals(List.of("b", "c", "d", "e"),
        ids(rows(sql, List.of(0, 1, 2), new ArrayList<>(), two)));
    int concurrent = Math.min(3, Runtime.getRuntime().availableProcessors());
    assertTrue(executor.idleStatements() <= concurrent, executor.idleStatements() + " statements");
    for (int p = 2; p >= 0; p--) {
      assertEquals(expected.get(p), ids(rows(sql, List.of(p), new ArrayList<>(), two)),
          "partition " + p + " again");
    }
  }

  private static List<String> ids(List<Object[]> rows) {
    return rows.stream().map(r -> (String) r[0]).sorted().toList();
  }

  @Test
  void aFieldOfOneShardIsAColumnOfEvery() throws Exception {
    List<FragmentColumn> cols = new ArrayList<>();
    List<Object[]> rows = rows("SELECT _id, only1, tags FROM items ORDER BY _id", List.of(0, 1, 2),
        cols);
    assertEquals(FragmentType.DOUBLE, cols.get(1).type());
    assertEquals(5, rows.size());
    for (Object[] r : rows) {
      assertEquals("c".equals(r[0]) ? 2.5d : null, r[1], String.valueOf(r[0]));
      assertEquals("a".equals(r[0]) ? List.of("p", "q") : null, r[2], String.valueOf(r[0]));
    }
    // the same statements again (planned once, reused) give the same answer
    assertEquals(5, rows("SELECT _id, only1, tags FROM items ORDER BY _id", List.of(0, 1, 2),
        new ArrayList<>()).size());
  }

  @Test
  void stopsWhenTheSinkHasEnough() throws Exception {
    AtomicInteger got = new AtomicInteger();
    executor.execute(new FragmentRequest("t", C, "SELECT _id FROM items", List.of(0, 1, 2), 7,
        fields, System.currentTimeMillis() + 30_000), new RowSink() {
          @Override
          public void columns(List<FragmentColumn> columns) {
          }

          @Override
          public boolean row(Object[] values) {
            got.incrementAndGet();
            return false;
          }
        });
    assertEquals(1, got.get());
  }

  @Test
  void aDeadlinePassingMidwayFailsTheFragmentNeverShortensIt() throws Exception {
    String sql = "SELECT _id FROM items";
    assertEquals(5, rows(sql, List.of(0, 1, 2), new ArrayList<>()).size(), "planned, warm");
    List<Object[]> got = new ArrayList<>();
    FragmentException e = assertThrows(FragmentException.class, () -> executor.execute(
        new FragmentRequest("t", C, sql, List.of(0, 1, 2), 7, fields,
            System.currentTimeMillis() + 300), new RowSink() {
              @Override
              public void columns(List<FragmentColumn> columns) {
              }

              @Override
              public boolean row(Object[] values) {
                got.add(values.clone());
                try {
                  // the first row holds the sink past the deadline: the rest must not count
                  Thread.sleep(800);
                } catch (InterruptedException ie) {
                  Thread.currentThread().interrupt();
                }
                return true;
              }
            }));
    assertEquals(FragmentException.Kind.TIMEOUT, e.kind(), e.getMessage());
    assertTrue(got.size() < 5, "the fragment stopped at its deadline");
    // the statements the timed-out fragment held are usable again or replaced
    assertEquals(5, rows(sql, List.of(0, 1, 2), new ArrayList<>()).size());
  }

  @Test
  void refusesAndFailsWithTheRightKind() {
    shards.get(C, 2).assigned(false);
    FragmentException e = assertThrows(FragmentException.class,
        () -> rows("SELECT COUNT(*) FROM items", List.of(0, 2, 9), new ArrayList<>()));
    assertEquals(FragmentException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("[2, 9]"), e.getMessage());

    e = assertThrows(FragmentException.class,
        () -> rows("SELECT nope FROM items", List.of(0, 1), new ArrayList<>()));
    assertEquals(FragmentException.Kind.INVALID, e.kind());
    assertTrue(e.getMessage().contains("nope") && !e.getMessage().contains("\n"), e.getMessage());

    e = assertThrows(FragmentException.class, () -> executor.execute(new FragmentRequest("t", C,
        "SELECT COUNT(*) FROM items", List.of(0), 7, fields, System.currentTimeMillis() - 1),
        new RowSink() {
          @Override
          public void columns(List<FragmentColumn> columns) {
          }

          @Override
          public boolean row(Object[] values) {
            return true;
          }
        }));
    assertEquals(FragmentException.Kind.TIMEOUT, e.kind());
  }
}
