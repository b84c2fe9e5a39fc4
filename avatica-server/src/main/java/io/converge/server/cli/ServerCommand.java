package io.converge.server.cli;

import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge server}: serves an existing or new data directory over Avatica. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Serve a data directory (created if missing) to JDBC clients over Avatica HTTP.")
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

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(dataDir);
    ConvergeServer server = ConvergeServer.start(
        new ServerOptions(dataDir, host, port, serialization));
    server.warmUp();
    Serving.printConnectionHelp(spec.commandLine().getOut(), server, null);
    return Serving.blockUntilStopped(server);
  }
}
