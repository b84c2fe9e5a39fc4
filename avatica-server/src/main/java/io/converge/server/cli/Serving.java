package io.converge.server.cli;

import io.converge.server.ConvergeServer;
import java.io.PrintWriter;

/** Shared by {@code demo} and {@code server}: tell the user how to connect, then block. */
final class Serving {
  private Serving() {}

  static void printConnectionHelp(PrintWriter out, ConvergeServer server, String hint) {
    out.println("Converge is serving " + server.options().dataDir() + " on "
        + server.options().host() + ":" + server.port());
    out.println();
    out.println("  JDBC URL:  " + server.jdbcUrl());
    out.println("  Driver:    org.apache.calcite.avatica.remote.Driver"
        + " (jars for DBeaver and other tools: avatica-server/target/driver/)");
    out.println("  sqlline:   " + sqlCommand(server.jdbcUrl()));
    if (server.security().enabled()) {
      out.println("  Auth:      HTTP BASIC, users from " + server.security().users().file()
          + "; JDBC clients add ;authentication=BASIC;avatica_user=NAME;avatica_password=...");
    } else {
      out.println("  Auth:      none (anyone who reaches " + server.options().host() + ":"
          + server.port() + " may read and write)");
      if (!server.boundAddress().getAddress().isLoopbackAddress()) {
        out.println("  WARNING:   no authentication on a non-loopback address: other machines can"
            + " read, write and back up; use --users FILE");
      }
    }
    out.println();
    if (hint != null) {
      out.println(hint);
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
  }

  static String sqlCommand(String jdbcUrl) {
    return "bin/converge sql --url '" + jdbcUrl + "'";
  }

  /** Blocks until the JVM is asked to stop; stops the server on the way out. */
  static int blockUntilStopped(ConvergeServer server) {
    Thread hook = new Thread(server::stop, "converge-server-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    server.join();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or ran
    }
    server.stop();
    return ConvergeCli.OK;
  }
}
