package io.converge.server;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * What a {@link ConvergeServer} serves and where: the data directory, the address to bind
 * ({@value #DEFAULT_HOST} unless told otherwise), the port ({@value #DEFAULT_PORT}; 0 picks a free
 * one) and the Avatica wire format ({@code protobuf} by default, or {@code json}).
 */
public record ServerOptions(Path dataDir, String host, int port, String serialization) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8765;
  public static final String PROTOBUF = "protobuf";
  public static final String JSON = "json";

  public ServerOptions {
    Objects.requireNonNull(dataDir, "dataDir");
    host = host == null || host.isBlank() ? DEFAULT_HOST : host.trim();
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    serialization = serialization == null ? PROTOBUF : serialization.trim().toLowerCase(Locale.ROOT);
    if (!serialization.equals(PROTOBUF) && !serialization.equals(JSON)) {
      throw new IllegalArgumentException(
          "serialization must be 'protobuf' or 'json', got '" + serialization + "'");
    }
  }

  /** Defaults for everything but the data directory. */
  public static ServerOptions of(Path dataDir) {
    return new ServerOptions(dataDir, DEFAULT_HOST, DEFAULT_PORT, PROTOBUF);
  }

  public ServerOptions withHost(String newHost) {
    return new ServerOptions(dataDir, newHost, port, serialization);
  }

  public ServerOptions withPort(int newPort) {
    return new ServerOptions(dataDir, host, newPort, serialization);
  }

  public ServerOptions withSerialization(String newSerialization) {
    return new ServerOptions(dataDir, host, port, newSerialization);
  }
}
