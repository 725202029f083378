package dev.cairn.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The embedded store's server: one per state directory, loopback only, state on disk. */
class EmbeddedDynamoDbTest {
  private static final Optional<Path> LIB =
      Optional.of(Path.of(System.getProperty("cairn.dynamodbLocal.lib")));
  private Path home;

  @BeforeEach
  void newHome() throws IOException {
    home = Files.createTempDirectory("cairn-embedded-test");
  }

  @AfterEach
  void stopServer() {
    EmbeddedDynamoDb.stop(home);
  }

  @Test
  void secondCaller_getsTheRunningServer() throws IOException {
    URI first = EmbeddedDynamoDb.ensureRunning(home, LIB);
    long pid = serverPid();

    assertThat(EmbeddedDynamoDb.ensureRunning(home, LIB)).isEqualTo(first);
    assertThat(serverPid()).isEqualTo(pid);
    assertThat(first.getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void serverKilledWithSigkill_isRestartedOnNextUse_withItsTablesIntact() throws IOException {
    try (DynamoDbClient dynamo = client(EmbeddedDynamoDb.ensureRunning(home, LIB))) {
      dynamo.createTable(
          r ->
              r.tableName("kept")
                  .billingMode(BillingMode.PAY_PER_REQUEST)
                  .attributeDefinitions(
                      a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                  .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
      dynamo.putItem(r -> r.tableName("kept").item(Map.of("pk", AttributeValue.fromS("x"))));
    }
    ProcessHandle server = ProcessHandle.of(serverPid()).orElseThrow();
    server.destroyForcibly();
    server.onExit().join();

    try (DynamoDbClient dynamo = client(EmbeddedDynamoDb.ensureRunning(home, LIB))) {
      assertThat(serverPid()).isNotEqualTo(server.pid());
      assertThat(
              dynamo
                  .getItem(
                      r ->
                          r.tableName("kept")
                              .key(Map.of("pk", AttributeValue.fromS("x")))
                              .consistentRead(true))
                  .item())
          .containsKey("pk");
    }
  }

  @Test
  void server_acceptsLoopbackOnly() throws IOException {
    int port = EmbeddedDynamoDb.ensureRunning(home, LIB).getPort();
    Optional<InetAddress> external =
        Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
            .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
            .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
            .findFirst();

    assertThat(connects(InetAddress.getByName("127.0.0.1"), port)).isTrue();
    external.ifPresent(
        address -> assertThat(connects(address, port)).as("reachable on " + address).isFalse());
  }

  @Test
  void missingServerJars_sayHowToGetThem() {
    assertThatThrownBy(
            () -> EmbeddedDynamoDb.ensureRunning(home, Optional.of(home.resolve("nope"))))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("jars are not in " + home.resolve("nope"))
        .hasMessageContaining("mvn -B -q -DskipTests package");
    assertThatThrownBy(() -> EmbeddedDynamoDb.ensureRunning(home, Optional.empty()))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("CAIRN_DYNAMODB_LOCAL_LIB")
        .hasMessageContaining("set CAIRN_CHECKPOINT_TABLE to use DynamoDB");
  }

  private long serverPid() throws IOException {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(home.resolve("dynamodb/server.properties"))) {
      props.load(in);
    }
    return Long.parseLong(props.getProperty("pid"));
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 1000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static DynamoDbClient client(URI endpoint) {
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }
}
