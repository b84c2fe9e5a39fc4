package io.converge.cluster.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.converge.rules.DuckDbReference;
import io.converge.rules.QueryGenerator;
import io.converge.rules.TestCollection;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.auth.ServerSecurity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster answers exactly as one process does: the same documents (nested fields, arrays,
 * mixed types, upserts that change types, deletes) written through the HTTP API of a one-process
 * server and of a cluster's aggregator, then random queries of the rules module's differential
 * generator through both Avatica servers, compared row for row. First with one replica group of
 * three leaves, then with a second group of three whose leaves may serve any partition (routing
 * spread over both groups, then each group on its own), and with distributed pushdown off.
 *
 * <p>{@code -Dconverge.cluster.difftest.queries=N} (default 150 per phase, 4 phases) and
 * {@code -Dconverge.cluster.difftest.rows=N} (default 6,000) scale it up.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterDifferentialTest {
  private static final int ROWS = Integer.getInteger("converge.cluster.difftest.rows", 6_000);
  private static final int QUERIES = Integer.getInteger("converge.cluster.difftest.queries", 150);
  private static final long SEED = Long.getLong("converge.cluster.difftest.seed", 20_261_207L);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UNORDERED_LIMIT =
      Pattern.compile("(?s)((?:(?!ORDER BY).)*) LIMIT \\d+");

  @TempDir static Path dir;
  private InProcessCluster cluster;
  private ConvergeServer single;
  private Connection one;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> report = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    single = ConvergeServer.start(new ServerOptions(dir.resolve("single"), "127.0.0.1", 0,
        "protobuf"), ServerSecurity.none());
    cluster = InProcessCluster.start(dir.resolve("cluster"), 6);
    cluster.addLeaves("g0", 3);
    write(single.baseUrl());
    write(cluster.apiUrl());
    cluster.awaitCaughtUp(Duration.ofMinutes(2));
    one = DriverManager.getConnection(single.jdbcUrl());
    String show = System.getProperty("converge.cluster.difftest.show");
    if (show != null) {
      try (Connection c = DriverManager.getConnection(cluster.jdbcUrl())) {
        for (String id : show.split(",")) {
          String sql = "SELECT * FROM t WHERE _id = '" + id + "'";
          System.out.println("SHOW " + id + "\n  one process: " + run(one,
              new QueryGenerator.Query(sql, false, List.of(), false)) + "\n  cluster:     "
              + run(c, new QueryGenerator.Query(sql, false, List.of(), false)));
        }
      }
    }
  }

  @AfterAll
  void stop() throws Exception {
    System.out.println("cluster differential test: " + String.join("; ", report));
    if (one != null) {
      one.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (single != null) {
      single.stop();
    }
  }

  @Test
  void oneReplicaGroupThenTwoAnswerAsOneProcess() throws Exception {
    List<String> mismatches = new ArrayList<>();
    QueryGenerator gen = new QueryGenerator(SEED);
    compare("1 group", gen, Map.of(), mismatches);
    compare("1 group, distributed=false", gen, Map.of("distributed", "false"), mismatches);
    cluster.addLeaves("g1", 3);
    cluster.awaitCaughtUp(Duration.ofMinutes(2));
    compare("2 groups, spread", gen, Map.of(), mismatches);
    compare("2 groups, g1 only", gen, Map.of("replicaGroup", "g1"), mismatches);
    mismatches.forEach(System.out::println);
    assertEquals(List.of(), mismatches.subList(0, Math.min(10, mismatches.size())),
        mismatches.size() + " mismatches");
  }

  @SuppressWarnings("unchecked")
  private void compare(String phase, QueryGenerator gen, Map<String, String> props,
      List<String> mismatches) throws SQLException {
    Properties p = new Properties();
    p.putAll(props);
    int failedBoth = 0;
    int compared = 0;
    long start = System.nanoTime();
    try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), p)) {
      for (int i = 0; i < QUERIES; i++) {
        QueryGenerator.Query q = gen.next("t", ROWS);
        Object expected = run(one, q);
        Object actual = run(c, q);
        if (expected instanceof SQLException && actual instanceof SQLException) {
          failedBoth++;
          continue;
        }
        compared++;
        Matcher limit = UNORDERED_LIMIT.matcher(q.sql());
        if (limit.matches() && !(expected instanceof SQLException)
            && !(actual instanceof SQLException)) {
          // any n rows of the answer are right: one process returns the first n in rid order,
          // a cluster the first n to arrive from its shards
          String complaint = limitedSubset(q, limit, (List<String>) expected,
              (List<String>) actual);
          if (complaint != null) {
            mismatches.add(phase + " #" + i + " " + q.sql() + "\n  " + complaint);
          }
        } else if (!expected.equals(actual)) {
          mismatches.add(phase + " #" + i + " " + q.sql() + "\n  one process: "
              + abbreviate(expected) + "\n  cluster:     " + abbreviate(actual)
              + diagnose(q, expected));
        }
      }
    }
    report.add(String.format("%s: %d queries, %d compared, %d failed on both sides, %.1f s",
        phase, QUERIES, compared, failedBoth, (System.nanoTime() - start) / 1e9));
    assertTrue(failedBoth < QUERIES / 10, phase + ": too many queries fail on both sides: "
        + failedBoth);
  }

  /**
   * Null when {@code actual} has as many rows as {@code expected} and each is a row of the whole
   * answer (the query without its LIMIT, on one process), else what is wrong.
   */
  private String limitedSubset(QueryGenerator.Query q, Matcher limit, List<String> expected,
      List<String> actual) {
    if (actual.size() != expected.size()) {
      return actual.size() + " rows, one process " + expected.size();
    }
    Object whole = run(one, new QueryGenerator.Query(limit.group(1), false, q.params(), false));
    if (!(whole instanceof List<?> rows)) {
      return "the query without LIMIT fails: " + whole;
    }
    Map<String, Integer> left = new java.util.HashMap<>();
    for (Object row : rows) {
      left.merge((String) row, 1, Integer::sum);
    }
    for (String row : actual) {
      if (left.merge(row, -1, Integer::sum) < 0) {
        return "row not in the answer: " + row;
      }
    }
    return null;
  }

  /** Which replica group gives the one-process answer, to tell a bad replica from a bad merge. */
  private String diagnose(QueryGenerator.Query q, Object expected) {
    StringBuilder b = new StringBuilder();
    for (String group : List.of("g0", "g1")) {
      Properties p = new Properties();
      p.put("replicaGroup", group);
      try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), p)) {
        Object r = run(c, q);
        b.append("\n  ").append(group).append(" alone: ")
            .append(expected.equals(r) ? "same" : abbreviate(r));
      } catch (SQLException e) {
        b.append("\n  ").append(group).append(": ").append(e.getMessage());
      }
    }
    return b.toString();
  }

  private static Object run(Connection c, QueryGenerator.Query q) {
    try {
      List<String> rows;
      if (q.params().isEmpty()) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q.sql())) {
          rows = DuckDbReference.rows(rs);
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement(q.sql())) {
          for (int i = 0; i < q.params().size(); i++) {
            ps.setObject(i + 1, q.params().get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            rows = DuckDbReference.rows(rs);
          }
        }
      }
      if (!q.ordered()) {
        Collections.sort(rows);
      }
      return rows;
    } catch (SQLException e) {
      return e;
    }
  }

  private static String abbreviate(Object o) {
    String s = o instanceof SQLException e ? "ERROR " + e.getMessage() : String.valueOf(o);
    return s.length() > 600 ? s.substring(0, 600) + "..." : s;
  }

  /** The differential collection's writes, in order, through one server's HTTP API. */
  private void write(String api) {
    TestCollection.replay(ROWS, batch -> post(api, batch), () -> { }, ids -> {
      for (String id : ids) {
        send(HttpRequest.newBuilder(URI.create(api + "/v1/collections/t/docs/" + id)).DELETE()
            .build(), 404);
      }
    });
  }

  private void post(String api, List<Map<String, Object>> batch) {
    StringBuilder body = new StringBuilder();
    for (Map<String, Object> d : batch) {
      Map<String, Object> doc = new LinkedHashMap<>(d);
      // the ingest time differs between the two servers: give every document its own
      String id = (String) d.get("_id");
      doc.put("_event_time", Instant.ofEpochSecond(1_767_225_600L + Long.parseLong(id.substring(1)))
          .toString());
      try {
        body.append(JSON.writeValueAsString(doc)).append('\n');
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    send(HttpRequest.newBuilder(URI.create(api + "/v1/collections/t/docs"))
        .header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), -1);
  }

  private void send(HttpRequest request, int alsoFine) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2 && r.statusCode() != alsoFine) {
        throw new AssertionError(request.method() + " " + request.uri() + ": " + r.statusCode()
            + " " + r.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
