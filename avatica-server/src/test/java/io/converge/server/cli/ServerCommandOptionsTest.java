package io.converge.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@code converge server --max-request-size}: sizes with binary units. */
class ServerCommandOptionsTest {
  @Test
  void sizesParseWithUnits() {
    assertEquals(123, ServerCommand.bytes("123"));
    assertEquals(512 * 1024, ServerCommand.bytes("512k"));
    assertEquals(64L << 20, ServerCommand.bytes("64M"));
    assertEquals(1L << 30, ServerCommand.bytes("1g"));
    assertThrows(IllegalArgumentException.class, () -> ServerCommand.bytes("lots"));
    assertThrows(IllegalArgumentException.class, () -> ServerCommand.bytes("99999999999g"));
  }

  @Test
  void anOutOfRangeSizeIsAUsageError() {
    LoadCommandTest.Run r = LoadCommandTest.run("server", "--data-dir", "target/never",
        "--max-request-size", "0");
    assertEquals(2, r.exit(), r.out() + r.err());
  }
}
