package dev.cairn.internal.store;

import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import dev.cairn.internal.errors.StoreErrors;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The one place that decides what became of a write fenced by a run's lease. Every such write of
 * {@link DynamoDbCheckpointStore} goes through {@link #transact} or {@link #update}, so a fix to
 * the decision reaches all of them.
 *
 * <p>The protocol, for one write:
 *
 * <ol>
 *   <li>Send it. A transaction carries one client request token for all its tries, so DynamoDB
 *       applies it at most once however often the SDK and this class send it.
 *   <li>A transaction cancelled for {@code TransactionConflict} alone (another request, typically
 *       the heartbeat renewing the lease, wrote one of its items at the same moment) applied
 *       nothing: pause briefly (50 ms, then 100 ms) and send it again, {@value #TRIES} tries in
 *       all; the last one's cancellation is decided as below.
 *   <li>Any other refusal or failure: read the state back consistently and decide, in this order:
 *       the read shows this very write applied → done; the lease's condition failed → {@link
 *       RunHeldException} (fenced; at once, without the read, for a write the read could not
 *       recognise); a value recorded earlier stands (a write that keeps the first value) → that
 *       value; the item's own condition failed → the caller's refusal; otherwise it did not land →
 *       {@link StoreUnavailableException}.
 *   <li>A read-back that fails too → {@link StateUnknownException}: nothing is guessed.
 * </ol>
 *
 * <p>Thread-safe: no state but the client's.
 */
final class FencedWrites {
  /** Tries of one write cancelled by transaction conflicts. */
  static final int TRIES = 3;

  /** Waits between tries; injected so tests run the back-off in no time. */
  @FunctionalInterface
  interface Pause {
    void pause(Duration duration) throws InterruptedException;

    static Pause system() {
      return duration -> Thread.sleep(duration.toMillis());
    }
  }

  /**
   * How one write tells from a consistent read what became of it.
   *
   * @param readBack reads back, consistently, the item the write changes (null when absent); SDK
   *     failures pass through
   * @param landed the result when the item read shows this very write applied (e.g. its transition
   *     id); empty for a write that cannot be recognised in the item (the first value wins), which
   *     a refusal by the lease therefore fences without reading back
   * @param standing for a write that keeps the first value recorded: that value, when the item read
   *     holds one
   * @param refuse throws the caller's refusal for a write its own item's condition refused
   * @param <S> what the read returns
   * @param <T> the write's result
   */
  record Outcome<S, T>(
      Supplier<S> readBack,
      Optional<Function<S, Optional<T>>> landed,
      Function<S, Optional<T>> standing,
      Consumer<S> refuse) {

    /** A write that {@code landed} recognizes, refused by nothing but the lease. */
    static <S, T> Outcome<S, T> landedWhen(Supplier<S> readBack, Function<S, Optional<T>> landed) {
      return new Outcome<>(readBack, Optional.of(landed), now -> Optional.empty(), now -> {});
    }

    /** A write that keeps the first value recorded, which {@code standing} finds. */
    static <S, T> Outcome<S, T> firstWins(Supplier<S> readBack, Function<S, Optional<T>> standing) {
      return new Outcome<>(readBack, Optional.empty(), standing, now -> {});
    }

    /** This outcome, with {@code refuse} throwing when the item's own condition refused it. */
    Outcome<S, T> refusedBy(Consumer<S> refuse) {
      return new Outcome<>(readBack, landed, standing, refuse);
    }
  }

  private final DynamoDbClient dynamo;
  private final String table;
  private final TableReads reads;
  private final Pause pause;

  FencedWrites(DynamoDbClient dynamo, String table, TableReads reads, Pause pause) {
    this.dynamo = dynamo;
    this.table = table;
    this.reads = reads;
    this.pause = pause;
  }

  /** The condition every fenced transaction carries first: the run is at the lease's epoch. */
  TransactWriteItem leaseGuard(Lease lease) {
    return TransactWriteItem.builder()
        .conditionCheck(
            ConditionCheck.builder()
                .tableName(table)
                .key(Items.runKey(lease.runId()))
                .conditionExpression("epoch = :epoch AND leaseOwner = :me")
                .expressionAttributeValues(
                    Map.of(":epoch", Items.n(lease.epoch()), ":me", Items.s(lease.holder().id())))
                .build())
        .build();
  }

  /**
   * Applies {@code items} in one TransactWriteItems whose first item is conditional on {@code
   * lease} (its {@link #leaseGuard}, or an update of the run item carrying the same condition).
   *
   * @param what what the write does, for "did not land" and "unknown" messages
   * @param fencedWhat what the driver was doing, for the {@link RunHeldException}
   * @param written the result when the write is acknowledged
   */
  <S, T> T transact(
      Lease lease,
      String what,
      String fencedWhat,
      List<TransactWriteItem> items,
      String token,
      T written,
      Outcome<S, T> outcome) {
    for (int tries = 1; ; tries++) {
      try {
        dynamo.transactWriteItems(r -> r.transactItems(items).clientRequestToken(token));
        return written;
      } catch (TransactionCanceledException cancelled) {
        List<CancellationReason> reasons = cancelled.cancellationReasons();
        if (tries < TRIES && isConflictOnly(reasons)) {
          pause(Duration.ofMillis(50L * tries));
          continue;
        }
        return decide(
            lease,
            what,
            fencedWhat,
            cancelled,
            isConditionFailure(reasons, 0),
            anyConditionFailure(reasons),
            outcome);
      } catch (SdkException unknown) {
        return decide(lease, what, fencedWhat, unknown, false, false, outcome);
      }
    }
  }

  /**
   * Applies one UpdateItem whose condition is the lease's (and nothing else): a refused condition
   * means the run moved on, unless the read-back shows this write applied before (an SDK retry of a
   * write that released the lease).
   */
  <S, T> T update(
      Lease lease,
      String what,
      String fencedWhat,
      UpdateItemRequest request,
      T written,
      Outcome<S, T> outcome) {
    try {
      dynamo.updateItem(request);
      return written;
    } catch (ConditionalCheckFailedException refused) {
      return decide(lease, what, fencedWhat, refused, true, true, outcome);
    } catch (SdkException unknown) {
      return decide(lease, what, fencedWhat, unknown, false, false, outcome);
    }
  }

  private <S, T> T decide(
      Lease lease,
      String what,
      String fencedWhat,
      SdkException failure,
      boolean guardFailed,
      boolean conditionFailed,
      Outcome<S, T> outcome) {
    if (guardFailed && outcome.landed().isEmpty()) {
      // Nothing in the item could show this write applied: the lease's refusal decides.
      throw fenced(lease, fencedWhat);
    }
    S now = readBack(what, failure, outcome.readBack());
    Optional<T> landed = outcome.landed().flatMap(recognised -> recognised.apply(now));
    if (landed.isPresent()) {
      return landed.get();
    }
    if (guardFailed) {
      throw fenced(lease, fencedWhat);
    }
    Optional<T> standing = outcome.standing().apply(now);
    if (standing.isPresent()) {
      return standing.get();
    }
    if (conditionFailed) {
      outcome.refuse().accept(now);
    }
    throw notLanded(what, failure);
  }

  /**
   * Reads back after a write of unknown outcome.
   *
   * @return what {@code read} returned (null when the thing read is absent)
   * @throws StateUnknownException when the read fails too
   */
  <T> T readBack(String what, SdkException writeFailure, Supplier<T> read) {
    try {
      return read.get();
    } catch (SdkException readFailure) {
      readFailure.addSuppressed(writeFailure);
      throw StoreErrors.outcomeUnknown(what, table, writeFailure, readFailure);
    }
  }

  /** The failure of a write that, as read back, did not land. */
  StoreUnavailableException notLanded(String what, SdkException cause) {
    return new StoreUnavailableException(
        StoreErrors.writeNotLandedMessage(what, table, cause.getMessage()), cause);
  }

  /** The refusal of a write {@code lease} may no longer make, naming the run's holder now. */
  RunHeldException fenced(Lease lease, String what) {
    Optional<RunRecord> current;
    try {
      current = reads.item(Items.runKey(lease.runId())).map(Items::toRun);
    } catch (RuntimeException unreadable) {
      current = Optional.empty(); // the message says less, the outcome is the same
    }
    return lease.lost(what, current);
  }

  private void pause(Duration duration) {
    try {
      pause.pause(duration);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isConflictOnly(List<CancellationReason> reasons) {
    return reasons != null
        && reasons.stream().anyMatch(r -> "TransactionConflict".equals(r.code()))
        && reasons.stream().noneMatch(r -> "ConditionalCheckFailed".equals(r.code()));
  }

  private static boolean isConditionFailure(List<CancellationReason> reasons, int index) {
    return reasons != null
        && reasons.size() > index
        && "ConditionalCheckFailed".equals(reasons.get(index).code());
  }

  private static boolean anyConditionFailure(List<CancellationReason> reasons) {
    return reasons != null
        && reasons.stream().anyMatch(r -> "ConditionalCheckFailed".equals(r.code()));
  }
}
