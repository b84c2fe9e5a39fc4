package io.converge.server;

import org.apache.calcite.avatica.remote.Service;

/**
 * A {@link Service} whose result frames go out in protobuf as {@link ScalarFrame}s (each value
 * once): the frames of executions and fetches, whatever built them ({@code LocalService} copies
 * the frame {@link ConvergeMeta} returns into a plain one). Only for protobuf serialization; JSON
 * clients get Avatica's own frames.
 */
final class ScalarFrameService implements Service {
  private final Service service;

  ScalarFrameService(Service service) {
    this.service = service;
  }

  @Override public ResultSetResponse apply(CatalogsRequest r) {
    return service.apply(r);
  }

  @Override public ResultSetResponse apply(SchemasRequest r) {
    return service.apply(r);
  }

  @Override public ResultSetResponse apply(TablesRequest r) {
    return service.apply(r);
  }

  @Override public ResultSetResponse apply(TableTypesRequest r) {
    return service.apply(r);
  }

  @Override public ResultSetResponse apply(TypeInfoRequest r) {
    return service.apply(r);
  }

  @Override public ResultSetResponse apply(ColumnsRequest r) {
    return service.apply(r);
  }

  @Override public PrepareResponse apply(PrepareRequest r) {
    return service.apply(r);
  }

  @Override public ExecuteResponse apply(ExecuteRequest r) {
    return ScalarFrame.of(service.apply(r));
  }

  @Override public ExecuteResponse apply(PrepareAndExecuteRequest r) {
    return ScalarFrame.of(service.apply(r));
  }

  @Override public SyncResultsResponse apply(SyncResultsRequest r) {
    return service.apply(r);
  }

  @Override public FetchResponse apply(FetchRequest r) {
    return ScalarFrame.of(service.apply(r));
  }

  @Override public CreateStatementResponse apply(CreateStatementRequest r) {
    return service.apply(r);
  }

  @Override public CloseStatementResponse apply(CloseStatementRequest r) {
    return service.apply(r);
  }

  @Override public OpenConnectionResponse apply(OpenConnectionRequest r) {
    return service.apply(r);
  }

  @Override public CloseConnectionResponse apply(CloseConnectionRequest r) {
    return service.apply(r);
  }

  @Override public ConnectionSyncResponse apply(ConnectionSyncRequest r) {
    return service.apply(r);
  }

  @Override public DatabasePropertyResponse apply(DatabasePropertyRequest r) {
    return service.apply(r);
  }

  @Override public CommitResponse apply(CommitRequest r) {
    return service.apply(r);
  }

  @Override public RollbackResponse apply(RollbackRequest r) {
    return service.apply(r);
  }

  @Override public ExecuteBatchResponse apply(PrepareAndExecuteBatchRequest r) {
    return service.apply(r);
  }

  @Override public ExecuteBatchResponse apply(ExecuteBatchRequest r) {
    return service.apply(r);
  }

  @Override public void setRpcMetadata(RpcMetadataResponse metadata) {
    service.setRpcMetadata(metadata);
  }
}
