package dev.cairn.internal.engine;

import dev.cairn.RetryPolicy;
import dev.cairn.internal.store.StageRecord;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

/**
 * The attempts of one stage in this driver: its retry policy's backoff, which retries only failures
 * {@link FailureClassifier} calls retryable, and the stage's latest checkpoint. Not thread-safe.
 */
final class StageRetry {
  private final RetryPolicy policy;
  private final Retry.AsyncContext<Void> retry;
  private StageRecord record;

  StageRetry(RetryPolicy policy, String stage, StageRecord record) {
    this.policy = policy;
    this.record = record;
    this.retry =
        Retry.of(
                "stage-" + stage,
                RetryConfig.custom()
                    .maxAttempts(policy.maxAttempts())
                    .intervalFunction(
                        IntervalFunction.ofExponentialRandomBackoff(
                            policy.initialBackoff().toMillis(),
                            policy.multiplier(),
                            policy.randomization(),
                            policy.maxBackoff().toMillis()))
                    .retryOnException(t -> FailureClassifier.classify(t).retryable())
                    .build())
            .asyncContext();
  }

  RetryPolicy policy() {
    return policy;
  }

  /** The stage's checkpoint as this driver last read or wrote it. */
  StageRecord record() {
    return record;
  }

  void record(StageRecord latest) {
    this.record = latest;
  }

  /** Counts a failed attempt: the backoff before the next one in ms, or negative to give up. */
  long onError(Throwable failure) {
    return retry.onError(failure);
  }
}
