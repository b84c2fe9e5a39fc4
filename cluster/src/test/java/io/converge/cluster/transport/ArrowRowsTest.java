package io.converge.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class ArrowRowsTest {
  @Test
  void everyColumnTypeMapsToAFieldAndBack() {
    List<FragmentColumn> columns = new ArrayList<>();
    for (FragmentType t : FragmentType.values()) {
      if (t != FragmentType.ARRAY) {
        columns.add(new FragmentColumn("c_" + t, t, null));
        columns.add(new FragmentColumn("a_" + t, FragmentType.ARRAY, t));
      }
    }
    Schema schema = ArrowRows.schema(columns);
    assertEquals(columns, ArrowRows.columns(schema));
    // and through Arrow's own serialized form of a schema, as it crosses the wire
    Schema sent = Schema.deserializeMessage(ByteBuffer.wrap(schema.serializeAsMessage()));
    assertEquals(columns, ArrowRows.columns(sent));
  }

  @Test
  void decimalAndVarcharShareUtf8AndDifferByTheirMetadata() {
    Field decimal = ArrowRows.field(new FragmentColumn("d", FragmentType.DECIMAL, null));
    Field text = ArrowRows.field(new FragmentColumn("s", FragmentType.VARCHAR, null));
    assertEquals(ArrowType.Utf8.INSTANCE, decimal.getType());
    assertEquals(ArrowType.Utf8.INSTANCE, text.getType());
    assertEquals("DECIMAL", decimal.getMetadata().get(ArrowRows.TYPE_KEY));
  }

  @Test
  void anArrayNeedsAScalarElementType() {
    assertThrows(IllegalArgumentException.class,
        () -> ArrowRows.field(new FragmentColumn("a", FragmentType.ARRAY, null)));
    assertThrows(IllegalArgumentException.class,
        () -> ArrowRows.field(new FragmentColumn("a", FragmentType.ARRAY, FragmentType.ARRAY)));
  }

  @Test
  void aFieldWithoutItsTypeOrWithAnotherArrowTypeIsRefused() {
    Field bare = new Field("x", FieldType.nullable(new ArrowType.Int(32, true)), null);
    assertThrows(IllegalArgumentException.class, () -> ArrowRows.column(bare));
    Field wrong = new Field("x", new FieldType(true, new ArrowType.Int(32, true), null,
        Map.of(ArrowRows.TYPE_KEY, "BIGINT")), null);
    assertThrows(IllegalArgumentException.class, () -> ArrowRows.column(wrong));
  }
}
