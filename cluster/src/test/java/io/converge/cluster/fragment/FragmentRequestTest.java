package io.converge.cluster.fragment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.converge.cluster.log.FieldStats;
import io.converge.storage.schema.FieldType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ticket's encoding: parameters keep their type and every digit and bit of their value; a
 * fence keeps its offsets; tickets of older aggregators decode with neither.
 */
class FragmentRequestTest {
  @Test
  void parametersRoundTripExactly() {
    List<FragmentParameter> params = List.of(
        FragmentParameter.of(FragmentType.DECIMAL, new BigDecimal("12345678901234567890.120")),
        FragmentParameter.of(FragmentType.DOUBLE, 0.1d + 0.2d),
        FragmentParameter.of(FragmentType.DOUBLE, Double.NaN),
        FragmentParameter.of(FragmentType.BIGINT, Long.MIN_VALUE),
        FragmentParameter.of(FragmentType.INTEGER, 7),
        FragmentParameter.of(FragmentType.BOOLEAN, false),
        FragmentParameter.of(FragmentType.VARCHAR, "a \"quoted\" 'x'\n"),
        FragmentParameter.of(FragmentType.TIMESTAMP, -1L),
        FragmentParameter.of(FragmentType.DATE, -3),
        FragmentParameter.of(FragmentType.VARCHAR, null));
    FragmentRequest r = new FragmentRequest("q", "c", "SELECT ? FROM c", List.of(1, 3), 5,
        List.of(), 99, params);
    FragmentRequest back = FragmentRequest.decode(r.encode());
    assertEquals(r, back);
    assertEquals(new BigDecimal("12345678901234567890.120"), back.parameters().get(0).javaValue());
    assertEquals(0.1d + 0.2d, back.parameters().get(1).javaValue());
    assertEquals(Double.NaN, back.parameters().get(2).javaValue());
    assertEquals(Long.MIN_VALUE, back.parameters().get(3).javaValue());
    assertEquals(7, back.parameters().get(4).javaValue());
    assertEquals(false, back.parameters().get(5).javaValue());
    assertEquals(-1L, back.parameters().get(7).javaValue());
    assertEquals(-3, back.parameters().get(8).javaValue());
    assertNull(back.parameters().get(9).javaValue());
  }

  @Test
  void aTicketWithoutParametersHasNone() {
    String old = "{\"queryId\":\"q\",\"collection\":\"c\",\"sql\":\"SELECT 1\",\"partitions\":[0],"
        + "\"schemaVersion\":1,\"fields\":[],\"deadlineMillis\":5}";
    assertEquals(List.of(), FragmentRequest.decode(old.getBytes(StandardCharsets.UTF_8))
        .parameters());
    assertEquals(List.of(), new FragmentRequest("q", "c", "SELECT 1", List.of(0), 1, List.of(), 5)
        .parameters());
  }

  @Test
  void aFenceRoundTrips() {
    FragmentRequest r = new FragmentRequest("q", "c", "SELECT 1", List.of(0, 3), 1, List.of(), 5,
        List.of(), Map.of(3, 120L, 0, Long.MAX_VALUE - 1), 2500);
    FragmentRequest back = FragmentRequest.decode(r.encode());
    assertEquals(r, back);
    assertEquals(Map.of(3, 120L, 0, Long.MAX_VALUE - 1), back.minOffsets());
    assertEquals(2500, back.fenceWaitMillis());
    assertEquals(r.minOffsets(), back.withPartitions(List.of(3)).minOffsets(),
        "routed again, the fragment still waits for the fence");
  }

  @Test
  void aTicketWithoutAFenceWaitsForNothing() {
    String old = "{\"queryId\":\"q\",\"collection\":\"c\",\"sql\":\"SELECT 1\",\"partitions\":[0],"
        + "\"schemaVersion\":1,\"fields\":[],\"deadlineMillis\":5,\"parameters\":[]}";
    FragmentRequest decoded = FragmentRequest.decode(old.getBytes(StandardCharsets.UTF_8));
    assertEquals(Map.of(), decoded.minOffsets());
    assertEquals(0, decoded.fenceWaitMillis());
    FragmentRequest plain = new FragmentRequest("q", "c", "SELECT 1", List.of(0), 1, List.of(), 5);
    assertEquals(Map.of(), plain.minOffsets());
    assertEquals(plain, FragmentRequest.decode(plain.encode()));
  }

  @Test
  void fieldStatisticsTravelApartAndDecodeOncePerContent() {
    long[] t = new long[FieldType.values().length];
    t[FieldType.INT.ordinal()] = 4;
    List<FieldStats> fields = List.of(new FieldStats("a", t, new long[t.length]),
        new FieldStats("b.c", new long[t.length], t));
    FragmentRequest r = new FragmentRequest("q", "c", "SELECT 1", List.of(0, 2), 7, fields, 5,
        List.of(FragmentParameter.of(FragmentType.BIGINT, 3L)), Map.of(2, 9L), 100);
    byte[] ticket = r.encode();
    assertEquals(FragmentTicket.FRAMED, ticket[0]);
    FragmentRequest back = FragmentRequest.decode(ticket);
    assertEquals(r, back);
    assertEquals(fields, back.fields());
    FragmentRequest other = new FragmentRequest("q2", "c", "SELECT 2", List.of(1), 7,
        List.copyOf(fields), 6);
    assertSame(back.fields(), FragmentRequest.decode(other.encode()).fields(),
        "the same statistics decode once");
    assertArrayEquals(ticket, r.encode(), "encoded again, the same bytes");
  }

  @Test
  void aTicketThatIsNotOneSaysSo() {
    for (byte[] bad : new byte[][] {{FragmentTicket.FRAMED}, {FragmentTicket.FRAMED, 0, 0, 0, 9},
        {FragmentTicket.FRAMED, 0, 0, 0, 2, '{', '}', 'x'}, {'x'}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> FragmentRequest.decode(bad));
      assertTrue(e.getMessage().startsWith("not a valid FragmentRequest"), e.getMessage());
    }
  }
}
