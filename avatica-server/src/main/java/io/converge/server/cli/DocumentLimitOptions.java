package io.converge.server.cli;

import io.converge.storage.json.DocumentLimits;
import picocli.CommandLine.Option;

/**
 * The limits of one written document, as options of {@code server} and {@code demo} (a picocli
 * mixin). A document beyond one is rejected alone, with the reason; the other documents of the
 * request are written.
 */
public final class DocumentLimitOptions {
  @Option(names = "--max-document-size", defaultValue = "16m", paramLabel = "SIZE",
      description = "Largest document, encoded (about its JSON size), e.g. 16m, 512k or bytes"
          + " (default: ${DEFAULT-VALUE}, at most 1g).")
  String maxDocumentSize;

  @Option(names = "--max-nesting-depth", defaultValue = "" + DocumentLimits.DEFAULT_MAX_DEPTH,
      paramLabel = "LEVELS",
      description = "Deepest nesting of objects and arrays in a document (default:"
          + " ${DEFAULT-VALUE}, at most " + DocumentLimits.PARSER_DEPTH_LIMIT + ").")
  int maxNestingDepth;

  @Option(names = "--max-array-length", defaultValue = "" + DocumentLimits.DEFAULT_MAX_ARRAY_LENGTH,
      paramLabel = "N", description = "Most elements of one array (default: ${DEFAULT-VALUE}).")
  int maxArrayLength;

  @Option(names = "--max-field-name-length",
      defaultValue = "" + DocumentLimits.DEFAULT_MAX_FIELD_NAME_LENGTH, paramLabel = "CHARS",
      description = "Longest field name, characters (default: ${DEFAULT-VALUE}).")
  int maxFieldNameLength;

  /** The limits asked for; IllegalArgumentException (a one-line error) when one is out of range. */
  public DocumentLimits limits() {
    long size;
    try {
      size = ServerCommand.bytes(maxDocumentSize);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--max-document-size: not a size: " + maxDocumentSize);
    }
    if (size < 1 || size > DocumentLimits.MAX_DOCUMENT_BYTES_LIMIT) {
      throw new IllegalArgumentException("--max-document-size must be between 1 byte and 1g, got "
          + maxDocumentSize);
    }
    try {
      return new DocumentLimits((int) size, maxNestingDepth, maxArrayLength, maxFieldNameLength);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("document limits: " + e.getMessage(), e);
    }
  }
}
