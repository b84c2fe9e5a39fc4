package io.converge.cluster.transport;

import io.converge.cluster.fragment.FragmentColumn;
import io.converge.cluster.fragment.FragmentType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The one encoding of fragment rows in Arrow: {@link FragmentColumn} to and from {@link Field},
 * and each {@link FragmentType}'s Java value to and from its vector.
 *
 * <table>
 *   <caption>wire types</caption>
 *   <tr><th>FragmentType</th><th>Arrow type</th><th>vector</th></tr>
 *   <tr><td>BOOLEAN</td><td>Bool</td><td>BitVector</td></tr>
 *   <tr><td>INTEGER</td><td>Int(32, signed)</td><td>IntVector</td></tr>
 *   <tr><td>BIGINT</td><td>Int(64, signed)</td><td>BigIntVector</td></tr>
 *   <tr><td>DOUBLE</td><td>FloatingPoint(DOUBLE)</td><td>Float8Vector</td></tr>
 *   <tr><td>DECIMAL</td><td>Utf8, the exact text ({@link BigDecimal#toString})</td>
 *       <td>VarCharVector</td></tr>
 *   <tr><td>VARCHAR</td><td>Utf8</td><td>VarCharVector</td></tr>
 *   <tr><td>DATE</td><td>Date(DAY)</td><td>DateDayVector</td></tr>
 *   <tr><td>TIME</td><td>Time(MILLISECOND, 32)</td><td>TimeMilliVector</td></tr>
 *   <tr><td>TIMESTAMP</td><td>Timestamp(MILLISECOND, no zone)</td><td>TimeStampMilliVector</td></tr>
 *   <tr><td>ARRAY</td><td>List of the element type</td><td>ListVector</td></tr>
 * </table>
 *
 * <p>DECIMAL travels as text because a fragment column has no fixed precision and scale, and an
 * Arrow decimal needs both; the text keeps every value's own scale. Every field carries its
 * {@link FragmentType} in the metadata key {@value #TYPE_KEY}, which tells DECIMAL from VARCHAR.
 * Every field is nullable; arrays of arrays are not a fragment type.
 */
public final class ArrowRows {
  /** Field metadata key holding the {@link FragmentType} name. */
  public static final String TYPE_KEY = "converge.type";

  /** Sets one column's value of a row; returns about how many bytes the value took. */
  public interface Writer {
    int set(int row, Object value);
  }

  /** Reads one column's value of a row (null for null). */
  public interface Reader {
    Object get(int row);
  }

  private ArrowRows() {}

  public static Schema schema(List<FragmentColumn> columns) {
    List<Field> fields = new ArrayList<>(columns.size());
    for (FragmentColumn c : columns) {
      fields.add(field(c));
    }
    return new Schema(fields);
  }

  public static List<FragmentColumn> columns(Schema schema) {
    List<FragmentColumn> columns = new ArrayList<>(schema.getFields().size());
    for (Field f : schema.getFields()) {
      columns.add(column(f));
    }
    return columns;
  }

  public static Field field(FragmentColumn column) {
    FragmentType type = column.type();
    if (type == FragmentType.ARRAY) {
      FragmentType element = column.elementType();
      if (element == null || element == FragmentType.ARRAY) {
        throw new IllegalArgumentException("column " + column.name()
            + ": an ARRAY needs a scalar element type, not " + element);
      }
      Field child = scalarField("element", element);
      return new Field(column.name(), new FieldType(true, ArrowType.List.INSTANCE, null,
          Map.of(TYPE_KEY, type.name())), List.of(child));
    }
    return scalarField(column.name(), type);
  }

  public static FragmentColumn column(Field field) {
    FragmentType type = typeOf(field);
    if (type == FragmentType.ARRAY) {
      return new FragmentColumn(field.getName(), type, typeOf(field.getChildren().get(0)));
    }
    return new FragmentColumn(field.getName(), type, null);
  }

  /** A writer of the column's values into {@code vector} (created from {@link #field}). */
  public static Writer writer(FragmentColumn column, FieldVector vector) {
    if (column.type() == FragmentType.ARRAY) {
      ListVector list = (ListVector) vector;
      Writer element = scalarWriter(column.elementType(), list.getDataVector());
      return (row, value) -> {
        if (value == null) {
          list.setNull(row);
          return 1;
        }
        List<?> values = (List<?>) value;
        int start = list.startNewValue(row);
        int bytes = 4;
        for (int i = 0; i < values.size(); i++) {
          bytes += element.set(start + i, values.get(i));
        }
        list.endValue(row, values.size());
        return bytes;
      };
    }
    return scalarWriter(column.type(), vector);
  }

  /** A reader of the column's values from {@code vector}, as {@link FragmentType} says. */
  public static Reader reader(FragmentColumn column, FieldVector vector) {
    if (column.type() == FragmentType.ARRAY) {
      ListVector list = (ListVector) vector;
      Reader element = scalarReader(column.elementType(), list.getDataVector());
      return row -> {
        if (list.isNull(row)) {
          return null;
        }
        int start = list.getElementStartIndex(row);
        int end = list.getElementEndIndex(row);
        List<Object> values = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
          values.add(element.get(i));
        }
        return values;
      };
    }
    return scalarReader(column.type(), vector);
  }

  private static Field scalarField(String name, FragmentType type) {
    return new Field(name, new FieldType(true, arrowType(type), null, Map.of(TYPE_KEY, type.name())),
        null);
  }

  private static ArrowType arrowType(FragmentType type) {
    return switch (type) {
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case INTEGER -> new ArrowType.Int(32, true);
      case BIGINT -> new ArrowType.Int(64, true);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case DECIMAL, VARCHAR -> ArrowType.Utf8.INSTANCE;
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIME -> new ArrowType.Time(TimeUnit.MILLISECOND, 32);
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MILLISECOND, null);
      case ARRAY -> ArrowType.List.INSTANCE;
    };
  }

  private static FragmentType typeOf(Field field) {
    String name = field.getMetadata().get(TYPE_KEY);
    if (name == null) {
      throw new IllegalArgumentException("field " + field.getName() + " has no " + TYPE_KEY);
    }
    FragmentType type = FragmentType.valueOf(name);
    if (!arrowType(type).equals(field.getType())) {
      throw new IllegalArgumentException("field " + field.getName() + " is " + field.getType()
          + ", not the Arrow type of " + type);
    }
    return type;
  }

  private static Writer scalarWriter(FragmentType type, FieldVector vector) {
    return switch (type) {
      case BOOLEAN -> {
        BitVector v = (BitVector) vector;
        yield (row, value) -> {
          if (value == null) {
            v.setNull(row);
          } else {
            v.setSafe(row, (Boolean) value ? 1 : 0);
          }
          return 1;
        };
      }
      case INTEGER -> {
        IntVector v = (IntVector) vector;
        yield (row, value) -> {
          if (value == null) {
            v.setNull(row);
          } else {
            v.setSafe(row, (Integer) value);
          }
          return 4;
        };
      }
      case BIGINT -> {
        BigIntVector v = (BigIntVector) vector;
        yield (row, value) -> {
          if (value == null) {
            v.setNull(row);
          } else {
            v.setSafe(row, (Long) value);
          }
          return 8;
        };
      }
      case DOUBLE -> {
        Float8Vector v = (Float8Vector) vector;
        yield (row, value) -> {
          if (value == null) {
            v.setNull(row);
          } else {
            v.setSafe(row, (Double) value);
          }
          return 8;
        };
      }
      case DECIMAL -> textWriter((VarCharVector) vector, v -> ((BigDecimal) v).toString());
      case VARCHAR -> textWriter((VarCharVector) vector, v -> (String) v);
      case DATE -> {
        DateDayVector v = (DateDayVector) vector;
        yield (row, value) -> {
          if (value == null) {
            v.setNull(row);
          } else {
            v.setSafe(row, (Integer) value);
          }
          return 4;
        };
      }
      case TIME -> {
        TimeMilliVector v = (TimeMilliVector) vector;
        yield (row, value) -> {
          if (value == null) {
            v.setNull(row);
          } else {
            v.setSafe(row, (Integer) value);
          }
          return 4;
        };
      }
      case TIMESTAMP -> {
        TimeStampMilliVector v = (TimeStampMilliVector) vector;
        yield (row, value) -> {
          if (value == null) {
            v.setNull(row);
          } else {
            v.setSafe(row, (Long) value);
          }
          return 8;
        };
      }
      case ARRAY -> throw new IllegalArgumentException("ARRAY is not a scalar type");
    };
  }

  private interface Text {
    String of(Object value);
  }

  private static Writer textWriter(VarCharVector v, Text text) {
    return (row, value) -> {
      if (value == null) {
        v.setNull(row);
        return 4;
      }
      byte[] bytes = text.of(value).getBytes(StandardCharsets.UTF_8);
      v.setSafe(row, bytes);
      return bytes.length + 4;
    };
  }

  private static Reader scalarReader(FragmentType type, FieldVector vector) {
    return switch (type) {
      case BOOLEAN -> {
        BitVector v = (BitVector) vector;
        yield row -> v.isNull(row) ? null : v.get(row) != 0;
      }
      case INTEGER -> {
        IntVector v = (IntVector) vector;
        yield row -> v.isNull(row) ? null : v.get(row);
      }
      case BIGINT -> {
        BigIntVector v = (BigIntVector) vector;
        yield row -> v.isNull(row) ? null : v.get(row);
      }
      case DOUBLE -> {
        Float8Vector v = (Float8Vector) vector;
        yield row -> v.isNull(row) ? null : v.get(row);
      }
      case DECIMAL -> {
        VarCharVector v = (VarCharVector) vector;
        yield row -> v.isNull(row) ? null : new BigDecimal(new String(v.get(row), StandardCharsets.UTF_8));
      }
      case VARCHAR -> {
        VarCharVector v = (VarCharVector) vector;
        yield row -> v.isNull(row) ? null : new String(v.get(row), StandardCharsets.UTF_8);
      }
      case DATE -> {
        DateDayVector v = (DateDayVector) vector;
        yield row -> v.isNull(row) ? null : v.get(row);
      }
      case TIME -> {
        TimeMilliVector v = (TimeMilliVector) vector;
        yield row -> v.isNull(row) ? null : v.get(row);
      }
      case TIMESTAMP -> {
        TimeStampMilliVector v = (TimeStampMilliVector) vector;
        yield row -> v.isNull(row) ? null : v.get(row);
      }
      case ARRAY -> throw new IllegalArgumentException("ARRAY is not a scalar type");
    };
  }
}
