package io.converge.storage.json;

/**
 * How large and how deep one document may be. A document beyond a limit is rejected alone, with a
 * reason that names the limit and where it was crossed; the other documents of the same input are
 * still read.
 *
 * @param maxDocumentBytes largest document, encoded (roughly its JSON size), bytes
 * @param maxDepth deepest nesting of objects and arrays: {@code {"a": 1}} is 1 level,
 *     {@code {"a": {"b": [1]}}} 3; at most {@value #PARSER_DEPTH_LIMIT}
 * @param maxArrayLength most elements in one array (each element is indexed)
 * @param maxFieldNameLength longest field name (one key, not the dotted path), characters
 */
public record DocumentLimits(int maxDocumentBytes, int maxDepth, int maxArrayLength,
    int maxFieldNameLength) {
  public static final int DEFAULT_MAX_DOCUMENT_BYTES = 16 << 20;
  public static final int DEFAULT_MAX_DEPTH = 64;
  public static final int DEFAULT_MAX_ARRAY_LENGTH = 100_000;
  public static final int DEFAULT_MAX_FIELD_NAME_LENGTH = 1_024;
  /**
   * Nesting the parser follows at all. Up to it, a too-deep document is skipped and rejected alone;
   * beyond it the end of the document cannot be found safely: an NDJSON line is still rejected
   * alone, but a JSON array input stops there as malformed.
   */
  public static final int PARSER_DEPTH_LIMIT = 1_000;
  /** Largest {@link #maxDocumentBytes}: 1 GiB. */
  public static final int MAX_DOCUMENT_BYTES_LIMIT = 1 << 30;

  public static final DocumentLimits DEFAULTS = new DocumentLimits(DEFAULT_MAX_DOCUMENT_BYTES,
      DEFAULT_MAX_DEPTH, DEFAULT_MAX_ARRAY_LENGTH, DEFAULT_MAX_FIELD_NAME_LENGTH);

  public DocumentLimits {
    if (maxDocumentBytes < 1 || maxDocumentBytes > MAX_DOCUMENT_BYTES_LIMIT) {
      throw new IllegalArgumentException("the document size limit must be between 1 and "
          + MAX_DOCUMENT_BYTES_LIMIT + " bytes, got " + maxDocumentBytes);
    }
    if (maxDepth < 1 || maxDepth > PARSER_DEPTH_LIMIT) {
      throw new IllegalArgumentException("the nesting depth limit must be between 1 and "
          + PARSER_DEPTH_LIMIT + ", got " + maxDepth);
    }
    if (maxArrayLength < 1) {
      throw new IllegalArgumentException("the array length limit must be at least 1, got "
          + maxArrayLength);
    }
    if (maxFieldNameLength < 1) {
      throw new IllegalArgumentException("the field name length limit must be at least 1, got "
          + maxFieldNameLength);
    }
  }

  public DocumentLimits withMaxDocumentBytes(int n) {
    return new DocumentLimits(n, maxDepth, maxArrayLength, maxFieldNameLength);
  }

  public DocumentLimits withMaxDepth(int n) {
    return new DocumentLimits(maxDocumentBytes, n, maxArrayLength, maxFieldNameLength);
  }

  public DocumentLimits withMaxArrayLength(int n) {
    return new DocumentLimits(maxDocumentBytes, maxDepth, n, maxFieldNameLength);
  }

  public DocumentLimits withMaxFieldNameLength(int n) {
    return new DocumentLimits(maxDocumentBytes, maxDepth, maxArrayLength, n);
  }
}
