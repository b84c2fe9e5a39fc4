package io.converge.storage;

/** A storage failure with a message meant for the user (not a raw RocksDB status). */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
