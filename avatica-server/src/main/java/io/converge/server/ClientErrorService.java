package io.converge.server;

import io.converge.server.metrics.QueryMetrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.Service;

/**
 * A {@link Service} whose every failure reaches the client through {@link ClientErrors}: one
 * line, a SQL state. Without it, requests that fail outside the statement paths of
 * {@link ConvergeMeta} (metadata, connection calls) and errors thrown by generated code (an
 * {@code ExceptionInInitializerError} from constant folding, which Avatica's handler does not
 * catch and the client then cannot parse) reached clients as class names or not at all.
 *
 * <p>Being the one door every request passes, it is also where statements are timed (execute,
 * fetch, batch: {@link QueryMetrics#latency}) and failures counted by SQL state.
 */
final class ClientErrorService implements Service {
  private final Service service;
  private final QueryMetrics metrics;
  private final Timer prepareAndExecute;
  private final Timer execute;
  private final Timer fetch;
  private final Timer batch;

  ClientErrorService(Service service, QueryMetrics metrics) {
    this.service = service;
    this.metrics = metrics;
    this.prepareAndExecute = metrics.latency("prepare_and_execute");
    this.execute = metrics.latency("execute");
    this.fetch = metrics.latency("fetch");
    this.batch = metrics.latency("batch");
  }

  private <T> T answer(Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw counted(ClientErrors.of(e));
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Error e) {
      throw counted(ClientErrors.of(e));
    }
  }

  /** {@link #answer} timed by {@code timer}, failures included. */
  private <T> T timed(Timer timer, Supplier<T> call) {
    long t0 = System.nanoTime();
    try {
      return answer(call);
    } finally {
      timer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }
  }

  private RuntimeException counted(RuntimeException e) {
    if (e instanceof AvaticaRuntimeException a) {
      metrics.failed(a.getSqlState());
    } else if (e instanceof NoSuchConnectionException) {
      metrics.failed("08003"); // connection does not exist
    } else {
      metrics.failed(null);
    }
    return e;
  }

  @Override public ResultSetResponse apply(CatalogsRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public ResultSetResponse apply(SchemasRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public ResultSetResponse apply(TablesRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public ResultSetResponse apply(TableTypesRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public ResultSetResponse apply(TypeInfoRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public ResultSetResponse apply(ColumnsRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public PrepareResponse apply(PrepareRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public ExecuteResponse apply(ExecuteRequest r) {
    return timed(execute, () -> service.apply(r));
  }

  @Override public ExecuteResponse apply(PrepareAndExecuteRequest r) {
    return timed(prepareAndExecute, () -> service.apply(r));
  }

  @Override public SyncResultsResponse apply(SyncResultsRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public FetchResponse apply(FetchRequest r) {
    return timed(fetch, () -> service.apply(r));
  }

  @Override public CreateStatementResponse apply(CreateStatementRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public CloseStatementResponse apply(CloseStatementRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public OpenConnectionResponse apply(OpenConnectionRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public CloseConnectionResponse apply(CloseConnectionRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public ConnectionSyncResponse apply(ConnectionSyncRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public DatabasePropertyResponse apply(DatabasePropertyRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public CommitResponse apply(CommitRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public RollbackResponse apply(RollbackRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public ExecuteBatchResponse apply(PrepareAndExecuteBatchRequest r) {
    return timed(batch, () -> service.apply(r));
  }

  @Override public ExecuteBatchResponse apply(ExecuteBatchRequest r) {
    return timed(batch, () -> service.apply(r));
  }

  @Override public void setRpcMetadata(RpcMetadataResponse metadata) {
    service.setRpcMetadata(metadata);
  }
}
