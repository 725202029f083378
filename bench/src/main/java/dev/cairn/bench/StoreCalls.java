package dev.cairn.bench;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Counts the checkpoint store's DynamoDB requests in the bench's JVM, by what they touch: a stage
 * ({@code stage#<name>}), a chunk ({@code chunk#<stage>#g<generation>#<index>}) or the run.
 * Registered as an SDK global interceptor by this module's {@code
 * software/amazon/awssdk/global/handlers/ execution.interceptors}, so the runtime is measured
 * unchanged; only the bench's classpath has it. Counts requests as the store issues them (an SDK
 * retry of one request is not counted again).
 */
public final class StoreCalls implements ExecutionInterceptor {
  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
  private static final Set<String> CHUNKS = ConcurrentHashMap.newKeySet();

  /** What one request counts as: "write" or "read", and the item it is about. */
  record Key(String kind, String scope) {}

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    SdkRequest request = context.request();
    String operation = request.getClass().getSimpleName().replace("Request", "");
    String kind = kind(operation);
    if (kind == null) {
      return; // control plane: CreateTable, DescribeTable, UpdateTimeToLive
    }
    String scope = scope(request);
    count(kind + " " + scope + " " + operation);
    if (scope.equals("chunk") && kind.equals("write")) {
      CHUNKS.add(chunkOf(request));
    }
  }

  /** The chunk item a chunk write is about (its sort key). */
  private static String chunkOf(SdkRequest request) {
    if (request instanceof TransactWriteItemsRequest t) {
      for (TransactWriteItem item : t.transactItems()) {
        AttributeValue sk = keyOf(item).get("sk");
        if (sk != null && "chunk".equals(scopeOf(keyOf(item)))) {
          return sk.s();
        }
      }
    }
    if (request instanceof UpdateItemRequest u) {
      return u.key().get("sk").s();
    }
    if (request instanceof PutItemRequest p) {
      return p.item().get("sk").s();
    }
    return "?";
  }

  private static void count(String key) {
    COUNTS.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  static String kind(String operation) {
    return switch (operation) {
      case "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem" -> "write";
      case "GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems" -> "read";
      default -> null;
    };
  }

  /**
   * "stage", "chunk" or "run": the most specific item a request writes or reads. A transaction that
   * updates the run item itself (finishing a run, which also sets the expiry of each of its items)
   * is the run's.
   */
  static String scope(SdkRequest request) {
    if (request instanceof TransactWriteItemsRequest t) {
      boolean updatesRun =
          t.transactItems().stream()
              .anyMatch(i -> i.update() != null && "run".equals(skOf(i.update().key())));
      if (updatesRun) {
        return "run";
      }
      String best = "run";
      for (TransactWriteItem item : t.transactItems()) {
        String s = scopeOf(keyOf(item));
        if (s.equals("chunk") || (s.equals("stage") && best.equals("run"))) {
          best = s;
        }
      }
      return best;
    }
    if (request instanceof UpdateItemRequest u) {
      return scopeOf(u.key());
    }
    if (request instanceof PutItemRequest p) {
      return scopeOf(p.item());
    }
    if (request instanceof DeleteItemRequest d) {
      return scopeOf(d.key());
    }
    if (request instanceof GetItemRequest g) {
      return scopeOf(g.key());
    }
    return "run";
  }

  private static Map<String, AttributeValue> keyOf(TransactWriteItem item) {
    if (item.update() != null) {
      return item.update().key();
    }
    if (item.put() != null) {
      return item.put().item();
    }
    if (item.conditionCheck() != null) {
      return item.conditionCheck().key();
    }
    if (item.delete() != null) {
      return item.delete().key();
    }
    return Map.of();
  }

  private static String skOf(Map<String, AttributeValue> key) {
    AttributeValue sk = key == null ? null : key.get("sk");
    return sk == null ? null : sk.s();
  }

  static String scopeOf(Map<String, AttributeValue> key) {
    AttributeValue sk = key == null ? null : key.get("sk");
    if (sk == null || sk.s() == null) {
      return "run";
    }
    if (sk.s().startsWith("chunk#")) {
      return "chunk";
    }
    return sk.s().startsWith("stage#") ? "stage" : "run";
  }

  /** Forgets every count. */
  static void reset() {
    COUNTS.clear();
    CHUNKS.clear();
  }

  /** How many distinct chunk items were written since the last reset. */
  static int chunksWritten() {
    return CHUNKS.size();
  }

  /** The counts so far, by "kind scope operation", sorted. */
  static Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    COUNTS.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** The sum of the counts whose key starts with {@code prefix} (e.g. "write stage"). */
  static long total(Map<String, Long> counts, String prefix) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }
}
