package dev.cairn.internal.engine;

import dev.cairn.BadInputException;
import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import dev.cairn.internal.delta.WriteFence;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides the {@link FailureClass} of a stage failure by walking its whole cause chain: Spark wraps
 * the root cause (an executor's exception inside a {@code SparkException}, an S3 error inside a
 * Hadoop {@code IOException}), so the outermost type says little.
 *
 * <p>Rules, in order (the first that matches any throwable of the chain wins):
 *
 * <ol>
 *   <li>lease lost, state unknown: their own classes;
 *   <li>the class a Cairn error carries ({@link CairnException#failureClass()}: a data-quality
 *       gate, {@link BadInputException}, every error built in {@code internal.errors});
 *   <li>unreadable input files (Spark's {@code FAILED_READ_FILE}, a corrupt Parquet footer):
 *       BAD_INPUT;
 *   <li>analysis errors (unresolved column, schema mismatch) and errors of the job's own code:
 *       PERMANENT;
 *   <li>throttling, 5xx, S3 SlowDown, dropped or refused connections, lost executors, shuffle fetch
 *       failures, Delta concurrent-modification conflicts: TRANSIENT;
 *   <li>anything else: PERMANENT (retrying what is not known to be transient only delays the
 *       failure).
 * </ol>
 *
 * <p>Stateless and thread-safe.
 */
public final class FailureClassifier {

  private static final Set<String> TRANSIENT_TYPES =
      Set.of(
          "java.net.SocketException",
          "java.net.SocketTimeoutException",
          "java.net.ConnectException",
          "java.net.NoRouteToHostException",
          "java.net.http.HttpTimeoutException",
          "org.apache.http.NoHttpResponseException",
          "org.apache.http.ConnectionClosedException",
          "org.apache.http.conn.ConnectTimeoutException",
          "org.apache.spark.shuffle.FetchFailedException",
          "org.apache.spark.shuffle.MetadataFetchFailedException",
          "org.apache.spark.ExecutorDeadException",
          "org.apache.hadoop.fs.s3a.AWSServiceThrottledException",
          "org.apache.hadoop.fs.s3a.AWSStatus500Exception",
          "org.apache.hadoop.fs.s3a.AWSApiCallTimeoutException",
          "software.amazon.awssdk.core.exception.ApiCallTimeoutException",
          "software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException",
          "dev.cairn.internal.store.StoreUnavailableException",
          "io.delta.exceptions.DeltaConcurrentModificationException",
          "org.apache.spark.sql.delta.DeltaConcurrentModificationException");

  private static final Set<String> PERMANENT_TYPES =
      Set.of(
          "org.apache.spark.sql.AnalysisException",
          "org.apache.spark.sql.catalyst.parser.ParseException",
          "java.lang.IllegalArgumentException",
          "java.lang.NullPointerException",
          "java.lang.ClassCastException",
          "java.lang.UnsupportedOperationException",
          "java.lang.ArithmeticException");

  /** Unreadable or corrupt files: a truncated Parquet file, a checksum that does not match. */
  private static final Set<String> BAD_INPUT_TYPES =
      Set.of(
          "org.apache.parquet.io.ParquetDecodingException",
          "org.apache.hadoop.fs.ChecksumException",
          "org.apache.parquet.crypto.ParquetCryptoRuntimeException");

  /** Spark error conditions (SparkThrowable.getCondition) that mean an input file is bad. */
  private static final List<String> BAD_INPUT_CONDITIONS =
      List.of(
          "FAILED_READ_FILE",
          "CANNOT_READ_FILE_FOOTER",
          "CANNOT_READ_FOOTER",
          "PATH_NOT_FOUND",
          "UNABLE_TO_INFER_SCHEMA",
          "MALFORMED_RECORD_IN_PARSING",
          "INCOMPATIBLE_DATA_FOR_TABLE");

  private static final List<String> BAD_INPUT_MESSAGES =
      List.of(
          "is not a parquet file",
          "can not read value at",
          "could not read footer",
          "parquetdecodingexception",
          "schemacolumnconvertnotsupportedexception",
          "file does not exist");

  private static final List<String> TRANSIENT_MESSAGES =
      List.of(
          "throttl",
          "slowdown",
          "slow down",
          "rate exceeded",
          "provisionedthroughputexceeded",
          "requestlimitexceeded",
          "service unavailable",
          "status code: 500",
          "status code: 503",
          "(service: s3, status code: 5",
          "internal server error",
          "connection reset",
          "broken pipe",
          "connection refused",
          "executorlostfailure",
          "lost executor",
          "executor lost",
          "fetchfailed",
          "worker lost",
          "remote rpc client disassociated",
          "executor heartbeat timed out");

  private FailureClassifier() {}

  /** The class of {@code failure}, from every throwable of its cause chain. */
  public static FailureClass classify(Throwable failure) {
    List<Throwable> chain = chain(failure);
    for (Throwable t : chain) {
      if (t instanceof RunHeldException || t instanceof WriteFence.FencedException) {
        return FailureClass.LEASE_LOST;
      }
      if (t instanceof StateUnknownException) {
        return FailureClass.STATE_UNKNOWN;
      }
    }
    for (Throwable t : chain) {
      if (t instanceof CairnException cairn && cairn.failureClass().isPresent()) {
        return cairn.failureClass().get();
      }
    }
    for (Throwable t : chain) {
      String condition = condition(t);
      if (BAD_INPUT_CONDITIONS.stream().anyMatch(condition::startsWith)
          || containsAny(message(t), BAD_INPUT_MESSAGES)
          || BAD_INPUT_TYPES.contains(t.getClass().getName())) {
        return FailureClass.BAD_INPUT;
      }
    }
    boolean permanentType = false;
    for (Throwable t : chain) {
      if (isA(t, PERMANENT_TYPES)) {
        permanentType = true;
      }
    }
    for (Throwable t : chain) {
      if (isA(t, TRANSIENT_TYPES) || isTransientAws(t)) {
        return FailureClass.TRANSIENT;
      }
    }
    if (permanentType) {
      return FailureClass.PERMANENT;
    }
    for (Throwable t : chain) {
      if (containsAny(message(t), TRANSIENT_MESSAGES)) {
        return FailureClass.TRANSIENT;
      }
    }
    return FailureClass.PERMANENT;
  }

  /** The innermost cause: what a person reading the message needs first. */
  public static Throwable rootCause(Throwable failure) {
    List<Throwable> chain = chain(failure);
    return chain.get(chain.size() - 1);
  }

  /**
   * What a person needs to read: a message Cairn or the job wrote (it names the input and the fix),
   * else Spark's message about an unreadable file (it names the file) and the root cause, else the
   * root cause.
   */
  static String summary(Throwable failure, FailureClass failureClass) {
    List<Throwable> chain = chain(failure);
    for (Throwable t : chain) {
      if (t instanceof CairnException) {
        return oneLine(t.getMessage());
      }
    }
    Throwable root = chain.get(chain.size() - 1);
    String rootText = root.getClass().getSimpleName() + ": " + oneLine(root.getMessage());
    if (failureClass == FailureClass.BAD_INPUT) {
      for (Throwable t : chain) {
        if (t != root
            && t instanceof org.apache.spark.SparkThrowable
            && t.getMessage() != null
            && t.getMessage().contains("file")) {
          return oneLine(t.getMessage()) + " (cause: " + rootText + ")";
        }
      }
    }
    return rootText;
  }

  private static String oneLine(String message) {
    return String.valueOf(message).strip().replaceAll("\\s*\\n\\s*", " ");
  }

  /** {@code failure} and its causes, outermost first, each once. */
  static List<Throwable> chain(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  /** AWS SDK v2 service and client errors that the SDK itself deems retryable. */
  private static boolean isTransientAws(Throwable t) {
    if (t instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service) {
      return service.isThrottlingException() || service.statusCode() >= 500;
    }
    if (t instanceof software.amazon.awssdk.core.exception.SdkClientException client) {
      return client.retryable() || client.getCause() instanceof java.io.IOException;
    }
    return false;
  }

  private static boolean isA(Throwable t, Set<String> typeNames) {
    for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
      if (typeNames.contains(c.getName())) {
        return true;
      }
    }
    return false;
  }

  private static String condition(Throwable t) {
    if (t instanceof org.apache.spark.SparkThrowable spark) {
      String condition = spark.getCondition();
      return condition == null ? "" : condition;
    }
    return "";
  }

  private static String message(Throwable t) {
    return t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
  }

  private static boolean containsAny(String text, List<String> needles) {
    for (String needle : needles) {
      if (text.contains(needle)) {
        return true;
      }
    }
    return false;
  }
}
