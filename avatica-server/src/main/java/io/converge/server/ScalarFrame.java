package io.converge.server;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.avatica.Meta.Frame;
import org.apache.calcite.avatica.proto.Common;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * A result frame whose protobuf form carries each scalar value once. Avatica's own
 * {@link Frame#toProto} writes every scalar twice: in {@code scalar_value}, and again in the
 * deprecated repeated {@code value}, which only clients older than {@code scalar_value} read.
 * Stock Avatica 1.28 clients read {@code scalar_value} whenever it is set, so the second copy only
 * doubles the bytes to build, send and parse (for a few thousand rows, a large part of their time
 * through the wire). Arrays keep Avatica's exact encoding. Used for protobuf clients only (see
 * {@link ScalarFrameService}).
 */
final class ScalarFrame extends Frame {
  ScalarFrame(long offset, boolean done, Iterable<Object> rows) {
    super(offset, done, rows);
  }

  /** The same frame, serialized compactly (the frame itself when it already is). */
  static Frame of(Frame frame) {
    return frame == null || frame instanceof ScalarFrame ? frame
        : new ScalarFrame(frame.offset, frame.done, frame.rows);
  }

  /** The same response, its frames serialized compactly. */
  static Service.ExecuteResponse of(Service.ExecuteResponse r) {
    if (r == null || r.results == null) {
      return r;
    }
    List<Service.ResultSetResponse> results = new ArrayList<>(r.results.size());
    for (Service.ResultSetResponse rs : r.results) {
      results.add(rs.firstFrame == null ? rs : new Service.ResultSetResponse(rs.connectionId,
          rs.statementId, rs.ownStatement, rs.signature, of(rs.firstFrame), rs.updateCount,
          rs.rpcMetadata));
    }
    return new Service.ExecuteResponse(results, r.missingStatement, r.rpcMetadata);
  }

  /** The same response, its frame serialized compactly. */
  static Service.FetchResponse of(Service.FetchResponse r) {
    return r == null || r.frame == null ? r : new Service.FetchResponse(of(r.frame),
        r.missingStatement, r.missingResults, r.rpcMetadata);
  }

  @Override
  public Common.Frame toProto() {
    Common.Frame.Builder frame = Common.Frame.newBuilder().setDone(done).setOffset(offset);
    Common.TypedValue.Builder scalar = Common.TypedValue.newBuilder();
    for (Object row : rows) {
      if (row == null) {
        continue; // as Avatica does
      }
      Common.Row.Builder out = Common.Row.newBuilder();
      if (row instanceof Object[] values) {
        for (Object v : values) {
          out.addValue(column(v, scalar));
        }
      } else if (row instanceof Iterable<?> values) {
        for (Object v : values) {
          out.addValue(column(v, scalar));
        }
      } else {
        throw new RuntimeException("Only arrays are supported");
      }
      frame.addRows(out.build());
    }
    return frame.build();
  }

  private static Common.ColumnValue column(Object v, Common.TypedValue.Builder scalar) {
    Common.ColumnValue.Builder c = Common.ColumnValue.newBuilder();
    if (v instanceof List<?> list) {
      // Avatica's encoding of an array: array_value, and the elements again in value
      c.setHasArrayValue(true);
      for (Object e : list) {
        Common.TypedValue element = typed(e, scalar);
        c.addArrayValue(element);
        c.addValue(element);
      }
    } else {
      c.setScalarValue(typed(v, scalar));
    }
    return c.build();
  }

  private static Common.TypedValue typed(Object v, Common.TypedValue.Builder scalar) {
    scalar.clear();
    TypedValue.toProto(scalar, v);
    return scalar.build();
  }
}
