package io.converge.server;

import java.util.function.Supplier;
import org.apache.calcite.avatica.remote.Service;

/**
 * A {@link Service} whose every failure reaches the client through {@link ClientErrors}: one
 * line, a SQL state. Without it, requests that fail outside the statement paths of
 * {@link ConvergeMeta} (metadata, connection calls) and errors thrown by generated code (an
 * {@code ExceptionInInitializerError} from constant folding, which Avatica's handler does not
 * catch and the client then cannot parse) reached clients as class names or not at all.
 */
final class ClientErrorService implements Service {
  private final Service service;

  ClientErrorService(Service service) {
    this.service = service;
  }

  private static <T> T answer(Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw ClientErrors.of(e);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Error e) {
      throw ClientErrors.of(e);
    }
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
    return answer(() -> service.apply(r));
  }

  @Override public ExecuteResponse apply(PrepareAndExecuteRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public SyncResultsResponse apply(SyncResultsRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public FetchResponse apply(FetchRequest r) {
    return answer(() -> service.apply(r));
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
    return answer(() -> service.apply(r));
  }

  @Override public ExecuteBatchResponse apply(ExecuteBatchRequest r) {
    return answer(() -> service.apply(r));
  }

  @Override public void setRpcMetadata(RpcMetadataResponse metadata) {
    service.setRpcMetadata(metadata);
  }
}
