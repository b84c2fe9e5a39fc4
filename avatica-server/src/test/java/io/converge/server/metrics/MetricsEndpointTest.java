package io.converge.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.auth.Role;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.auth.UserFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} of a real server on a free loopback port over a temporary directory. */
class MetricsEndpointTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dataDir;

  private ConvergeServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private static HttpResponse<String> get(String url, String accept, String basic)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (accept != null) {
      b.header("Accept", accept);
    }
    if (basic != null) {
      b.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String body, String basic)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (basic != null) {
      b.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void countsWritesQueriesAndErrorsAndServesJvmAndStorageGauges() throws Exception {
    server = ConvergeServer.start(ServerOptions.of(dataDir).withPort(0));
    HttpResponse<String> write = post(server.apiUrl() + "/collections/metered/docs",
        "[{\"_id\": \"a\", \"n\": 1}, {\"_id\": \"b\", \"n\": 2}, 7, {\"_id\": \"c\", \"n\": 3}]",
        null);
    assertEquals(200, write.statusCode(), write.body());
    try (Connection c = DriverManager.getConnection(server.jdbcUrl());
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("select count(*) from metered")) {
        assertTrue(rs.next());
        assertEquals(3, rs.getLong(1));
      }
      assertThrows(SQLException.class, () -> s.executeQuery("select nothing from metered"));
    }

    HttpResponse<String> r = get(server.baseUrl() + "/metrics", null, null);
    assertEquals(200, r.statusCode());
    assertEquals(ConvergeMetrics.TEXT_CONTENT_TYPE,
        r.headers().firstValue("Content-Type").orElse(""));
    PrometheusText m = new PrometheusText(r.body());
    assertEquals(3.0, m.value("converge_documents_ingested_total",
        "collection=\"metered\"", "source=\"http\""), r.body());
    assertEquals(1.0, m.value("converge_documents_rejected_total",
        "collection=\"metered\"", "reason=\"invalid\"", "source=\"http\""));
    assertTrue(m.value("converge_query_seconds_count", "request=\"prepare_and_execute\"",
        "role=\"server\"") >= 2);
    assertTrue(m.has("converge_query_seconds_bucket", "le=\"0.001\"", "role=\"server\""),
        "latency is a histogram");
    assertTrue(m.value("converge_sql_errors_total", "role=\"server\"",
        "sqlstate_class=\"42\"") >= 1);
    assertTrue(m.value("jvm_memory_used_bytes", "area=\"heap\"") > 0);
    assertTrue(m.has("jvm_gc_", ""));
    assertTrue(m.value("process_uptime_seconds") > 0);
    String store = "store=\"" + server.store().directory() + "\"";
    assertEquals(3.0, m.value("converge_collection_documents", "collection=\"metered\"", store));
    assertTrue(m.value("converge_rocksdb_estimated_keys", store) >= 0);
    assertTrue(m.value("converge_rocksdb_sst_files_bytes", store) >= 0);
    assertTrue(m.value("converge_rocksdb_pending_compaction_bytes", store) >= 0);
    assertTrue(m.value("converge_rocksdb_memtables_bytes", store) > 0);
  }

  @Test
  void servesOpenMetricsWhenAskedForAndOnlyGet() throws Exception {
    server = ConvergeServer.start(ServerOptions.of(dataDir).withPort(0));
    HttpResponse<String> r = get(server.baseUrl() + "/metrics",
        "application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5", null);
    assertEquals(200, r.statusCode());
    assertEquals(ConvergeMetrics.OPENMETRICS_CONTENT_TYPE,
        r.headers().firstValue("Content-Type").orElse(""));
    assertTrue(r.body().endsWith("# EOF\n"), r.body());
    HttpResponse<String> post = post(server.baseUrl() + "/metrics", "{}", null);
    assertEquals(405, post.statusCode());
  }

  @Test
  void withUsersAScraperNeedsTheCredentialsOfAnyUser() throws Exception {
    Path users = Files.createTempDirectory(dataDir, "auth").resolve("users");
    UserFile.put(users, "scraper", "scraper-password".toCharArray(), Role.READER);
    server = ConvergeServer.start(ServerOptions.of(dataDir.resolve("data")).withPort(0),
        ServerSecurity.users(users));
    assertEquals(401, get(server.baseUrl() + "/metrics", null, null).statusCode());
    assertEquals(401, get(server.baseUrl() + "/metrics", null, "scraper:wrong-password").statusCode());
    HttpResponse<String> r = get(server.baseUrl() + "/metrics", null, "scraper:scraper-password");
    assertEquals(200, r.statusCode());
    assertTrue(new PrometheusText(r.body()).value("jvm_threads_live_threads") > 0);
  }
}
