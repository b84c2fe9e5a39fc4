package io.converge.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FenceParameterTest {
  @Test
  void aCollectionsFenceIsTheWriteAnswersOwn() throws ApiException {
    FenceParameter f = FenceParameter.parse("{\"3\": 120, \"0\": 7}", "250", "orders");
    assertEquals(Map.of("orders", Map.of(0, 7L, 3, 120L)), f.offsets());
    assertEquals(250, f.waitMillis());
  }

  @Test
  void theListsFenceNamesCollections() throws ApiException {
    FenceParameter f = FenceParameter.parse("{\"a\": {\"1\": 2}, \"b\": {}}", null, null);
    assertEquals(Map.of("a", Map.of(1, 2L), "b", Map.of()), f.offsets());
    assertEquals(FenceParameter.DEFAULT_WAIT_MILLIS, f.waitMillis());
  }

  @Test
  void noFenceIsEmpty() throws ApiException {
    assertTrue(FenceParameter.parse(null, null, "x").isEmpty());
    assertTrue(FenceParameter.parse(" ", "0", null).isEmpty());
  }

  @Test
  void badInputIsRefusedWithTheReason() {
    assertBad("partitions and offsets as whole numbers", "{\"x\": 1}", null, "c");
    assertBad("partitions and offsets as whole numbers", "{\"1\": -4}", null, "c");
    assertBad("partitions and offsets as whole numbers", "{\"1\": 1.5}", null, "c");
    assertBad("must be a JSON object {\"PARTITION\": OFFSET", "[1]", null, "c");
    assertBad("must be a JSON object {\"PARTITION\": OFFSET", "{nope", null, "c");
    assertBad("'orders' holds 5", "{\"orders\": 5}", null, null);
    assertBad("readWaitMs must be a number", null, "soon", "c");
    assertBad("readWaitMs must be a number", null, "-1", "c");
  }

  private static void assertBad(String expected, String fence, String wait, String collection) {
    ApiException e = assertThrows(ApiException.class,
        () -> FenceParameter.parse(fence, wait, collection));
    assertEquals(400, e.status);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
