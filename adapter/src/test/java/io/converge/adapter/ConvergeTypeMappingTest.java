package io.converge.adapter;

import static io.converge.adapter.ConvergeTestSupport.query;
import static io.converge.adapter.ConvergeTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.converge.storage.schema.FieldType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON types seen in a field -> SQL column type, and stored values -> SQL values. */
class ConvergeTypeMappingTest {
  @TempDir
  Path dir;

  private static int mask(FieldType... types) {
    int m = 0;
    for (FieldType t : types) {
      m |= 1 << t.ordinal();
    }
    return m;
  }

  @Test
  void singleTypesMapDirectly() {
    assertEquals(ConvergeColumnType.BOOLEAN, ConvergeColumnType.ofMask(mask(FieldType.BOOL)));
    assertEquals(ConvergeColumnType.BIGINT, ConvergeColumnType.ofMask(mask(FieldType.INT)));
    assertEquals(ConvergeColumnType.DOUBLE, ConvergeColumnType.ofMask(mask(FieldType.DOUBLE)));
    assertEquals(ConvergeColumnType.VARCHAR, ConvergeColumnType.ofMask(mask(FieldType.STRING)));
    assertEquals(ConvergeColumnType.TIMESTAMP,
        ConvergeColumnType.ofMask(mask(FieldType.TIMESTAMP)));
    assertEquals(ConvergeColumnType.ARRAY, ConvergeColumnType.ofMask(mask(FieldType.ARRAY)));
  }

  @Test
  void nullsAndObjectsDoNotTakePartInTheChoice() {
    assertEquals(ConvergeColumnType.BIGINT,
        ConvergeColumnType.ofMask(mask(FieldType.INT, FieldType.NULL, FieldType.OBJECT)));
    assertEquals(ConvergeColumnType.VARCHAR, ConvergeColumnType.ofMask(mask(FieldType.NULL)));
  }

  @Test
  void intAndDoubleIsDoubleAnyOtherMixIsText() {
    assertEquals(ConvergeColumnType.DOUBLE,
        ConvergeColumnType.ofMask(mask(FieldType.INT, FieldType.DOUBLE)));
    assertEquals(ConvergeColumnType.TEXT,
        ConvergeColumnType.ofMask(mask(FieldType.INT, FieldType.STRING)));
    assertEquals(ConvergeColumnType.TEXT,
        ConvergeColumnType.ofMask(mask(FieldType.ARRAY, FieldType.BOOL)));
    assertEquals(ConvergeColumnType.TEXT,
        ConvergeColumnType.ofMask(mask(FieldType.TIMESTAMP, FieldType.STRING)));
  }

  @Test
  void textFormsOfStoredValues() {
    assertEquals("42", ConvergeColumnType.text(42L));
    assertEquals("2.5", ConvergeColumnType.text(2.5));
    assertEquals("true", ConvergeColumnType.text(true));
    assertEquals("2026-01-05T08:00:00Z",
        ConvergeColumnType.text(Instant.parse("2026-01-05T08:00:00Z")));
    assertEquals("[1,\"a\",null]", ConvergeColumnType.text(Arrays.asList(1L, "a", null)));
    assertNull(ConvergeColumnType.text(null));
  }

  @Test
  void valuesConvertToCalcitesInternalRepresentation() {
    Instant t = Instant.parse("2026-01-05T08:00:00.123Z");
    assertEquals(t.toEpochMilli(), ConvergeColumnType.TIMESTAMP.toInternal(t, null));
    assertEquals(3.0, ConvergeColumnType.DOUBLE.toInternal(3L, null));
    assertEquals(List.of(1.0, 2.5),
        ConvergeColumnType.ARRAY.toInternal(List.of(1L, 2.5), ConvergeColumnType.DOUBLE));
    // A value a newer write brought in, not of the planned type, reads as null.
    assertNull(ConvergeColumnType.BIGINT.toInternal("x", null));
  }

  @Test
  void sumTypeWidens() {
    ConvergeTypeSystem ts = new ConvergeTypeSystem();
    RelDataTypeFactory f = new JavaTypeFactoryImpl(ts);
    RelDataType integer = f.createTypeWithNullability(f.createSqlType(SqlTypeName.INTEGER), true);
    RelDataType sum = ts.deriveSumType(f, integer);
    assertEquals(SqlTypeName.BIGINT, sum.getSqlTypeName());
    assertEquals(true, sum.isNullable());
    assertEquals(SqlTypeName.BIGINT,
        ts.deriveSumType(f, f.createSqlType(SqlTypeName.BIGINT)).getSqlTypeName());
    RelDataType dec = ts.deriveSumType(f, f.createSqlType(SqlTypeName.DECIMAL, 10, 2));
    assertEquals(ts.getMaxPrecision(SqlTypeName.DECIMAL), dec.getPrecision());
    assertEquals(2, dec.getScale());
    assertEquals(SqlTypeName.DOUBLE,
        ts.deriveSumType(f, f.createSqlType(SqlTypeName.DOUBLE)).getSqlTypeName());
  }

  @Test
  void columnTypesOverSql() throws SQLException {
    write(ConvergeSchemaFactory.store(dir), "things",
        """
        {"_id":"t1","flag":true,"n":1,"x":1,"nothing":null,"when":"2026-02-03T04:05:06.789Z",\
        "scores":[1,2.5],"mixed":[1,"a",true],"stamps":["2026-01-01T00:00:00Z"],\
        "nested":[{"k":1},[2]],"empty":[]}""",
        """
        {"_id":"t2","flag":false,"n":2,"x":1.5,"nothing":null,"scores":[3],"empty":[]}""");
    try (Connection c = ConvergeJdbc.connect(dir)) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select * from things")) {
        ResultSetMetaData md = rs.getMetaData();
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          b.append(md.getColumnLabel(i)).append(' ').append(md.getColumnTypeName(i)).append(';');
        }
        assertEquals("_id VARCHAR;_event_time TIMESTAMP;empty VARCHAR ARRAY;flag BOOLEAN;"
            + "mixed VARCHAR ARRAY;n BIGINT;nested VARCHAR ARRAY;nothing VARCHAR;"
            + "scores DOUBLE ARRAY;stamps TIMESTAMP(3) ARRAY;when TIMESTAMP;x DOUBLE;", b.toString());
      }
      assertEquals(List.of("t1, [1.0, 2.5], [1, a, true], [{\"k\":1}, [2]], 1.0, "
              + "2026-02-03 04:05:06.789, null", "t2, [3.0], null, null, 1.5, null, null"),
          query(c, "select _id, scores, mixed, nested, x, \"when\", nothing from things"
              + " order by _id"));
      assertEquals(List.of("false, true, 3"),
          query(c, "select every(flag), some(flag), sum(n) from things"));
    } finally {
      ConvergeSchemaFactory.release(dir);
    }
  }
}
