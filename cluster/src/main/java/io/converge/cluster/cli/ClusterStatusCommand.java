package io.converge.cluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.converge.cluster.log.ClusterJson;
import io.converge.server.cli.ConvergeCli;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge cluster status}: {@code GET /v1/cluster} of an aggregator, as tables. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show a cluster as one of its aggregators sees it: every leaf with its "
        + "replica group, endpoint, liveness, partitions served and lag, and every collection "
        + "with its partitions, documents and serving leaves."})
final class ClusterStatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--url", required = true, paramLabel = "URL",
      description = "The aggregator's HTTP address, e.g. http://127.0.0.1:8765.")
  String url;

  @Option(names = "--user", paramLabel = "NAME",
      description = "User, when the aggregator has authentication on.")
  String user;

  @Option(names = "--password-stdin",
      description = "Read the password from the first line of standard input.")
  boolean passwordStdin;

  @Option(names = "--json", description = "Print the JSON answer as it is.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      throw new IllegalArgumentException("--url must be an http:// address of an aggregator, "
          + "e.g. http://127.0.0.1:8765 (not the JDBC URL)");
    }
    HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(base + "/v1/cluster"))
        .timeout(Duration.ofSeconds(30)).GET();
    if (user != null) {
      String password = "";
      if (passwordStdin) {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
            StandardCharsets.UTF_8));
        String line = in.readLine();
        password = line == null ? "" : line;
      }
      get.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<String> answer;
    try {
      answer = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(get.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      throw new IllegalStateException("no aggregator answers at " + base);
    }
    if (answer.statusCode() != 200) {
      throw new IllegalStateException("GET " + base + "/v1/cluster answered "
          + answer.statusCode() + ": " + answer.body());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(answer.body());
      out.flush();
      return ConvergeCli.OK;
    }
    JsonNode status = ClusterJson.MAPPER.readTree(answer.body());
    StatusReport.print(status, out);
    return ConvergeCli.OK;
  }
}
