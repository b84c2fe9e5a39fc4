package io.converge.cluster.cli;

import io.converge.cluster.log.LeafAnnouncement;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What the cluster commands ask of a leaf on its HTTP port ({@code /v1/leaf}). */
final class LeafHttp {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private LeafHttp() {}

  /** What the leaf on 127.0.0.1:{@code httpPort} announces now; null when it does not answer. */
  static LeafAnnouncement announcement(int httpPort) throws InterruptedException {
    try {
      HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(uri(httpPort, "/v1/leaf"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      return r.statusCode() == 200 ? LeafAnnouncement.decode(r.body()) : null;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Asks the leaf on 127.0.0.1:{@code httpPort} to drain.
   *
   * @throws IllegalStateException when it does not take the request
   */
  static void drain(int httpPort) throws InterruptedException {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(httpPort, "/v1/leaf/drain"))
          .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 202) {
        throw new IllegalStateException("the leaf on port " + httpPort + " refused to drain (HTTP "
            + r.statusCode() + "): " + r.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the leaf's HTTP port " + httpPort + ": "
          + e.getMessage(), e);
    }
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
