package io.converge.server.cli;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.auth.ServerSecurity;
import io.converge.server.tailer.KafkaTailer;
import io.converge.server.tailer.TailSpec;
import io.converge.server.tailer.TailerGroup;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge server}: serves an existing or new data directory over Avatica. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = {"Serve a data directory (created if missing) to JDBC clients over Avatica HTTP.",
        "With --kafka-bootstrap and --tail, also tail Kafka topics into collections, exactly once: "
            + "consumed offsets are stored with the documents in the data directory."})
final class ServerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR",
      description = "Data directory (created if missing).")
  Path dataDir;

  @Option(names = "--host", defaultValue = ServerOptions.DEFAULT_HOST, paramLabel = "HOST",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for all interfaces).")
  String host;

  @Option(names = "--port", defaultValue = "8765", paramLabel = "PORT",
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free port).")
  int port;

  @Option(names = "--serialization", defaultValue = ServerOptions.PROTOBUF,
      paramLabel = "protobuf|json",
      description = "Avatica wire format (default: ${DEFAULT-VALUE}).")
  String serialization;

  @Option(names = "--max-request-size", defaultValue = "64m", paramLabel = "SIZE",
      description = "Largest HTTP write request body accepted, e.g. 64m, 512k, 1g or bytes"
          + " (default: ${DEFAULT-VALUE}); larger ones get 413.")
  String maxRequestSize;

  @Mixin
  AuthOptions auth = new AuthOptions();

  @Mixin
  DocumentLimitOptions documentLimits = new DocumentLimitOptions();

  @Mixin
  QueryLimitOptions queryLimits = new QueryLimitOptions();

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers for --tail.")
  String kafkaBootstrap;

  @Option(names = "--tail", paramLabel = "TOPIC:COLLECTION",
      description = "Tail a Kafka topic (JSON object values; key = _id when the value has none; "
          + "null value deletes by key) into a collection. Repeatable.")
  List<String> tails = new ArrayList<>();

  @Option(names = "--tail-config", paramLabel = "FILE",
      description = "Properties file of Kafka consumer settings for every tailer "
          + "(security, fetch sizes, ...).")
  Path tailConfig;

  /** {@code 123}, {@code 512k}, {@code 64m}, {@code 1g} (binary units) as bytes. */
  static long bytes(String size) {
    String s = size.trim().toLowerCase(java.util.Locale.ROOT);
    long unit = 1;
    if (s.endsWith("k") || s.endsWith("m") || s.endsWith("g")) {
      unit = switch (s.charAt(s.length() - 1)) {
        case 'k' -> 1L << 10;
        case 'm' -> 1L << 20;
        default -> 1L << 30;
      };
      s = s.substring(0, s.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(s), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("--max-request-size: not a size: " + size);
    }
  }

  /** The authentication asked for: --users FILE, or --no-auth said explicitly. */
  ServerSecurity security() throws java.io.IOException {
    return auth.security();
  }

  @Override
  public Integer call() throws Exception {
    List<TailSpec> specs = new ArrayList<>();
    for (String t : tails) {
      specs.add(TailSpec.parse(t));
    }
    TailerGroup.checkDistinct(specs);
    if (!specs.isEmpty() && (kafkaBootstrap == null || kafkaBootstrap.isBlank())) {
      throw new IllegalArgumentException("--tail needs --kafka-bootstrap HOST:PORT");
    }
    if (tailConfig != null && !Files.isReadable(tailConfig)) {
      throw new IllegalArgumentException("--tail-config " + tailConfig + ": not a readable file");
    }
    ServerSecurity security = security();
    if (!specs.isEmpty()
        && System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      // Kafka's clients log every config value and reconnect at info; the tailers log their own.
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    }
    Files.createDirectories(dataDir);
    ConvergeServer server = ConvergeServer.start(
        new ServerOptions(dataDir, host, port, serialization, bytes(maxRequestSize))
            .withDocumentLimits(documentLimits.limits())
            .withQueryLimits(queryLimits.limits()), security);
    TailerGroup tailers;
    try {
      server.warmUp();
      tailers = TailerGroup.start(server.store(), kafkaBootstrap, specs, tailConfig);
    } catch (Exception | Error e) {
      server.stop();
      throw e;
    }
    PrintWriter out = spec.commandLine().getOut();
    for (KafkaTailer t : tailers.tailers()) {
      out.println("Tailing Kafka topic " + t.spec().topic() + " at " + kafkaBootstrap
          + " into collection " + t.spec().collection());
    }
    Serving.printConnectionHelp(out, server, null);
    return blockUntilStopped(server, tailers);
  }

  /**
   * Like {@link Serving#blockUntilStopped}, with one hook that stops the tailers before the server
   * releases the store (shutdown hooks run concurrently, so two hooks could close the store under a
   * tailer's write; that write would be lost whole and re-read, but noisily).
   */
  private static int blockUntilStopped(ConvergeServer server, TailerGroup tailers) {
    Runnable stop = () -> {
      try {
        tailers.close();
      } finally {
        server.stop();
      }
    };
    Thread hook = new Thread(stop, "converge-server-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    server.join();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or ran
    }
    stop.run();
    return ConvergeCli.OK;
  }
}
