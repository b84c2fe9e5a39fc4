package io.converge.server;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.Meta.Frame;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchStatementException;

/**
 * Sizes result frames by bytes rather than rows. Avatica's client asks for 100 rows per frame
 * unless told otherwise, and every frame is an HTTP round trip: a 5,000-row answer took 50 of
 * them. A frame here carries as many rows as fit {@link #budgetBytes} (estimated from the rows
 * read so far), so a result of a few MB arrives in one or two round trips, while a result of
 * huge rows still arrives in frames of about the budget.
 *
 * <p>A frame is filled by reading the statement's result in chunks through Avatica's own row
 * conversion ({@link Reader}, {@code JdbcMeta.fetch}); each chunk asks for half of the room left
 * at the average row size seen so far, so a frame overshoots the budget only when a chunk's rows
 * are more than twice as large as the rows before them. A frame always carries at least one row.
 *
 * <p>A client that set its own fetch size (anything but Avatica's default of
 * {@value #CLIENT_DEFAULT_FETCH_SIZE}) gets at least that many rows per fetch, or as many as were
 * already sent when that is more (frames double along a long result), within the budget.
 */
final class FrameBudget {
  /** Avatica's default fetch size: a client sending it did not choose one. */
  static final int CLIENT_DEFAULT_FETCH_SIZE = 100;
  /** The default budget of one frame, bytes (estimated). */
  static final long DEFAULT_BUDGET_BYTES = 4L << 20;
  /** Rows read before a frame's first row-size estimate: one, so a huge row is seen alone. */
  static final int FIRST_CHUNK_ROWS = 1;
  /** Rows per frame whatever the budget (tiny rows would otherwise make huge frames). */
  static final int MAX_ROWS = 1_000_000;
  /** Estimated bytes per row and per value beyond the values themselves (protobuf framing). */
  static final int ROW_OVERHEAD = 4;
  static final int VALUE_OVERHEAD = 10;

  /** Reads the next {@code rows} rows of a statement's result, its frame starting at offset. */
  interface Reader {
    Frame read(long offset, int rows) throws NoSuchStatementException, MissingResultsException;
  }

  private final long budgetBytes;

  FrameBudget(long budgetBytes) {
    if (budgetBytes <= 0) {
      throw new IllegalArgumentException("frame budget must be > 0 bytes, got " + budgetBytes);
    }
    this.budgetBytes = budgetBytes;
  }

  long budgetBytes() {
    return budgetBytes;
  }

  /** Rows a fetch at {@code offset} must carry at least (0: only the byte budget counts). */
  static int minimumRows(int fetchSize, long offset) {
    if (fetchSize <= 0 || fetchSize == CLIENT_DEFAULT_FETCH_SIZE) {
      return 0;
    }
    return (int) Math.min(MAX_ROWS, Math.max(fetchSize, offset));
  }

  /**
   * The frame at {@code offset}: {@code first} (rows already read from there, possibly none)
   * followed by rows read through {@code reader} until the result is done, the byte budget is
   * reached, or {@code wantedRows} (when positive, an explicit fetch size) are there.
   */
  Frame fill(Frame first, long offset, int wantedRows, Reader reader)
      throws NoSuchStatementException, MissingResultsException {
    if (first.done) {
      return first;
    }
    List<Object> rows = new ArrayList<>();
    long bytes = 0;
    for (Object row : first.rows) {
      rows.add(row);
      bytes += rowBytes(row);
    }
    boolean done = false;
    while (rows.size() < MAX_ROWS) {
      int n;
      if (rows.isEmpty()) {
        n = wantedRows > 0 ? Math.min(wantedRows, FIRST_CHUNK_ROWS) : FIRST_CHUNK_ROWS;
      } else {
        if (wantedRows > 0 && rows.size() >= wantedRows) {
          break;
        }
        long average = Math.max(1, bytes / rows.size());
        long fit = (budgetBytes - bytes) / average / 2;
        if (fit < 1) {
          break;
        }
        n = (int) Math.min(fit, wantedRows > 0 ? wantedRows - rows.size() : MAX_ROWS);
      }
      n = Math.min(n, MAX_ROWS - rows.size());
      Frame chunk = reader.read(offset + rows.size(), n);
      for (Object row : chunk.rows) {
        rows.add(row);
        bytes += rowBytes(row);
      }
      if (chunk.done) {
        done = true;
        break;
      }
    }
    return new Frame(offset, done, rows);
  }

  /** Estimated serialized size of one row of a frame ({@code Object[]} or a list of values). */
  static long rowBytes(Object row) {
    long bytes = ROW_OVERHEAD;
    if (row instanceof Object[] values) {
      for (Object v : values) {
        bytes += VALUE_OVERHEAD + valueBytes(v);
      }
    } else if (row instanceof Iterable<?> values) {
      for (Object v : values) {
        bytes += VALUE_OVERHEAD + valueBytes(v);
      }
    } else {
      bytes += VALUE_OVERHEAD + valueBytes(row);
    }
    return bytes;
  }

  static long valueBytes(Object v) {
    if (v == null) {
      return 0;
    } else if (v instanceof String s) {
      return utf8Length(s);
    } else if (v instanceof Boolean) {
      return 1;
    } else if (v instanceof BigDecimal d) {
      return d.precision() + 8;
    } else if (v instanceof Number) {
      return 9;
    } else if (v instanceof byte[] b) {
      return b.length;
    } else if (v instanceof Iterable<?> list) {
      long n = 0;
      for (Object e : list) {
        n += VALUE_OVERHEAD + valueBytes(e);
      }
      return n;
    } else if (v instanceof Object[] array) {
      long n = 0;
      for (Object e : array) {
        n += VALUE_OVERHEAD + valueBytes(e);
      }
      return n;
    }
    return utf8Length(String.valueOf(v));
  }

  private static long utf8Length(String s) {
    long n = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        n += c >= 0x800 && !Character.isSurrogate(c) ? 2 : 1;
      }
    }
    return n;
  }
}
