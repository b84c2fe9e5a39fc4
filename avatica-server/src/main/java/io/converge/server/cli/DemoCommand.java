package io.converge.server.cli;

import io.converge.examples.SampleData;
import io.converge.server.ConvergeServer;
import io.converge.server.ServerOptions;
import io.converge.server.auth.ServerSecurity;
import io.converge.storage.ConvergeCollection;
import io.converge.storage.ConvergeStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code converge demo}: sample data in ./data/demo, served on 127.0.0.1:8765. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Load the sample data set (orders, customers) into a data directory if it is "
        + "empty, then serve it.", "A second run reuses the data."})
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--data-dir", defaultValue = "data/demo", paramLabel = "DIR",
      description = "Data directory (default: ./${DEFAULT-VALUE}; created if missing).")
  Path dataDir;

  @Option(names = "--host", defaultValue = ServerOptions.DEFAULT_HOST, paramLabel = "HOST",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8765", paramLabel = "PORT",
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free port).")
  int port;

  @Mixin
  DocumentLimitOptions documentLimits = new DocumentLimitOptions();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Files.createDirectories(dataDir);
    ConvergeServer server;
    ConvergeStore store = ConvergeStore.acquire(dataDir);
    try {
      if (isEmpty(store.collection(SampleData.ORDERS))
          || isEmpty(store.collection(SampleData.CUSTOMERS))) {
        out.println("Loading the sample data set into " + dataDir.toAbsolutePath().normalize()
            + " (first run) ...");
        out.flush();
        long t0 = System.nanoTime();
        SampleData.loadDemo(store);
        store.flush();
        out.printf("Loaded in %.1f s.%n", (System.nanoTime() - t0) / 1e9);
      } else {
        out.println("Reusing the data in " + dataDir.toAbsolutePath().normalize());
      }
      for (String name : store.collectionNames()) {
        out.printf("  %-12s %,d documents%n", name, store.collection(name).documentCount());
      }
      out.println();
      // the demo runs without authentication (server asks for --users or --no-auth)
      server = ConvergeServer.start(new ServerOptions(dataDir, host, port, ServerOptions.PROTOBUF)
          .withDocumentLimits(documentLimits.limits()), ServerSecurity.none());
    } finally {
      store.release(); // the server holds its own reference
    }
    server.warmUp();
    Serving.printConnectionHelp(out, server,
        "Try:       select status, count(*) as n from orders group by status;");
    return Serving.blockUntilStopped(server);
  }

  private static boolean isEmpty(ConvergeCollection c) {
    return c == null || c.documentCount() == 0;
  }
}
