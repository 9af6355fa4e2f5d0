package io.chaosproxy.proxy.tcp;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.Direction;
import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Refuse;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.ConnectionRecord;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.DatabasePool;
import io.chaosproxy.proxy.testing.PostgresServer;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same checks as {@link JdbcThroughTcpProxyTest} against a real PostgreSQL (zonky's embedded
 * binaries, see {@link PostgresServer}) with the PostgreSQL JDBC driver and a HikariCP pool: each
 * fault shows up as the pool's user would see it, and the same pool works again once the rule is
 * gone.
 */
@Timeout(60)
class PostgresThroughTcpProxyTest {
    /** The driver's socket read timeout ({@code socketTimeout}, in seconds): what ends a query whose answer never comes. */
    private static final int SOCKET_TIMEOUT_S = 2;

    private static PostgresServer database;
    private static ChaosProxyServer proxy;
    private static DatabasePool pool;

    @BeforeAll
    static void start() throws Exception {
        database = PostgresServer.start();
        proxy = ChaosProxyServer.builder().seed(11).tcp("pg", database.address()).build().start();
        pool = DatabasePool.open("jdbc:postgresql://" + proxy.address("pg") + "/postgres?socketTimeout=" + SOCKET_TIMEOUT_S, "postgres",
                "CREATE TABLE orders(id INT PRIMARY KEY, total INT)", "INSERT INTO orders VALUES (1, 42)");
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @AfterEach
    void healthyAgain() {
        proxy.faults().removeAll();
        // The same pool works again, within HikariCP's own pace: while the rule made its new connections
        // fail, it kept refilling its minimumIdle with a backoff that doubles up to 5 s, so its next try
        // may come seconds after the database is back. (H2's driver retries a failed connect itself,
        // slowly, so against H2 the backoff stays short and the first borrow already works.)
        await("the same pool works once the rule is gone").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .until(() -> total() == 42);
    }

    @Test
    void latencyAddsToEveryQueryOnPooledConnections() throws Exception {
        total(); // a pooled connection exists before the rule
        proxy.inject(FaultRule.builder(new Latency(300)).proxy("pg").build());
        long start = System.nanoTime();
        assertThat(total()).isEqualTo(42);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
    }

    @Test
    void aResetFailsTheQueryInFlightWithAnSqlExceptionAndThePoolRecovers() throws Exception {
        InstalledRule reset;
        try (Connection connection = pool.connection(); Statement statement = connection.createStatement()) {
            reset = proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_BYTES, 0, DropMode.RESET,
                    Direction.UPSTREAM)).proxy("pg").build()); // cut as the query goes out
            assertThatThrownBy(() -> statement.executeQuery("SELECT total FROM orders WHERE id = 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as("a connection failure").startsWith("08"));
        } // back to the pool, which drops it for that SQLState
        var cut = proxy.journal().await(JournalQuery.ALL.withProxy("pg").withFault(reset.id()), 1, Duration.ofSeconds(10));
        assertThat(cut).isNotEmpty();
        assertThat(cut.get(0).connection().end()).isEqualTo(ConnectionRecord.END_FAULT);
    }

    @Test
    void aHangTripsTheDriversSocketTimeoutAndThePoolRecovers() throws Exception {
        try (Connection connection = pool.connection(); Statement statement = connection.createStatement()) {
            proxy.inject(FaultRule.builder(new Hang()).proxy("pg").build()); // the database stops answering mid-use
            long start = System.nanoTime();
            assertThatThrownBy(() -> statement.executeQuery("SELECT total FROM orders WHERE id = 1"))
                    .isInstanceOf(SQLException.class).hasRootCauseInstanceOf(SocketTimeoutException.class);
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(waited).as("the driver gave up at its socket timeout, not before").isGreaterThanOrEqualTo(SOCKET_TIMEOUT_S * 1_000L - 100);
            assertThat(waited).as("and not long after").isLessThan(SOCKET_TIMEOUT_S * 1_000L + 5_000);
        } // back to the pool, which drops it: the driver reported a connection failure (SQLState 08006)
    }

    @Test
    void refuseMakesGetConnectionFailWithinThePoolsConnectionTimeout() throws Exception {
        proxy.inject(FaultRule.builder(new Refuse()).proxy("pg").build());
        pool.assertNextQueryFailsOnceConnectionsAreGone();
    }

    private static int total() throws SQLException {
        return pool.total();
    }
}
