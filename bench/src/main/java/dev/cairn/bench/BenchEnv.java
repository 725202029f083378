package dev.cairn.bench;

import dev.cairn.CairnException;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What every part of the bench shares: the repository (for {@code ./cairn}), the dataset, a scratch
 * directory, and one DynamoDB Local server, started once (its start is not part of any figure) and
 * stopped at the end.
 */
final class BenchEnv implements AutoCloseable {
  static final String ACCESS_KEY = "cairnbench";
  static final String SECRET_KEY = "cairnbenchsecret";
  static final String REGION = "us-east-1";

  private final Path repo;
  private final Path dataCache;
  private final Path scratch;
  private final String token;
  private final URI endpoint;

  private BenchEnv(Path repo, Path dataCache, Path scratch, URI endpoint) {
    this.repo = repo;
    this.dataCache = dataCache;
    this.scratch = scratch;
    this.token = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    this.endpoint = endpoint;
  }

  /**
   * Starts DynamoDB Local under {@code scratch} and points this JVM's AWS SDK at it (the standard
   * system properties the runtime's store client reads).
   */
  static BenchEnv start(Path repo, Path dataCache, Path scratch, Optional<Path> dynamoDbLocalLib) {
    try {
      Files.createDirectories(scratch);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path file : new Path[] {flights(dataCache), airports(dataCache)}) {
      if (!Files.isRegularFile(file)) {
        throw new CairnException(
            "the bench's input "
                + file
                + " is missing. Fix: run ./cairn run flights-daily once (it fetches the dataset),"
                + " or src/bin/fetch-datasets");
      }
    }
    URI endpoint = EmbeddedDynamoDb.ensureRunning(scratch.resolve("store"), dynamoDbLocalLib);
    System.setProperty("aws.region", REGION);
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
    System.setProperty("aws.endpointUrlDynamodb", endpoint.toString());
    System.setProperty("aws.endpointUrl", endpoint.toString());
    return new BenchEnv(repo, dataCache, scratch, endpoint);
  }

  Path repo() {
    return repo;
  }

  Path dataCache() {
    return dataCache;
  }

  Path scratch() {
    return scratch;
  }

  /** Unique to this bench process: table names carry it. */
  String token() {
    return token;
  }

  URI endpoint() {
    return endpoint;
  }

  Path flights() {
    return flights(dataCache);
  }

  Path airports() {
    return airports(dataCache);
  }

  private static Path flights(Path cache) {
    return cache.resolve("vega-datasets-3.2.1").resolve("flights-3m.parquet");
  }

  private static Path airports(Path cache) {
    return cache.resolve("vega-datasets-3.2.1").resolve("airports.csv");
  }

  /** A client of the bench's DynamoDB Local. */
  DynamoDbClient client() {
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  /** Deletes {@code dir} and everything under it; nothing if absent. */
  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public void close() {
    EmbeddedDynamoDb.stop(scratch.resolve("store"));
  }
}
