package dev.cairn.internal.store;

import dev.cairn.internal.errors.StoreErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Consistent reads of the checkpoint table. Two kinds: {@link #item} lets the SDK's failure through
 * (a read-back after a write of unknown outcome turns it into "state unknown"); {@link #read} and
 * {@link #queryRun} wrap it once into {@link StoreUnavailableException} saying what was read and
 * the fix. Thread-safe.
 */
final class TableReads {
  private final DynamoDbClient dynamo;
  private final String table;

  TableReads(DynamoDbClient dynamo, String table) {
    this.dynamo = dynamo;
    this.table = table;
  }

  /**
   * The item at {@code key}, read consistently; empty when absent.
   *
   * @throws SdkException when the read fails
   */
  Optional<Map<String, AttributeValue>> item(Map<String, AttributeValue> key) {
    Map<String, AttributeValue> item =
        dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true)).item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
  }

  /**
   * Runs {@code call}, a read of {@code what}.
   *
   * @throws StoreUnavailableException when it fails, or the table does not exist
   */
  <T> T read(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (ResourceNotFoundException missing) {
      throw new StoreUnavailableException(StoreErrors.tableMissingMessage(table, what), missing);
    } catch (SdkException failed) {
      throw new StoreUnavailableException(
          StoreErrors.readFailedMessage(what, table, failed.getMessage()), failed);
    }
  }

  /**
   * Every item of the run whose sort key starts with {@code prefix} (all of them for ""), read
   * consistently, page after page; only the {@code projection}'s attributes when it is not null.
   *
   * @throws StoreUnavailableException when a page cannot be read
   */
  List<Map<String, AttributeValue>> queryRun(
      String what, String runId, String prefix, String projection) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      QueryRequest.Builder request =
          QueryRequest.builder()
              .tableName(table)
              .consistentRead(true)
              .exclusiveStartKey(start)
              .projectionExpression(projection);
      if (prefix.isEmpty()) {
        request
            .keyConditionExpression("pk = :pk")
            .expressionAttributeValues(Map.of(":pk", Items.s(Items.pk(runId))));
      } else {
        request
            .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
            .expressionAttributeValues(
                Map.of(":pk", Items.s(Items.pk(runId)), ":prefix", Items.s(prefix)));
      }
      QueryResponse page = read(what, () -> dynamo.query(request.build()));
      items.addAll(page.items());
      start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (start != null && !start.isEmpty());
    return items;
  }
}
