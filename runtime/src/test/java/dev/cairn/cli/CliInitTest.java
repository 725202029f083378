package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.internal.config.EmbeddedDynamoDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn init} in-process on a fresh state directory: it creates the checkpoint table (in the
 * embedded DynamoDB Local) and the warehouse, says so, and says both exist when run again.
 */
class CliInitTest {
  private static final String NL = System.lineSeparator();

  @TempDir Path home;

  @AfterEach
  void stopStore() {
    EmbeddedDynamoDb.stop(home);
  }

  @Test
  void init_createsTableAndWarehouse_andASecondInitFindsThemAndChangesNothing() {
    Cli cli = new Cli(home, Map.of("CAIRN_RETENTION_DAYS", "30"));
    Path warehouse = home.resolve("warehouse");

    Cli.Result first = cli.run("init");
    Cli.Result second = cli.run("init");

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out())
        .isEqualTo(
            "Checkpoint table cairn_checkpoints created (on-demand billing, index runs-by-update,"
                + " TTL on expiresAt); succeeded runs are deleted 30 days after they finish"
                + " (CAIRN_RETENTION_DAYS)"
                + NL
                + "        (embedded DynamoDB Local on 127.0.0.1, kept in "
                + home.resolve("dynamodb")
                + ")"
                + NL
                + "Warehouse "
                + warehouse
                + " created and is writable (a probe file was created and deleted)"
                + NL);
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out())
        .startsWith(
            "Checkpoint table cairn_checkpoints exists (on-demand billing, index runs-by-update,"
                + " TTL on expiresAt); succeeded runs are deleted 30 days")
        .contains("Warehouse " + warehouse + " exists and is writable");
    assertThat(warehouse).isEmptyDirectory();
    assertThat(cli.run("runs").exitCode()).as("the table works").isZero();
  }

  @Test
  void init_withAWarehouseThatCannotBeWritten_fails_namingItAndTheFix() throws Exception {
    Path file = Files.writeString(home.resolve("not-a-dir"), "x");
    Cli cli = new Cli(home, Map.of("CAIRN_WAREHOUSE", file.resolve("warehouse").toString()));

    Cli.Result result = cli.run("init");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("cairn: warehouse " + file.resolve("warehouse") + " is not writable: ")
        .contains(
            "Fix: check CAIRN_WAREHOUSE, that the file system's scheme is on the classpath (s3a"
                + " needs hadoop-aws), and that the credentials allow creating and deleting files"
                + " under it");
  }
}
