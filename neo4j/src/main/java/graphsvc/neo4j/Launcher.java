package graphsvc.neo4j;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Starts an embedded Neo4j DBMS with its Bolt connector on a loopback address and prints {@code
 * bolt://HOST:PORT} on a line of its own once it accepts connections. SIGTERM (or SIGINT) shuts
 * it down cleanly; a temporary data folder is then deleted, a {@code --data-dir} is kept.
 *
 * <p>Usage: {@code java -jar graphsvc-neo4j.jar [--data-dir DIR] [--port P] [--host H]
 * [--password PW] [--page-cache MB]}. Port 0 (the default) takes a free port. Without {@code
 * --password} authentication is disabled.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("graphsvc-neo4j: " + e.getMessage());
      System.err.println(
          "usage: graphsvc-neo4j [--data-dir DIR] [--port P] [--host H] [--password PW]"
              + " [--page-cache MB]");
      System.exit(2);
      return;
    }
    String host = options.getOrDefault("host", "127.0.0.1");
    int port = Integer.parseInt(options.getOrDefault("port", "0"));
    long pageCacheMb = Long.parseLong(options.getOrDefault("page-cache", "256"));
    String password = options.get("password");
    boolean temporary = !options.containsKey("data-dir");
    Path dataDir =
        temporary
            ? Files.createTempDirectory("graphsvc-neo4j-")
            : Path.of(options.get("data-dir")).toAbsolutePath();
    Files.createDirectories(dataDir);

    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(dataDir)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
            .setConfig(
                BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
            .setConfig(GraphDatabaseSettings.auth_enabled, password != null)
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
            // Bolt's event loops wait 5 s for stragglers, twice: a test server stops at once.
            .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
            .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2))
            .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  dbms.shutdown();
                  if (temporary) {
                    deleteQuietly(dataDir);
                  }
                  stopped.countDown();
                },
                "graphsvc-neo4j-shutdown"));

    var database = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    if (password != null) {
      dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
          .executeTransactionally(
              "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
              Map.of("password", password));
    }
    database.executeTransactionally("RETURN 1");

    Integer bound = boltPort((GraphDatabaseAPI) database);
    int boundPort = bound != null ? bound : port;
    System.out.println("bolt://" + host + ":" + boundPort);
    System.out.flush();
    stopped.await();
  }

  private static Integer boltPort(GraphDatabaseAPI database) {
    var register =
        database.getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
    var address = register.getLocalAddress(ConnectorType.BOLT);
    return address == null ? null : address.getPort();
  }

  private static Map<String, String> parse(String[] args) {
    var options = new java.util.HashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("unexpected argument: " + arg);
      }
      String name = arg.substring(2);
      if (!java.util.Set.of("data-dir", "port", "host", "password", "page-cache").contains(name)) {
        throw new IllegalArgumentException("unknown option: " + arg);
      }
      options.put(name, args[++i]);
    }
    return options;
  }

  private static void deleteQuietly(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      System.err.println("graphsvc-neo4j: could not delete " + root + ": " + e.getMessage());
    }
  }
}
