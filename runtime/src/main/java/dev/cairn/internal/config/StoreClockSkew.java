package dev.cairn.internal.config;

import dev.cairn.internal.errors.StoreErrors;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Measures this host's wall clock against the checkpoint store's from the {@code Date} header of
 * the store's responses, and warns once per process when they certainly differ by more than leases
 * tolerate: a lease's expiry is written from one host's clock and compared with another's, so two
 * hosts must agree within a sixth of the lease TTL. The store is the one clock every driver talks
 * to: each driver held within a twelfth of the TTL of it keeps any two within the sixth.
 *
 * <p>{@code Date} has one-second resolution and the store reads its clock somewhere between the
 * request leaving and the response arriving, so the skew is known to lie in {@code [date -
 * received, date + 1 s - sent]}; only an interval entirely beyond the margin warns. An SDK
 * interceptor on the DynamoDB client: every response is measured, at no extra request.
 */
public final class StoreClockSkew implements ExecutionInterceptor {
  private static final Logger LOG = LogManager.getLogger(StoreClockSkew.class);
  private static final ExecutionAttribute<Long> SENT = new ExecutionAttribute<>("cairn.sentMillis");

  private final long marginMillis;
  private final LongSupplier wallMillis;
  private final AtomicBoolean warned = new AtomicBoolean();

  /**
   * @param margin the most this host's clock may differ from the store's (a twelfth of the TTL)
   */
  public StoreClockSkew(Duration margin) {
    this(margin, System::currentTimeMillis);
  }

  StoreClockSkew(Duration margin, LongSupplier wallMillis) {
    this.marginMillis = margin.toMillis();
    this.wallMillis = wallMillis;
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    attributes.putAttribute(SENT, wallMillis.getAsLong());
  }

  @Override
  public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
    Long sent = attributes.getAttribute(SENT);
    if (sent != null && !warned.get()) { // said once: nothing more to measure
      context
          .httpResponse()
          .firstMatchingHeader("Date")
          .ifPresent(date -> observe(date, sent, wallMillis.getAsLong()));
    }
  }

  /**
   * Takes one response's {@code Date} into account.
   *
   * @param sent this host's clock when the request left, epoch milliseconds
   * @param received this host's clock when the response arrived
   */
  void observe(String date, long sent, long received) {
    long server;
    try {
      server =
          ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME)
              .toInstant()
              .toEpochMilli();
    } catch (DateTimeParseException e) {
      LOG.debug("Not measuring clock skew: the store's Date header '{}' does not parse", date);
      return;
    }
    if (received < sent) {
      return; // our clock was stepped back meanwhile: no interval to trust
    }
    long atLeast = server - received; // the store's clock minus ours
    long atMost = server + 999 - sent;
    if ((atLeast > marginMillis || atMost < -marginMillis) && warned.compareAndSet(false, true)) {
      long estimate = server + 500 - (sent + received) / 2;
      LOG.warn(StoreErrors.clockSkewMessage(estimate, marginMillis));
    }
  }
}
