package dev.cairn;

import java.time.Duration;

/**
 * How often and how patiently a stage attempt that failed with a <em>transient</em> failure
 * (throttling, 5xx, a dropped connection, a lost executor, a Delta write conflict) is retried on
 * the driver. Permanent failures (bad input, analysis errors, failed data-quality gates) are never
 * retried. Backoff is exponential with random jitter: the n-th wait is drawn uniformly from {@code
 * initialBackoff * multiplier^(n-1) * (1 ± randomization)}, capped at {@code maxBackoff}.
 *
 * <p>Immutable. Set per job ({@link CairnJob#retryPolicy()}) and per stage ({@link
 * Stage.Builder#retry(RetryPolicy)}).
 *
 * @param maxAttempts attempts in all, the first included; 1 means no retry
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    double multiplier,
    double randomization,
    Duration maxBackoff) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts " + maxAttempts + " must be at least 1");
    }
    if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException(
          "initialBackoff " + initialBackoff + " must be a positive duration");
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier " + multiplier + " must be at least 1.0");
    }
    if (randomization < 0.0 || randomization >= 1.0) {
      throw new IllegalArgumentException(
          "randomization " + randomization + " must be in [0, 1), e.g. 0.5");
    }
    if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff " + maxBackoff + " must be at least initialBackoff " + initialBackoff);
    }
  }

  /** 4 attempts, waits of about 2 s, 4 s, 8 s (±50 %), at most 2 minutes. */
  public static RetryPolicy ofDefaults() {
    return new RetryPolicy(4, Duration.ofSeconds(2), 2.0, 0.5, Duration.ofMinutes(2));
  }

  /** No retry: a transient failure fails the stage at once (it stays resumable). */
  public static RetryPolicy none() {
    return ofDefaults().withMaxAttempts(1);
  }

  /** This policy with {@code n} attempts in all. */
  public RetryPolicy withMaxAttempts(int n) {
    return new RetryPolicy(n, initialBackoff, multiplier, randomization, maxBackoff);
  }

  /** This policy with another backoff: first wait, growth factor, cap. */
  public RetryPolicy withBackoff(Duration initial, double multiplier, Duration max) {
    return new RetryPolicy(maxAttempts, initial, multiplier, randomization, max);
  }
}
