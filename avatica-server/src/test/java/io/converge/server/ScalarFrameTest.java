package io.converge.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.calcite.avatica.Meta.Frame;
import org.apache.calcite.avatica.proto.Common;
import org.junit.jupiter.api.Test;

/**
 * A {@link ScalarFrame} reads back, through Avatica 1.28's own {@link Frame#fromProto} (what the
 * stock client runs), as exactly the rows Avatica's own encoding reads back as, in fewer bytes.
 */
class ScalarFrameTest {
  private static List<Object> rows() {
    List<Object> rows = new ArrayList<>();
    rows.add(new Object[] {"o-1", 12.5d, "paid", 7L, 3, true, null});
    rows.add(new Object[] {"", -0.0d, "é€😀", Long.MIN_VALUE, Integer.MAX_VALUE, false,
        new BigDecimal("123.4500")});
    rows.add(new Object[] {null, Double.NaN, null, 0L, (short) 2, (byte) 1, new byte[] {1, 2}});
    rows.add(Arrays.asList("list row", 1.0f, null, List.of(1L, 2L), List.of("a", "b"),
        new ArrayList<>(), 'c'));
    rows.add(null); // skipped by both
    return rows;
  }

  @Test
  void readsBackAsAvaticasOwnEncodingDoes() {
    Frame plain = new Frame(100, false, rows());
    Frame scalar = ScalarFrame.of(plain);
    Common.Frame stock = plain.toProto();
    Common.Frame compact = scalar.toProto();
    assertTrue(compact.getSerializedSize() < stock.getSerializedSize(),
        compact.getSerializedSize() + " bytes vs " + stock.getSerializedSize());
    Frame expected = Frame.fromProto(stock);
    Frame actual = Frame.fromProto(compact);
    assertEquals(expected.offset, actual.offset);
    assertEquals(expected.done, actual.done);
    List<Object> want = new ArrayList<>();
    expected.rows.forEach(want::add);
    List<Object> got = new ArrayList<>();
    actual.rows.forEach(got::add);
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) {
      assertArrayEquals(((List<?>) want.get(i)).toArray(), ((List<?>) got.get(i)).toArray(),
          "row " + i);
    }
    assertEquals(3, want.size() - 1, "the null row is skipped");
  }

  @Test
  void halvesTheBytesOfScalarRowsAndKeepsDone() {
    List<Object> rows = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(new Object[] {"order-" + i, i * 1.5d, i % 2 == 0 ? "paid" : "open"});
    }
    Frame plain = new Frame(0, true, rows);
    Common.Frame compact = ScalarFrame.of(plain).toProto();
    assertTrue(compact.getDone());
    assertTrue(compact.getSerializedSize() * 1.8 < plain.toProto().getSerializedSize());
    assertEquals(Frame.fromProto(plain.toProto()).rows.toString(),
        Frame.fromProto(compact).rows.toString());
  }
}
