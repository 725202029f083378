package dev.cairn.internal.delta;

import io.delta.storage.HadoopFileSystemLogStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A Delta log store for S3 that is safe with several writers, in several processes or machines:
 * each commit file {@code N.json} is created with a <em>conditional put</em> ({@code If-None-Match:
 * *}), which S3 applies only if no object has that key. Of two drivers committing version N at
 * once, exactly one wins; the other gets {@link FileAlreadyExistsException}, on which Delta's
 * optimistic concurrency reads the winner's commit, checks for a logical conflict and, when there
 * is none (two appends), commits again as N+1. No commit is lost or overwritten, with no lock
 * table.
 *
 * <p>Protocol of {@link #write} for a commit file (no overwrite):
 *
 * <ol>
 *   <li>the driver's {@link WriteFence} is checked, as {@link FencedLogStore} does: a driver that
 *       may have lost its run's lease publishes nothing;
 *   <li>the file is put with {@code If-None-Match: *} in one request (a commit file is small), so
 *       it is never partly visible, with the time the fence has left as the request's total timeout
 *       (the SDK's retries included): a put still unanswered when the fence closes fails instead of
 *       landing after another driver may have taken the run;
 *   <li>412 Precondition Failed: the key exists. If its content is byte for byte ours (each commit
 *       holds Delta's unique {@code txnId}), our own earlier attempt landed and its response was
 *       lost (the SDK retried): success. Otherwise {@link FileAlreadyExistsException};
 *   <li>409 Conflict (S3's answer while another conditional put of that key is in flight): tried
 *       again, up to {@link #CONFLICT_ATTEMPTS} times, then decided as in 3.
 * </ol>
 *
 * <p>Files written with overwrite (checkpoints, {@code _last_checkpoint}) are plain puts. Reads and
 * listings go through the Hadoop file system (S3A), as Delta's own S3 log store does; S3 lists
 * strongly consistently.
 *
 * <p>The S3 client follows S3A's settings (so both reach the same store): {@code fs.s3a.endpoint}
 * (else the SDK's {@code AWS_ENDPOINT_URL_S3}), {@code fs.s3a.path.style.access}, {@code
 * fs.s3a.endpoint.region} (else the SDK's region chain); credentials from the SDK's default chain.
 * Configured by {@code Spark.session} as {@code spark.delta.logStore.s3a.impl} and {@code
 * .s3.impl}. Thread-safe.
 */
public final class S3ConditionalPutLogStore extends HadoopFileSystemLogStore {
  private static final Logger LOG = LogManager.getLogger(S3ConditionalPutLogStore.class);

  /** Attempts of one put answered 409 (another conditional put of the key in flight). */
  static final int CONFLICT_ATTEMPTS = 5;

  /**
   * One client per endpoint and region in the process: Delta instantiates log stores by reflection,
   * per table and scheme, and an SDK client holds a connection pool.
   */
  private static final Map<ClientKey, S3Client> CLIENTS = new ConcurrentHashMap<>();

  private final S3Client client;

  public S3ConditionalPutLogStore(Configuration hadoopConf) {
    this(hadoopConf, CLIENTS.computeIfAbsent(ClientKey.of(hadoopConf), ClientKey::build));
  }

  S3ConditionalPutLogStore(Configuration hadoopConf, S3Client client) {
    super(hadoopConf);
    this.client = client;
  }

  @Override
  public void write(Path path, Iterator<String> actions, Boolean overwrite, Configuration conf)
      throws IOException {
    URI uri = path.toUri();
    String bucket = uri.getHost();
    String key = uri.getPath().startsWith("/") ? uri.getPath().substring(1) : uri.getPath();
    if (bucket == null || key.isEmpty()) {
      throw new IOException(
          "cannot write Delta log file " + path + ": not an s3://bucket/key path");
    }
    StringBuilder content = new StringBuilder();
    actions.forEachRemaining(action -> content.append(action).append('\n'));
    byte[] bytes = content.toString().getBytes(StandardCharsets.UTF_8);
    PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key);
    if (Boolean.TRUE.equals(overwrite)) {
      putOrWrap(put.build(), bytes, path);
      return;
    }
    for (int attempt = 1; ; attempt++) {
      // The whole PUT, the SDK's retries included, ends before the fence does: a response slower
      // than that is a failed commit, never one landing after another driver took the run.
      Optional<Duration> left = WriteFence.remaining("Delta commit " + path);
      PutObjectRequest conditional =
          put.ifNoneMatch("*")
              .overrideConfiguration(c -> left.ifPresent(c::apiCallTimeout))
              .build();
      try {
        client.putObject(conditional, RequestBody.fromBytes(bytes));
        return;
      } catch (S3Exception e) {
        if (e.statusCode() == 409 && attempt < CONFLICT_ATTEMPTS) {
          LOG.info("Delta commit {}: another conditional put in flight (409), trying again", path);
          continue;
        }
        if (e.statusCode() == 412 || e.statusCode() == 409) {
          if (existingContentIs(bucket, key, bytes)) {
            LOG.info(
                "Delta commit {} was already written by this commit's earlier attempt (a response"
                    + " lost and retried)",
                path);
            return;
          }
          throw new FileAlreadyExistsException(path.toString());
        }
        throw wrap(e, path);
      } catch (SdkException e) {
        throw wrap(e, path);
      }
    }
  }

  @Override
  public Boolean isPartialWriteVisible(Path path, Configuration conf) {
    return false;
  }

  private void putOrWrap(PutObjectRequest request, byte[] bytes, Path path) throws IOException {
    try {
      client.putObject(request, RequestBody.fromBytes(bytes));
    } catch (SdkException e) {
      throw wrap(e, path);
    }
  }

  private boolean existingContentIs(String bucket, String key, byte[] bytes) throws IOException {
    try {
      ResponseBytes<GetObjectResponse> existing =
          client.getObjectAsBytes(b -> b.bucket(bucket).key(key));
      return java.util.Arrays.equals(existing.asByteArrayUnsafe(), bytes);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw wrap(e, new Path("s3a://" + bucket + "/" + key));
    } catch (SdkException e) {
      throw wrap(e, new Path("s3a://" + bucket + "/" + key));
    }
  }

  private static IOException wrap(SdkException e, Path path) {
    // IOException keeps Delta's and Cairn's failure classification (S3 5xx and throttling are
    // transient); the SDK's own exception stays the cause.
    return new IOException("S3 write of Delta log file " + path + " failed: " + e.getMessage(), e);
  }

  /** What an S3 client for a Hadoop configuration depends on. */
  private record ClientKey(Optional<String> endpoint, Optional<String> region, boolean pathStyle) {
    static ClientKey of(Configuration conf) {
      Optional<String> endpoint =
          Optional.ofNullable(conf.getTrimmed("fs.s3a.endpoint")).filter(s -> !s.isEmpty());
      Optional<String> region =
          Optional.ofNullable(conf.getTrimmed("fs.s3a.endpoint.region")).filter(s -> !s.isEmpty());
      return new ClientKey(endpoint, region, conf.getBoolean("fs.s3a.path.style.access", false));
    }

    S3Client build() {
      S3ClientBuilder builder = S3Client.builder().httpClientBuilder(ApacheHttpClient.builder());
      region.map(Region::of).ifPresent(builder::region);
      endpoint.ifPresentOrElse(
          e -> builder.endpointOverride(URI.create(e.contains("://") ? e : "https://" + e)),
          // No override: the bucket may be in another region than the client's.
          () -> builder.crossRegionAccessEnabled(true));
      // An endpoint given only through AWS_ENDPOINT_URL_S3 is applied by the SDK itself.
      builder.forcePathStyle(pathStyle || System.getenv("AWS_ENDPOINT_URL_S3") != null);
      return builder.build();
    }
  }
}
