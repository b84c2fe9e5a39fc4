package io.converge.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code converge demo} loads the sample data set and serves it. */
class DemoCommandTest {
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void demoServesOneHundredThousandOrders(@TempDir Path dir) throws Exception {
    Class.forName(ConvergeServerExtension.REMOTE_DRIVER);
    int port = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    File log = dir.resolve("demo.log").toFile();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-cp",
        System.getProperty("java.class.path"), "io.converge.server.cli.ConvergeCli", "demo",
        "--data-dir", dir.resolve("demo").toString(), "--port", Integer.toString(port));
    pb.redirectErrorStream(true);
    pb.redirectOutput(log);
    Process p = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      while (!listening(port)) {
        if (!p.isAlive()) {
          fail("demo exited with " + p.exitValue() + ": " + Files.readString(log.toPath()));
        }
        if (System.nanoTime() > deadline) {
          fail("demo did not listen on " + port + ": " + Files.readString(log.toPath()));
        }
        Thread.sleep(200);
      }
      String url = "jdbc:avatica:remote:url=http://127.0.0.1:" + port
          + ";serialization=protobuf";
      try (Connection c = DriverManager.getConnection(url)) {
        assertEquals(100_000L, Sql.scalar(c, "select count(*) from orders"));
        assertEquals(2_000L, Sql.scalar(c, "select count(*) from customers"));
      }
      String output = Files.readString(log.toPath());
      assertTrue(output.contains(url) || output.contains("127.0.0.1:" + port),
          "prints the JDBC URL: " + output);
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      System.out.println(Files.readString(log.toPath()));
    }
  }
}
