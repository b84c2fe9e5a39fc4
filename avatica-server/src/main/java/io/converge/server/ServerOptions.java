package io.converge.server;

import io.converge.storage.json.DocumentLimits;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * What a {@link ConvergeServer} serves and where: the data directory, the address to bind
 * ({@value #DEFAULT_HOST} unless told otherwise), the port ({@value #DEFAULT_PORT}; 0 picks a free
 * one), the Avatica wire format ({@code protobuf} by default, or {@code json}) and the largest
 * body the HTTP write API accepts ({@value #DEFAULT_MAX_REQUEST_BYTES} bytes unless told otherwise;
 * larger requests get 413), the query limits ({@link QueryLimits}: timeout, per-query memory,
 * heap watchdog) and the limits of one written document ({@link DocumentLimits}: size, nesting
 * depth, array length, field name length; a document beyond one is rejected alone).
 */
public record ServerOptions(Path dataDir, String host, int port, String serialization,
    long maxRequestBytes, QueryLimits queryLimits, DocumentLimits documentLimits) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8765;
  public static final String PROTOBUF = "protobuf";
  public static final String JSON = "json";
  /** 64 MB: bodies are held in memory while they are parsed, before anything is written. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 64L << 20;
  /** Bodies are read into one byte array. */
  public static final long MAX_REQUEST_BYTES_LIMIT = Integer.MAX_VALUE - 64;

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
    if (maxRequestBytes < 1 || maxRequestBytes > MAX_REQUEST_BYTES_LIMIT) {
      throw new IllegalArgumentException("the request size limit must be between 1 and "
          + MAX_REQUEST_BYTES_LIMIT + " bytes, got " + maxRequestBytes);
    }
    queryLimits = queryLimits == null ? QueryLimits.DEFAULT : queryLimits;
    documentLimits = documentLimits == null ? DocumentLimits.DEFAULTS : documentLimits;
  }

  /** The default document limits. */
  public ServerOptions(Path dataDir, String host, int port, String serialization,
      long maxRequestBytes, QueryLimits queryLimits) {
    this(dataDir, host, port, serialization, maxRequestBytes, queryLimits,
        DocumentLimits.DEFAULTS);
  }

  /** The default query limits. */
  public ServerOptions(Path dataDir, String host, int port, String serialization,
      long maxRequestBytes) {
    this(dataDir, host, port, serialization, maxRequestBytes, QueryLimits.DEFAULT);
  }

  /** The default request size limit. */
  public ServerOptions(Path dataDir, String host, int port, String serialization) {
    this(dataDir, host, port, serialization, DEFAULT_MAX_REQUEST_BYTES);
  }

  /** Defaults for everything but the data directory. */
  public static ServerOptions of(Path dataDir) {
    return new ServerOptions(dataDir, DEFAULT_HOST, DEFAULT_PORT, PROTOBUF);
  }

  public ServerOptions withHost(String newHost) {
    return new ServerOptions(dataDir, newHost, port, serialization, maxRequestBytes,
        queryLimits, documentLimits);
  }

  public ServerOptions withPort(int newPort) {
    return new ServerOptions(dataDir, host, newPort, serialization, maxRequestBytes,
        queryLimits, documentLimits);
  }

  public ServerOptions withSerialization(String newSerialization) {
    return new ServerOptions(dataDir, host, port, newSerialization, maxRequestBytes,
        queryLimits, documentLimits);
  }

  /** Largest body of an HTTP write request, bytes. */
  public ServerOptions withMaxRequestBytes(long newMaxRequestBytes) {
    return new ServerOptions(dataDir, host, port, serialization, newMaxRequestBytes,
        queryLimits, documentLimits);
  }

  /** Query timeout, per-query memory limit and heap watchdog mark. */
  public ServerOptions withQueryLimits(QueryLimits newQueryLimits) {
    return new ServerOptions(dataDir, host, port, serialization, maxRequestBytes,
        newQueryLimits, documentLimits);
  }

  /** Largest document, deepest nesting, longest array and field name of one written document. */
  public ServerOptions withDocumentLimits(DocumentLimits newDocumentLimits) {
    return new ServerOptions(dataDir, host, port, serialization, maxRequestBytes, queryLimits,
        newDocumentLimits);
  }
}
