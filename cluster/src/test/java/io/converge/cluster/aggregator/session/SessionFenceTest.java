package io.converge.cluster.aggregator.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A session's fence: read from the connection property, raised by writes, never lowered. */
class SessionFenceTest {
  @Test
  void readsTheFenceOfAnHttpAnswerUnderItsCollection() {
    SessionFence f = SessionFence.parse("{\"orders\": {\"3\": 120, \"0\": 7}, \"users\": {}}");
    assertEquals(Map.of(0, 7L, 3, 120L), f.of("orders"));
    assertEquals(Map.of(), f.of("users"));
    assertEquals(Map.of(), f.of("other"));
    assertEquals(Map.of(), SessionFence.parse(null).of("orders"));
    assertEquals(Map.of(), SessionFence.parse(" ").of("orders"));
  }

  @Test
  void keepsTheHighestOffsetOfEachPartition() {
    SessionFence f = new SessionFence();
    f.advance("orders", Map.of(1, 10L, 2, 5L));
    f.advance("orders", Map.of(1, 4L, 3, 1L));
    f.advance("orders", Map.of());
    assertEquals(Map.of(1, 10L, 2, 5L, 3, 1L), f.of("orders"));
  }

  @Test
  void anotherFenceRaisesEveryCollectionAndClearForgetsAll() {
    SessionFence f = SessionFence.parse("{\"orders\": {\"1\": 10}}");
    f.advance(SessionFence.parse("{\"orders\": {\"1\": 3, \"2\": 8}, \"users\": {\"0\": 1}}"));
    assertEquals(Map.of(1, 10L, 2, 8L), f.of("orders"));
    assertEquals(Map.of(0, 1L), f.of("users"));
    f.clear();
    assertEquals(Map.of(), f.of("orders"));
  }

  @Test
  void refusesWhatIsNotAFence() {
    for (String bad : List.of("120", "{\"orders\": 120}", "{\"orders\": {\"x\": 1}}",
        "{\"orders\": {\"1\": -1}}", "{\"orders\": {\"-1\": 1}}", "{\"orders\": null}", "{")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SessionFence.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("connection property fence: "), e.getMessage());
    }
  }

  @Test
  void aReadFenceKeepsTheRoutedPartitionsOnly() {
    ReadFence r = new ReadFence(Map.of(1, 10L, 4, 2L), 5000);
    assertEquals(Map.of(4, 2L), r.on(List.of(0, 4)));
    assertEquals(Map.of(), ReadFence.NONE.on(List.of(0, 4)));
  }
}
