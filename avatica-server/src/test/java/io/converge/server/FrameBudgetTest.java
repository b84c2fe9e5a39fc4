package io.converge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.Meta.Frame;
import org.junit.jupiter.api.Test;

class FrameBudgetTest {
  /** A result of {@code rows}, read in chunks as JdbcMeta.fetch reads a result set. */
  private static final class Result implements FrameBudget.Reader {
    final List<Object[]> rows;
    int position;
    int reads;

    Result(List<Object[]> rows) {
      this.rows = rows;
    }

    @Override
    public Frame read(long offset, int n) {
      assertEquals(position, offset, "chunks follow each other");
      reads++;
      List<Object> chunk = new ArrayList<>();
      while (chunk.size() < n && position < rows.size()) {
        chunk.add(rows.get(position++));
      }
      return new Frame(offset, position == rows.size() && chunk.size() < n, chunk);
    }
  }

  private static List<Object[]> rows(int n, int textLength) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new Object[] {(long) i, "x".repeat(textLength) + i});
    }
    return rows;
  }

  /** Every frame of the result, as a client fetching with {@code fetchSize} would get them. */
  private static List<Frame> frames(FrameBudget budget, Result result, int fetchSize)
      throws Exception {
    List<Frame> frames = new ArrayList<>();
    long offset = 0;
    while (true) {
      Frame f = budget.fill(Frame.MORE, offset, FrameBudget.minimumRows(fetchSize, offset),
          result);
      frames.add(f);
      for (Object ignored : f.rows) {
        offset++;
      }
      if (f.done) {
        return frames;
      }
    }
  }

  private static void assertAllRows(List<Object[]> expected, List<Frame> frames) {
    int i = 0;
    for (Frame f : frames) {
      for (Object row : f.rows) {
        assertEquals(expected.get(i)[0], ((Object[]) row)[0]);
        assertEquals(expected.get(i)[1], ((Object[]) row)[1]);
        i++;
      }
    }
    assertEquals(expected.size(), i);
  }

  @Test
  void smallRowsWithTheDefaultFetchSizeComeInOneFrame() throws Exception {
    List<Object[]> rows = rows(50_000, 8);
    List<Frame> frames = frames(new FrameBudget(4 << 20), new Result(rows), 100);
    assertEquals(1, frames.size());
    assertAllRows(rows, frames);
  }

  @Test
  void hugeRowsStayUnderTheByteBudgetPerFrame() throws Exception {
    long budget = 1 << 20;
    List<Object[]> rows = rows(500, 50_000);
    List<Frame> frames = frames(new FrameBudget(budget), new Result(rows), 100);
    assertAllRows(rows, frames);
    for (Frame f : frames) {
      long bytes = 0;
      for (Object row : f.rows) {
        bytes += FrameBudget.rowBytes(row);
      }
      assertTrue(bytes <= budget, "frame of " + bytes + " bytes");
    }
    // each frame is at least half full (the last one aside)
    assertTrue(frames.size() <= 2 * 500 * 50_000L / budget + 1, "frames: " + frames.size());
  }

  @Test
  void aRowLargerThanTheBudgetStillTravelsAlone() throws Exception {
    List<Object[]> rows = rows(3, 100_000);
    List<Frame> frames = frames(new FrameBudget(10_000), new Result(rows), 100);
    assertAllRows(rows, frames);
    for (Frame f : frames) {
      int n = 0;
      for (Object ignored : f.rows) {
        n++;
      }
      assertTrue(n <= 1, "rows in a frame: " + n);
    }
  }

  @Test
  void anExplicitFetchSizeIsAMinimumWithinTheBudget() throws Exception {
    List<Object[]> rows = rows(1_000, 8);
    Result result = new Result(rows);
    List<Frame> frames = frames(new FrameBudget(4 << 20), result, 30);
    assertAllRows(rows, frames);
    // 30, then doubling: 30, 30, 60, 120, 240, 480, the rest
    assertEquals(List.of(30, 30, 60, 120, 240, 480, 40), sizes(frames));
    List<Frame> big = frames(new FrameBudget(4 << 20), new Result(rows), 600);
    assertEquals(List.of(600, 400), sizes(big));
  }

  private static List<Integer> sizes(List<Frame> frames) {
    List<Integer> sizes = new ArrayList<>();
    for (Frame f : frames) {
      int n = 0;
      for (Object ignored : f.rows) {
        n++;
      }
      sizes.add(n);
    }
    return sizes;
  }
}
