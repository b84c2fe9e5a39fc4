package io.converge.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class FailoverUrlTest {
  @Test
  void aListOfServersBecomesOneUrlPerServerKeepingTheOtherSettings() {
    FailoverUrl f = FailoverUrl.parse("jdbc:converge:remote:url=http://a:1, http://b:2;"
        + "serialization=protobuf;authentication=BASIC");
    assertEquals(List.of("http://a:1", "http://b:2"), f.servers());
    assertEquals(List.of(
        "jdbc:converge:remote:url=http://a:1;serialization=protobuf;authentication=BASIC",
        "jdbc:converge:remote:url=http://b:2;serialization=protobuf;authentication=BASIC"),
        f.candidates());
  }

  @Test
  void oneServerOrNoneIsLeftToAvatica() {
    assertNull(FailoverUrl.parse("jdbc:converge:remote:url=http://a:1;serialization=protobuf"));
    assertNull(FailoverUrl.parse("jdbc:converge:remote:serialization=protobuf"));
    assertNull(FailoverUrl.parse("jdbc:avatica:remote:url=http://a:1,http://b:2"));
    assertNull(FailoverUrl.parse("jdbc:converge:remote:url='http://a:1,http://b:2'"));
  }
}
