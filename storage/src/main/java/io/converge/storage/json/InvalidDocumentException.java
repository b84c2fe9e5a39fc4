package io.converge.storage.json;

/** A document that cannot be stored, with the reason shown to the writer. */
public class InvalidDocumentException extends Exception {
  public InvalidDocumentException(String message) {
    super(message);
  }
}
