package io.converge.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.converge.server.metrics.IngestMetrics;
import io.converge.storage.ConvergeStore;
import io.converge.storage.StoreException;
import io.converge.storage.json.DocumentLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.AbstractHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converge's HTTP API, served by the same Jetty as the Avatica endpoint: it handles every request
 * under {@code /v1/} (see {@link ApiRoute}) and leaves all others unhandled, so the next handler
 * (Avatica's) serves them. Every answer is JSON; errors are {@code {"error": ..., "status": ...}}
 * with the right status (400 bad input, 404, 405 with {@code Allow}, 413, 415, 500, and 503 once
 * the store is unusable after a storage failure such as a full disk: every later request gets 503
 * too, and the server logs why, until it is restarted).
 */
public final class ApiHandler extends AbstractHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  static final ObjectMapper JSON = new ObjectMapper()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private final DocumentService documents;
  private final long maxBodyBytes;
  private final DocumentLimits limits;

  /** @param maxBodyBytes largest write request body accepted (413 above) */
  public ApiHandler(ConvergeStore store, long maxBodyBytes) {
    this(store, maxBodyBytes, DocumentLimits.DEFAULTS);
  }

  /**
   * @param maxBodyBytes largest write request body accepted (413 above)
   * @param limits limits of one document; a document beyond one is rejected alone
   */
  public ApiHandler(ConvergeStore store, long maxBodyBytes, DocumentLimits limits) {
    this(new DocumentWrites(store), maxBodyBytes, limits);
  }

  /** The API over any document service (a local store, a cluster's log). */
  public ApiHandler(DocumentService documents, long maxBodyBytes, DocumentLimits limits) {
    this.documents = documents;
    this.maxBodyBytes = maxBodyBytes;
    this.limits = limits;
  }

  @Override
  public void handle(String target, Request base, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    String path = request.getRequestURI();
    if (!ApiRoute.owns(path)) {
      return;
    }
    base.setHandled(true);
    try {
      refuseIfUnusable();
      ApiRoute route = ApiRoute.parse(path);
      String method = request.getMethod();
      if (!route.kind().method.equals(method)) {
        throw ApiException.methodNotAllowed(method, route.kind().method);
      }
      switch (route.kind()) {
        case COLLECTIONS -> {
          awaitFence(request, null);
          JsonResponses.send(response, 200, Map.of("collections", summaries()));
        }
        case COLLECTION -> {
          awaitFence(request, route.collection());
          JsonResponses.send(response, 200,
              CollectionDescription.of(documents.describe(route.collection())));
        }
        case DOCUMENTS -> {
          RequestBody.checkContentType(request.getContentType());
          byte[] body = RequestBody.read(request, maxBodyBytes);
          DocumentBatch batch = DocumentBatch.parse(body, System.currentTimeMillis(), limits,
              documents.needsSources());
          IngestMetrics.rejected(route.collection(), IngestMetrics.HTTP, IngestMetrics.INVALID,
              batch.rejected());
          WriteOutcome outcome;
          try {
            outcome = batch.accepted.isEmpty() ? documents.nothingWritten()
                : documents.upsert(route.collection(), batch.accepted);
          } catch (io.converge.storage.schema.DeclaredSchemaException e) {
            IngestMetrics.rejected(route.collection(), IngestMetrics.HTTP, IngestMetrics.SCHEMA,
                batch.accepted.size());
            throw e;
          }
          IngestMetrics.ingested(route.collection(), IngestMetrics.HTTP, batch.accepted.size());
          JsonResponses.send(response, 200, WriteResponse.of(route.collection(), batch, outcome));
        }
        case DOCUMENT -> JsonResponses.send(response, 200,
            documents.delete(route.collection(), route.id()));
      }
    } catch (ApiException e) {
      if (e.allow != null) {
        response.setHeader("Allow", e.allow);
      }
      if (e.retryAfterSeconds > 0) {
        response.setHeader("Retry-After", Integer.toString(e.retryAfterSeconds));
      }
      if (e.status == 413) {
        response.setHeader("Connection", "close"); // the rest of the body is not read
      }
      JsonResponses.sendError(response, e.status, e.getMessage(), e.details);
    } catch (io.converge.storage.schema.DeclaredSchemaException e) {
      // A document that does not fit a table created with CREATE TABLE: nothing was written.
      JsonResponses.sendError(response, 400, e.getMessage(), Map.of());
    } catch (StoreException e) {
      String unusable = documents.unusableMessage();
      if (unusable != null) { // this failure (or an earlier one) broke the store
        LOG.error("{} {} failed: {}; restart the server once the cause is fixed",
            request.getMethod(), path, unusable, e);
        JsonResponses.sendError(response, 503, unusable, Map.of());
      } else {
        LOG.error("{} {} failed in storage", request.getMethod(), path, e);
        JsonResponses.sendError(response, 500, "storage failed: " + e.getMessage(), Map.of());
      }
    } catch (RuntimeException e) {
      LOG.error("{} {} failed", request.getMethod(), path, e);
      JsonResponses.sendError(response, 500, "internal error: " + e, Map.of());
    }
  }

  /** Holds a read back until it includes its {@code fence} parameter's offsets. */
  private void awaitFence(HttpServletRequest request, String collection) throws ApiException {
    FenceParameter fence = FenceParameter.parse(request.getParameter("fence"),
        request.getParameter("readWaitMs"), collection);
    if (!fence.isEmpty()) {
      documents.awaitFence(fence);
    }
  }

  /** 503 for every request once a storage failure made the store unusable. */
  private void refuseIfUnusable() throws ApiException {
    String unusable = documents.unusableMessage();
    if (unusable != null) {
      throw new ApiException(503, unusable);
    }
  }

  private List<CollectionDescription.Summary> summaries() throws ApiException {
    List<CollectionDescription.Summary> list = new ArrayList<>();
    documents.collections().forEach((name, n) -> list.add(
        new CollectionDescription.Summary(name, n)));
    return list;
  }
}
