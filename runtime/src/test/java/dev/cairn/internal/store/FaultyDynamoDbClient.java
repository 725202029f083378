package dev.cairn.internal.store;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTimeToLiveRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTimeToLiveResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveResponse;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * A real client to DynamoDB Local with faults injected between it and the caller: a write whose
 * response is lost after it landed, a write that never reaches the server, a write sent twice (the
 * SDK's retry after a lost response), reads that fail.
 */
final class FaultyDynamoDbClient implements DynamoDbClient {
  private final DynamoDbClient delegate;
  private final AtomicInteger loseWriteResponses = new AtomicInteger();
  private final AtomicInteger dropWrites = new AtomicInteger();
  private final AtomicInteger failReads = new AtomicInteger();
  private final AtomicInteger repeatWrites = new AtomicInteger();
  private final AtomicInteger conflictTransactions = new AtomicInteger();

  FaultyDynamoDbClient(DynamoDbClient delegate) {
    this.delegate = delegate;
  }

  /** The next {@code n} writes land, then their responses are lost. */
  void loseNextWriteResponses(int n) {
    loseWriteResponses.set(n);
  }

  /** The next {@code n} writes never reach the server. */
  void dropNextWrites(int n) {
    dropWrites.set(n);
  }

  /**
   * The next {@code n} writes land, their responses are lost, and the same request is sent again:
   * what the SDK's own retry does when a connection drops after the server applied a write.
   */
  void repeatNextWrites(int n) {
    repeatWrites.set(n);
  }

  /**
   * The next {@code n} transactions are cancelled with {@code TransactionConflict} on their first
   * item and not applied: what DynamoDB does when another request (a heartbeat renewing the lease)
   * writes the run item at the same moment.
   */
  void conflictNextTransactions(int n) {
    conflictTransactions.set(n);
  }

  /** The next {@code n} reads fail. */
  void failNextReads(int n) {
    failReads.set(n);
  }

  private <T> T write(Supplier<T> call) {
    if (dropWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw SdkClientException.create("Unable to execute HTTP request: Connect timed out");
    }
    if (repeatWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      try {
        call.get();
      } catch (SdkException lostWithTheResponse) {
        // the first attempt's outcome, whatever it was, never reaches the caller
      }
    }
    T response = call.get();
    if (loseWriteResponses.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw SdkClientException.create("Unable to execute HTTP request: Connection reset");
    }
    return response;
  }

  private <T> T read(Supplier<T> call) {
    if (failReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw SdkClientException.create("Unable to execute HTTP request: Read timed out");
    }
    return call.get();
  }

  @Override
  public PutItemResponse putItem(PutItemRequest request) {
    return write(() -> delegate.putItem(request));
  }

  @Override
  public UpdateItemResponse updateItem(UpdateItemRequest request) {
    return write(() -> delegate.updateItem(request));
  }

  @Override
  public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
    if (conflictTransactions.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      java.util.List<software.amazon.awssdk.services.dynamodb.model.CancellationReason> reasons =
          new java.util.ArrayList<>();
      for (int i = 0; i < request.transactItems().size(); i++) {
        reasons.add(
            software.amazon.awssdk.services.dynamodb.model.CancellationReason.builder()
                .code(i == 0 ? "TransactionConflict" : "None")
                .build());
      }
      throw software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.builder()
          .message("Transaction cancelled, please refer cancellation reasons for specific reasons")
          .cancellationReasons(reasons)
          .build();
    }
    return write(() -> delegate.transactWriteItems(request));
  }

  @Override
  public GetItemResponse getItem(GetItemRequest request) {
    return read(() -> delegate.getItem(request));
  }

  @Override
  public QueryResponse query(QueryRequest request) {
    return read(() -> delegate.query(request));
  }

  @Override
  public DescribeTableResponse describeTable(DescribeTableRequest request) {
    return delegate.describeTable(request);
  }

  @Override
  public CreateTableResponse createTable(CreateTableRequest request) {
    return write(() -> delegate.createTable(request));
  }

  @Override
  public DescribeTimeToLiveResponse describeTimeToLive(DescribeTimeToLiveRequest request) {
    return delegate.describeTimeToLive(request);
  }

  @Override
  public UpdateTimeToLiveResponse updateTimeToLive(UpdateTimeToLiveRequest request) {
    return delegate.updateTimeToLive(request);
  }

  @Override
  public UpdateTableResponse updateTable(UpdateTableRequest request) {
    return delegate.updateTable(request);
  }

  @Override
  public DynamoDbWaiter waiter() {
    return delegate.waiter();
  }

  @Override
  public String serviceName() {
    return delegate.serviceName();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
