package dev.cairn.internal.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The commit protocol of the S3 log store against an in-memory S3 that honours {@code
 * If-None-Match: *} and injects S3's answers. (Against a real S3 API with concurrent processes:
 * {@code S3WarehouseIT}.)
 */
class S3ConditionalPutLogStoreTest {
  private static final Path COMMIT =
      new Path("s3a://bucket/wh/t/_delta_log/00000000000000000003.json");
  private final FakeS3 s3 = new FakeS3();
  private final Configuration conf = new Configuration(false);
  private final S3ConditionalPutLogStore store = new S3ConditionalPutLogStore(conf, s3);

  @AfterEach
  void openTheFence() {
    WriteFence.open();
  }

  @Test
  void commit_isAConditionalPut_ofTheActionsOnePerLine() throws IOException {
    store.write(COMMIT, List.of("{\"a\":1}", "{\"b\":2}").iterator(), false, conf);

    assertThat(s3.object("wh/t/_delta_log/00000000000000000003.json"))
        .isEqualTo("{\"a\":1}\n{\"b\":2}\n");
    assertThat(s3.conditionalPuts).containsExactly("wh/t/_delta_log/00000000000000000003.json");
    assertThat(store.isPartialWriteVisible(COMMIT, conf)).isFalse();
  }

  @Test
  void commitOfAVersionAnotherWriterHolds_throwsFileAlreadyExists_andLeavesTheirsAlone()
      throws IOException {
    store.write(COMMIT, List.of("theirs").iterator(), false, conf);

    assertThatThrownBy(() -> store.write(COMMIT, List.of("mine").iterator(), false, conf))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(COMMIT.toString());
    assertThat(s3.object("wh/t/_delta_log/00000000000000000003.json")).isEqualTo("theirs\n");
  }

  @Test
  void ownEarlierAttemptLanded_responseLost_412OnTheRetry_isSuccessNotAConflict()
      throws IOException {
    s3.nextPutLandsThenAnswers(412);

    store.write(COMMIT, List.of("mine").iterator(), false, conf);

    assertThat(s3.object("wh/t/_delta_log/00000000000000000003.json")).isEqualTo("mine\n");
  }

  @Test
  void conflict409WhileAnotherPutIsInFlight_isTriedAgain() throws IOException {
    s3.nextPutAnswers(409);
    s3.nextPutAnswers(409);

    store.write(COMMIT, List.of("mine").iterator(), false, conf);

    assertThat(s3.object("wh/t/_delta_log/00000000000000000003.json")).isEqualTo("mine\n");
    assertThat(s3.conditionalPuts).hasSize(3);
  }

  @Test
  void driverThatMayHaveLostItsLease_publishesNothing() {
    WriteFence.close("host-a pid 42");

    assertThatThrownBy(() -> store.write(COMMIT, List.of("mine").iterator(), false, conf))
        .isInstanceOf(WriteFence.FencedException.class)
        .hasMessageContaining("refusing to publish Delta commit " + COMMIT)
        .hasMessageContaining("driver host-a pid 42 could not renew its lease in time");
    assertThat(s3.objects).isEmpty();
  }

  @Test
  void aCommitPut_mayTakeNoLongerThanTheFenceHasLeft_retriesIncluded() throws IOException {
    WriteFence.extend("host-a pid 42", java.time.Duration.ofSeconds(4).toNanos());

    store.write(COMMIT, List.of("mine").iterator(), false, conf);

    assertThat(s3.timeouts)
        .singleElement()
        .satisfies(
            t -> assertThat(t).isPositive().isLessThanOrEqualTo(java.time.Duration.ofSeconds(4)));
  }

  // The bound above, enforced by the real SDK client: a store that never answers.
  @Test
  void aCommitPutUnansweredWhenTheFenceCloses_fails_insteadOfLandingLate() throws Exception {
    try (java.net.ServerSocket silent =
            new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        S3Client client =
            S3Client.builder()
                .endpointOverride(java.net.URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(
                    software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                            "key", "secret")))
                .forcePathStyle(true)
                .build()) {
      WriteFence.extend("host-a pid 42", java.time.Duration.ofMillis(300).toNanos());
      S3ConditionalPutLogStore real = new S3ConditionalPutLogStore(conf, client);

      assertThatThrownBy(() -> real.write(COMMIT, List.of("mine").iterator(), false, conf))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("S3 write of Delta log file " + COMMIT + " failed")
          .hasCauseInstanceOf(software.amazon.awssdk.core.exception.ApiCallTimeoutException.class);
    }
  }

  @Test
  void checkpointFilesWithOverwrite_arePlainPuts_andNotFenced() throws IOException {
    WriteFence.close("host-a pid 42");
    Path last = new Path("s3a://bucket/wh/t/_delta_log/_last_checkpoint");

    store.write(last, List.of("v1").iterator(), true, conf);
    store.write(last, List.of("v2").iterator(), true, conf);

    assertThat(s3.object("wh/t/_delta_log/_last_checkpoint")).isEqualTo("v2\n");
    assertThat(s3.conditionalPuts).isEmpty();
  }

  @Test
  void otherS3Errors_areIOExceptionsNamingTheFile() {
    s3.nextPutAnswers(503);

    assertThatThrownBy(() -> store.write(COMMIT, List.of("mine").iterator(), false, conf))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("S3 write of Delta log file " + COMMIT + " failed")
        .hasCauseInstanceOf(S3Exception.class);
  }

  /** S3 in memory: conditional puts, and answers injected for the next puts. */
  private static final class FakeS3 implements S3Client {
    final Map<String, byte[]> objects = new HashMap<>();
    final List<String> conditionalPuts = new ArrayList<>();
    final List<java.time.Duration> timeouts = new ArrayList<>();
    private final Deque<int[]> injected = new ArrayDeque<>();

    void nextPutAnswers(int status) {
      injected.add(new int[] {status, 0});
    }

    void nextPutLandsThenAnswers(int status) {
      injected.add(new int[] {status, 1});
    }

    String object(String key) {
      return new String(objects.get(key), StandardCharsets.UTF_8);
    }

    @Override
    public synchronized PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
      byte[] bytes;
      try (var in = body.contentStreamProvider().newStream()) {
        bytes = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if ("*".equals(request.ifNoneMatch())) {
        conditionalPuts.add(request.key());
        request.overrideConfiguration().flatMap(c -> c.apiCallTimeout()).ifPresent(timeouts::add);
      }
      int[] answer = injected.poll();
      if (answer != null) {
        if (answer[1] == 1) {
          objects.put(request.key(), bytes);
        }
        throw status(answer[0]);
      }
      if ("*".equals(request.ifNoneMatch()) && objects.containsKey(request.key())) {
        throw status(412);
      }
      objects.put(request.key(), bytes);
      return PutObjectResponse.builder().build();
    }

    @Override
    public synchronized ResponseBytes<GetObjectResponse> getObjectAsBytes(
        GetObjectRequest request) {
      byte[] bytes = objects.get(request.key());
      if (bytes == null) {
        throw status(404);
      }
      return ResponseBytes.fromByteArray(GetObjectResponse.builder().build(), bytes);
    }

    private static S3Exception status(int code) {
      return (S3Exception) S3Exception.builder().statusCode(code).message("status " + code).build();
    }

    @Override
    public String serviceName() {
      return "s3";
    }

    @Override
    public void close() {}
  }
}
